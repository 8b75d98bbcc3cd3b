import type { MappingTable, PbxToTeamsRule, TeamsToPbxRule } from '../api/contract';
import {
  APP_SESSION_PAIRS,
  TEAMS_ACTIVITIES,
  TEAMS_AVAILABILITIES,
  type AppSessionPresence,
  type PbxPresence,
  type TeamsPresence,
} from './presence';

/** Every state the PBX reports that the mapping table maps to Teams; each needs a row, or its calls show nowhere. */
export const PBX_STATES = [
  'ringing',
  'connected',
  'dnd',
] as const satisfies readonly PbxToTeamsRule['pbxState'][];

/** The longest status text the PBX shows beside DND; a longer one would be cut by the phone. */
export const MAX_PBX_STATUS_TEXT = 64;

/**
 * The admin's mapping table: what a PBX state becomes in Teams, and what a Teams presence does to PBX DND.
 * Rows are matched most specific first (exact activity before '*'); a Teams presence with no row leaves PBX DND as is.
 */
export const DEFAULT_MAPPING: MappingTable = {
  pbxToTeams: [
    { pbxState: 'ringing', teams: { availability: 'Busy', activity: 'InACall' } },
    { pbxState: 'connected', teams: { availability: 'Busy', activity: 'InACall' } },
    { pbxState: 'dnd', teams: { availability: 'DoNotDisturb', activity: 'Presenting' } },
  ],
  teamsToPbx: [
    { availability: 'Busy', activity: 'InACall', dnd: 'on', statusText: 'In a Teams call' },
    { availability: 'Busy', activity: 'InAConferenceCall', dnd: 'on', statusText: 'In a meeting' },
    { availability: 'Busy', activity: 'InAMeeting', dnd: 'on', statusText: 'In a meeting' },
    { availability: 'DoNotDisturb', activity: 'Presenting', dnd: 'on', statusText: 'Presenting' },
    { availability: 'DoNotDisturb', activity: '*', dnd: 'on', statusText: 'Do not disturb in Teams' },
    { availability: 'Available', activity: '*', dnd: 'off', statusText: null },
    { availability: 'Away', activity: '*', dnd: 'off', statusText: null },
    { availability: 'BeRightBack', activity: '*', dnd: 'off', statusText: null },
    { availability: 'Offline', activity: '*', dnd: 'off', statusText: null },
  ],
};

export interface PbxDndChange {
  dnd: 'on' | 'off' | 'unchanged';
  statusText: string | null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a Teams presence asks of PBX DND: the exact (availability, activity) row, else the availability's '*' row. */
export function teamsToPbx(
  table: MappingTable,
  presence: Pick<TeamsPresence, 'availability' | 'activity'>,
): PbxDndChange {
  const rows = table.teamsToPbx.filter((r) => same(r.availability, presence.availability));
  const row = rows.find((r) => same(r.activity, presence.activity)) ?? rows.find((r) => r.activity === '*');
  return row
    ? { dnd: row.dnd, statusText: row.dnd === 'on' ? row.statusText : null }
    : { dnd: 'unchanged', statusText: null };
}

/** The Teams app session one PBX state asks for; null when the admin chose not to show it. */
export function pbxStateToTeams(
  table: MappingTable,
  state: PbxToTeamsRule['pbxState'],
): AppSessionPresence | null {
  const teams = table.pbxToTeams.find((r) => r.pbxState === state)?.teams ?? null;
  return teams ? (teams as AppSessionPresence) : null;
}

/**
 * The app session a whole PBX presence asks for. A DND the user set on the phone outranks a call (DoNotDisturb beats
 * Busy in Teams' aggregation too); `dndIsOurs` leaves out a DND Switchboard itself set from Teams, so it never
 * travels back.
 */
export function pbxToTeams(
  table: MappingTable,
  pbx: PbxPresence,
  dndIsOurs: boolean,
): AppSessionPresence | null {
  const fromDnd = pbx.dnd && !dndIsOurs ? pbxStateToTeams(table, 'dnd') : null;
  if (fromDnd) return fromDnd;
  if (pbx.callState === 'connected' || pbx.callState === 'ringing')
    return pbxStateToTeams(table, pbx.callState);
  return null;
}

/**
 * A table saved before every phone state needed a row (such tables were accepted until then): a missing state did not
 * reach Teams, which is what a row with `teams: null` ("not shown") says now. Filled so, the admin's table keeps its
 * meaning and its Teams → phone rules, instead of being refused and replaced by the default.
 */
export function withEveryPhoneState(table: MappingTable): MappingTable {
  const missing = PBX_STATES.filter((s) => !table.pbxToTeams.some((r) => r.pbxState === s));
  if (missing.length === 0) return table;
  return {
    ...table,
    pbxToTeams: [...table.pbxToTeams, ...missing.map((pbxState) => ({ pbxState, teams: null }))],
  };
}

/** Problems with an edited table, in words for the admin; empty when it can be saved. */
export function validateMapping(table: MappingTable): string[] {
  const problems: string[] = [];
  for (const r of table.pbxToTeams) {
    if (
      r.teams &&
      !APP_SESSION_PAIRS.some(([a, act]) => a === r.teams?.availability && act === r.teams?.activity)
    ) {
      problems.push(
        `PBX ${r.pbxState} → ${r.teams.availability}/${r.teams.activity}: Teams accepts only ` +
          APP_SESSION_PAIRS.map(([a, act]) => `${a}/${act}`).join(', '),
      );
    }
  }
  const states = table.pbxToTeams.map((r) => r.pbxState);
  for (const s of new Set(states))
    if (states.filter((x) => x === s).length > 1) problems.push(`PBX ${s} appears twice`);
  // A missing row silently stops that state reaching Teams, and the admin page would show nothing to choose from;
  // "not shown" is a row with teams: null, so it stays a choice the admin made.
  for (const s of PBX_STATES)
    if (!states.includes(s))
      problems.push(`PBX ${s} has no row: choose what Teams shows for it, or "not shown"`);
  const keys = table.teamsToPbx.map(
    (r: TeamsToPbxRule) => `${r.availability.toLowerCase()}/${r.activity.toLowerCase()}`,
  );
  for (const k of new Set(keys))
    if (keys.filter((x) => x === k).length > 1) problems.push(`Teams ${k} appears twice`);
  for (const r of table.teamsToPbx) {
    if (!TEAMS_AVAILABILITIES.some((a) => same(a, r.availability)))
      problems.push(
        `Teams ${r.availability}/${r.activity}: "${r.availability}" is not a Teams availability; ` +
          `use one of ${TEAMS_AVAILABILITIES.join(', ')}`,
      );
    else if (r.activity !== '*' && !TEAMS_ACTIVITIES.some((a) => same(a, r.activity)))
      problems.push(
        `Teams ${r.availability}/${r.activity}: "${r.activity}" is not a Teams activity; ` +
          `use '*' or one of ${TEAMS_ACTIVITIES.join(', ')}`,
      );
    if (r.statusText !== null && r.statusText.length > MAX_PBX_STATUS_TEXT) {
      problems.push(
        `Teams ${r.availability}/${r.activity}: status text longer than ${MAX_PBX_STATUS_TEXT} characters`,
      );
    }
  }
  return problems;
}
