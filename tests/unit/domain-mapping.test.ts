import { DEFAULT_MAPPING, pbxToTeams, teamsToPbx, validateMapping } from '../../shared/domain/mapping';
import { assignUsers, monitorsNeeded, MAX_USERS_PER_MONITOR } from '../../shared/domain/monitors';
import { matchUsers } from '../../shared/domain/matching';
import { DEFAULT_SELECTION, directionsFor, isSelected } from '../../shared/domain/selection';

describe('default mapping, Teams → PBX', () => {
  it.each([
    ['Busy', 'InACall', 'on', 'In a Teams call'],
    ['Busy', 'InAConferenceCall', 'on', 'In a meeting'],
    ['Busy', 'InAMeeting', 'on', 'In a meeting'],
    ['DoNotDisturb', 'DoNotDisturb', 'on', 'Do not disturb in Teams'],
    ['DoNotDisturb', 'Presenting', 'on', 'Presenting'],
    ['DoNotDisturb', 'Focusing', 'on', 'Do not disturb in Teams'],
    ['Available', 'Available', 'off', null],
    ['Away', 'Away', 'off', null],
    ['BeRightBack', 'BeRightBack', 'off', null],
    ['Offline', 'OffWork', 'off', null],
    ['Busy', 'Busy', 'unchanged', null],
    ['AvailableIdle', 'Available', 'unchanged', null],
    ['PresenceUnknown', 'PresenceUnknown', 'unchanged', null],
  ])('%s/%s → DND %s (%s)', (availability, activity, dnd, statusText) => {
    expect(teamsToPbx(DEFAULT_MAPPING, { availability, activity })).toEqual({ dnd, statusText });
  });

  it('matches availability and activity case-insensitively', () => {
    expect(teamsToPbx(DEFAULT_MAPPING, { availability: 'busy', activity: 'inacall' }).dnd).toBe('on');
  });

  it('an admin row for an exact activity beats the availability wildcard', () => {
    const table = {
      ...DEFAULT_MAPPING,
      teamsToPbx: [
        ...DEFAULT_MAPPING.teamsToPbx,
        { availability: 'Away', activity: 'Away', dnd: 'unchanged' as const, statusText: null },
      ],
    };
    expect(teamsToPbx(table, { availability: 'Away', activity: 'Away' }).dnd).toBe('unchanged');
    expect(teamsToPbx(table, { availability: 'Away', activity: 'OutOfOffice' }).dnd).toBe('off');
  });
});

describe('default mapping, PBX → Teams', () => {
  it('a ringing or connected call is Busy/InACall, DND is DoNotDisturb/Presenting, idle is nothing', () => {
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'ringing', dnd: false }, false)).toEqual({
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'connected', dnd: false }, false)).toEqual({
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'idle', dnd: true }, false)).toEqual({
      availability: 'DoNotDisturb',
      activity: 'Presenting',
    });
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'idle', dnd: false }, false)).toBeNull();
  });

  it("the user's PBX DND outranks a call; a DND we set ourselves is left out", () => {
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'connected', dnd: true }, false)?.availability).toBe(
      'DoNotDisturb',
    );
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'connected', dnd: true }, true)?.availability).toBe(
      'Busy',
    );
    expect(pbxToTeams(DEFAULT_MAPPING, { callState: 'idle', dnd: true }, true)).toBeNull();
  });

  it('a state the admin chose not to show maps to nothing', () => {
    const table = { ...DEFAULT_MAPPING, pbxToTeams: [{ pbxState: 'ringing' as const, teams: null }] };
    expect(pbxToTeams(table, { callState: 'ringing', dnd: false }, false)).toBeNull();
  });
});

describe('validateMapping', () => {
  it('accepts the defaults', () => expect(validateMapping(DEFAULT_MAPPING)).toEqual([]));
  it('refuses a Teams state an app session cannot set, duplicates, and long texts', () => {
    const problems = validateMapping({
      pbxToTeams: [
        { pbxState: 'dnd', teams: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' } },
        { pbxState: 'dnd', teams: null },
      ],
      teamsToPbx: [
        { availability: 'Busy', activity: '*', dnd: 'on', statusText: 'x'.repeat(65) },
        { availability: 'busy', activity: '*', dnd: 'off', statusText: null },
      ],
    });
    expect(problems[0]).toMatch(/Teams accepts only/);
    expect(problems.filter((p) => /appears twice|longer than 64/.test(p))).toHaveLength(3);
  });
  it('refuses a table that leaves a phone state without a row, naming the state', () => {
    const problems = validateMapping({
      ...DEFAULT_MAPPING,
      pbxToTeams: DEFAULT_MAPPING.pbxToTeams.filter((r) => r.pbxState !== 'connected'),
    });
    expect(problems).toEqual(['PBX connected has no row: choose what Teams shows for it, or "not shown"']);
    expect(validateMapping({ ...DEFAULT_MAPPING, pbxToTeams: [] })).toHaveLength(3);
  });
});

describe('user selection and switches', () => {
  const ann = { entraUserId: 'id-ann', upn: 'ann@contoso.com' };
  it('all users minus the block list (by id or UPN, any case)', () => {
    expect(isSelected(DEFAULT_SELECTION, ann, new Set())).toBe(true);
    expect(isSelected({ ...DEFAULT_SELECTION, blockList: ['ANN@contoso.com'] }, ann, new Set())).toBe(false);
    expect(isSelected({ ...DEFAULT_SELECTION, blockList: ['id-ann'] }, ann, new Set())).toBe(false);
  });
  it('a group plus an allow list', () => {
    const sel = { ...DEFAULT_SELECTION, mode: 'groupWithAllowList' as const, groupId: 'g', allowList: [] };
    expect(isSelected(sel, ann, new Set())).toBe(false);
    expect(isSelected(sel, ann, new Set(['id-ann']))).toBe(true);
    expect(isSelected({ ...sel, allowList: ['ann@contoso.com'] }, ann, new Set())).toBe(true);
  });
  it('per-direction switches: tenant off wins, user null follows the tenant, user off turns one direction off', () => {
    const u = { selected: true, sendToTeams: null, getFromTeams: null };
    expect(directionsFor(DEFAULT_SELECTION, u)).toEqual({ toTeams: true, fromTeams: true });
    expect(directionsFor({ ...DEFAULT_SELECTION, sendToTeams: false }, { ...u, sendToTeams: true })).toEqual({
      toTeams: false,
      fromTeams: true,
    });
    expect(directionsFor(DEFAULT_SELECTION, { ...u, getFromTeams: false })).toEqual({
      toTeams: true,
      fromTeams: false,
    });
    expect(directionsFor(DEFAULT_SELECTION, { ...u, selected: false })).toEqual({
      toTeams: false,
      fromTeams: false,
    });
  });
});

describe('PBX ↔ Entra matching', () => {
  const entra = (id: string, upn: string, mail: string | null) => ({
    id,
    userPrincipalName: upn,
    mail,
    displayName: id,
  });
  const pbx = (principalId: string, email: string | null) => ({
    principalId,
    name: principalId,
    email,
    extension: null,
  });
  it('matches by UPN or mail, case-insensitively', () => {
    const r = matchUsers(
      [pbx('p1', 'Ann@Contoso.com'), pbx('p2', 'bob.smith@contoso.com')],
      [
        entra('e1', 'ann@contoso.com', null),
        entra('e2', 'bob@contoso.onmicrosoft.com', 'bob.smith@contoso.com'),
      ],
    );
    expect(r.matched.map((m) => [m.pbx.principalId, m.entra.id])).toEqual([
      ['p1', 'e1'],
      ['p2', 'e2'],
    ]);
    expect(r.unmatchedPbx).toEqual([]);
  });
  it('reports rather than guesses: no mail, unknown mail, two candidates, two claimants', () => {
    const r = matchUsers(
      [
        pbx('nomail', null),
        pbx('stranger', 'x@contoso.com'),
        pbx('amb', 'shared@contoso.com'),
        pbx('c1', 'dup@contoso.com'),
        pbx('c2', 'DUP@contoso.com'),
      ],
      [
        entra('e1', 'shared@contoso.com', null),
        entra('e2', 'other@contoso.com', 'shared@contoso.com'),
        entra('e3', 'dup@contoso.com', null),
        entra('e4', 'lonely@contoso.com', null),
      ],
    );
    expect(r.matched).toEqual([]);
    expect(r.unmatchedPbx.map((p) => p.principalId)).toEqual(['nomail', 'stranger']);
    expect(r.ambiguous.map((a) => [a.pbx.principalId, a.candidates.map((c) => c.id)])).toEqual([
      ['amb', ['e1', 'e2']],
    ]);
    expect(r.contested.map((c) => [c.entra.id, c.pbx.map((p) => p.principalId)])).toEqual([
      ['e3', ['c1', 'c2']],
    ]);
    expect(r.unmatchedEntra.map((u) => u.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });
});

describe('presence monitors', () => {
  it('needs ceil(n / 650)', () => {
    expect([0, 1, 650, 651, 1300, 50_000].map(monitorsNeeded)).toEqual([0, 1, 1, 2, 2, 77]);
  });
  it('fills monitors to 650 each and reports who does not fit', () => {
    const ids = Array.from({ length: 1400 }, (_, i) => `u${i}`);
    const a = assignUsers(ids, [
      { monitorId: 'm1', userIds: [] },
      { monitorId: 'm2', userIds: [] },
    ]);
    expect(a.byMonitor.get('m1')).toHaveLength(MAX_USERS_PER_MONITOR);
    expect(a.byMonitor.get('m2')).toHaveLength(MAX_USERS_PER_MONITOR);
    expect(a.unassigned).toHaveLength(100);
    expect(a.changed).toEqual(['m1', 'm2']);
  });
  it('keeps users where they are, so one new user changes one subscription', () => {
    const m1 = Array.from({ length: 650 }, (_, i) => `a${i}`);
    const m2 = ['b1', 'b2'];
    const a = assignUsers(
      [...m1, ...m2, 'new'],
      [
        { monitorId: 'm1', userIds: m1 },
        { monitorId: 'm2', userIds: m2 },
      ],
    );
    expect(a.byMonitor.get('m1')).toEqual(m1);
    expect(a.byMonitor.get('m2')).toEqual(['b1', 'b2', 'new']);
    expect(a.changed).toEqual(['m2']);
  });
  it('drops users no longer watched', () => {
    const a = assignUsers(['x'], [{ monitorId: 'm1', userIds: ['x', 'gone'] }]);
    expect(a.byMonitor.get('m1')).toEqual(['x']);
    expect(a.changed).toEqual(['m1']);
  });
});
