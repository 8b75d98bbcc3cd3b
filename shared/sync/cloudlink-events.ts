import type { PbxPresence } from '../domain/presence';
import type { CloudLinkEvent } from '../ports/cloudlink';

/** The subject filter (a regular expression) matching every user's presence events of the account. */
export const ALL_PRESENTITIES_FILTER = '^/presentities/[^/]+$';

/** The PBX principal an event is about: presence `/presentities/{id}`, media `/2017-09-01/endpoints/{id}/calls/{call}`. */
export function principalOf(event: CloudLinkEvent): string | undefined {
  const m =
    /^\/presentities\/([^/]+)$/.exec(event.subject) ??
    /^\/\d{4}-\d{2}-\d{2}\/endpoints\/([^/]+)\/calls\/[^/]+$/.exec(event.subject);
  return m ? decodeURIComponent(m[1]) : undefined;
}

const STATUSES = new Set(['available', 'busy', 'dnd']);
const CALL_STATES = new Set(['idle', 'ringing', 'connected']);

/**
 * The whole PBX presence a presence event carries (CloudLink's presentity: status available/busy/dnd, reason,
 * callState, updatedOn). Call events carry one call only, and a user may have several, so for anything else the
 * engine reads the presentity instead of guessing.
 */
export function presenceInEvent(
  event: CloudLinkEvent,
): { presence: PbxPresence; updatedOn: number | null } | undefined {
  if (event.topic !== 'platform-api-presence') return undefined;
  const c = event.content;
  if (typeof c.status !== 'string' || !STATUSES.has(c.status)) return undefined;
  if (typeof c.callState !== 'string' || !CALL_STATES.has(c.callState)) return undefined;
  const updatedOn = typeof c.updatedOn === 'string' ? Date.parse(c.updatedOn) : NaN;
  return {
    presence: {
      dnd: c.status === 'dnd',
      callState: c.callState as PbxPresence['callState'],
      statusText: typeof c.reason === 'string' ? c.reason : null,
    },
    updatedOn: Number.isNaN(updatedOn) ? null : updatedOn,
  };
}
