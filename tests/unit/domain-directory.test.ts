import { applyUsersDelta, pbxOnlyEntries, readOverrides } from '../../shared/domain/directory';
import { matchUsers } from '../../shared/domain/matching';
import type { GraphUser } from '../../shared/ports/graph';

const entra = (id: string, upn: string, mail: string | null = upn, accountEnabled?: boolean): GraphUser => ({
  id,
  userPrincipalName: upn,
  mail,
  displayName: id,
  ...(accountEnabled === undefined ? {} : { accountEnabled }),
});
const pbx = (principalId: string, email: string | null) => ({
  principalId,
  name: principalId,
  email,
  extension: null,
});
const pairs = (r: ReturnType<typeof matchUsers>) =>
  r.matched.map((m) => [m.pbx.principalId, m.entra.id, m.how]);

describe('matching with overrides and kept pairs', () => {
  it("an admin's override wins over mail matching; the mail's owner is then contested, not matched", () => {
    const r = matchUsers(
      [pbx('p1', 'ann@contoso.com'), pbx('p2', 'bob@contoso.com')],
      [entra('e1', 'ann@contoso.com'), entra('e2', 'bob@contoso.com')],
      { overrides: [{ pbxPrincipalId: 'p2', entraUserId: 'e1' }] },
    );
    expect(pairs(r)).toEqual([['p2', 'e1', 'override']]);
    expect(
      r.contested.map((c) => [c.entra.id, c.pbx.map((p) => p.principalId), c.holder?.principalId]),
    ).toEqual([['e1', ['p1'], 'p2']]);
    expect(r.unmatchedEntra.map((u) => u.id)).toEqual(['e2']);
    expect(r.unmatchedPbx).toEqual([]);
  });

  it('an override naming a user that is gone or disabled is reported stale, and mail matching applies', () => {
    const r = matchUsers(
      [pbx('p1', 'ann@contoso.com')],
      [entra('e1', 'ann@contoso.com'), entra('e9', 'x@c', 'x@c', false)],
      {
        overrides: [
          { pbxPrincipalId: 'p1', entraUserId: 'e9' },
          { pbxPrincipalId: 'gone', entraUserId: 'e1' },
        ],
      },
    );
    expect(pairs(r)).toEqual([['p1', 'e1', 'mail']]);
    expect(r.staleOverrides).toHaveLength(2);
  });

  it('keeps a pair by object ids after a rename, unless the PBX mail now names someone else', () => {
    const previous = new Map([
      ['p1', 'e1'],
      ['p2', 'e2'],
    ]);
    const r = matchUsers(
      [pbx('p1', 'ann.old@contoso.com'), pbx('p2', 'carl@contoso.com')],
      [entra('e1', 'ann.new@contoso.com'), entra('e2', 'bob@contoso.com'), entra('e3', 'carl@contoso.com')],
      { previous },
    );
    expect(pairs(r)).toEqual([
      ['p1', 'e1', 'kept'],
      ['p2', 'e3', 'mail'],
    ]);
  });

  it('never pairs a disabled account', () => {
    const r = matchUsers([pbx('p1', 'ann@contoso.com')], [entra('e1', 'ann@contoso.com', null, false)], {
      previous: new Map([['p1', 'e1']]),
    });
    expect(r.matched).toEqual([]);
    expect(pbxOnlyEntries(r)).toEqual([expect.objectContaining({ reason: 'noMatch' })]);
  });

  it('reports every PBX user without a match with the reason and who is involved', () => {
    const r = matchUsers(
      [pbx('nomail', null), pbx('amb', 'shared@c'), pbx('c1', 'dup@c'), pbx('c2', 'dup@c')],
      [entra('e1', 'shared@c', null), entra('e2', 'o@c', 'shared@c'), entra('e3', 'dup@c')],
    );
    expect(
      pbxOnlyEntries(r).map((e) => [
        e.pbx.principalId,
        e.reason,
        e.candidates.map((c) => c.id),
        e.rivals.map((x) => x.principalId),
      ]),
    ).toEqual([
      ['nomail', 'noMail', [], []],
      ['amb', 'ambiguous', ['e1', 'e2'], []],
      ['c1', 'contested', ['e3'], ['c2']],
      ['c2', 'contested', ['e3'], ['c1']],
    ]);
  });
});

describe('directory document helpers', () => {
  it('merges a delta round property by property; a full round replaces everyone', () => {
    const before = [entra('e1', 'a@c'), entra('e2', 'b@c')];
    const after = applyUsersDelta(before, {
      full: false,
      deltaLink: 'x',
      changes: [
        { kind: 'upsert', id: 'e1', fields: { userPrincipalName: 'a2@c' } },
        { kind: 'removed', id: 'e2', permanent: false },
        {
          kind: 'upsert',
          id: 'e3',
          fields: { userPrincipalName: 'n@c', mail: 'n@c', displayName: 'N', accountEnabled: true },
        },
      ],
    });
    expect(after).toEqual([
      { ...before[0], userPrincipalName: 'a2@c' },
      { id: 'e3', userPrincipalName: 'n@c', mail: 'n@c', displayName: 'N', accountEnabled: true },
    ]);
    const full = applyUsersDelta(before, {
      full: true,
      deltaLink: 'y',
      changes: [
        { kind: 'upsert', id: 'e9', fields: { userPrincipalName: 'z@c', mail: null, displayName: 'Z' } },
      ],
    });
    expect(full.map((u) => u.id)).toEqual(['e9']);
  });

  it('reads overrides from the tenant settings, dropping malformed entries', () => {
    expect(
      readOverrides({
        userOverrides: [{ pbxPrincipalId: 'p', entraUserId: 'e' }, { pbxPrincipalId: 1 }, null],
      }),
    ).toEqual([{ pbxPrincipalId: 'p', entraUserId: 'e' }]);
    expect(readOverrides(undefined)).toEqual([]);
  });
});
