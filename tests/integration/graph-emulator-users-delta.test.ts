import { startWorld, type World } from './graph-emulator.harness';

/**
 * GET /users/delta as Graph documents change tracking: a full round in pages ending in a deltaLink, then only what
 * changed (new users in full, changed users with the changed properties, removed users as @removed), and a stale
 * token answered 410 syncStateNotFound so the client restarts with a full round.
 */

let w: World;
beforeEach(async () => {
  w = await startWorld();
  for (let i = 0; i < 7; i++)
    w.directory.addUser(w.tenant.id, {
      userPrincipalName: `bulk${i}@contoso.example`,
      displayName: `Bulk ${i}`,
    });
});
afterEach(async () => {
  await w.close();
});

/** Follows nextLinks (relative to the emulator) until a deltaLink; answers every item and the deltaLink. */
async function round(first: string, pageSize?: number) {
  const token = await w.token();
  const headers = pageSize ? { Prefer: `odata.maxpagesize=${pageSize}` } : undefined;
  const items: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  let pages = 0;
  let url = first;
  for (;;) {
    const res = await w.call('GET', url, token, undefined, headers);
    expect(res.status).toBe(200);
    pages++;
    items.push(...res.body.value);
    const next: string | undefined = res.body['@odata.nextLink'];
    const delta: string | undefined = res.body['@odata.deltaLink'];
    expect(Boolean(next) !== Boolean(delta)).toBe(true); // exactly one of the two on every page
    if (delta) return { items, deltaLink: relative(delta), pages };
    url = relative(next as string);
  }
}
const relative = (link: string) => link.slice(w.graph.baseUrl.length);

describe('GET /users/delta', () => {
  it('returns every user over several pages, then a deltaLink; $select is kept for later rounds', async () => {
    const all = w.tenant.users.size;
    const first = await round(
      '/v1.0/users/delta?$select=id,userPrincipalName,mail,displayName,accountEnabled',
      4,
    );
    expect(first.pages).toBe(Math.ceil(all / 4));
    expect(new Set(first.items.map((u) => u.id)).size).toBe(all);
    expect(first.items.find((u) => u.id === w.users.alice.id)).toEqual({
      id: w.users.alice.id,
      userPrincipalName: 'alice@contoso.example',
      mail: 'alice.smith@contoso.example',
      displayName: w.users.alice.displayName,
      accountEnabled: true,
    });
    expect(first.deltaLink).toContain('$deltatoken=');
    expect(first.deltaLink).not.toContain('$select'); // carried inside the token

    // Nothing changed: an empty round.
    const quiet = await round(first.deltaLink);
    expect(quiet.items).toEqual([]);
  });

  it('reports a new hire in full, a rename by its changed properties, leavers as @removed', async () => {
    const first = await round(
      '/v1.0/users/delta?$select=id,userPrincipalName,mail,displayName,accountEnabled',
    );
    const hire = w.graph.control.addUser(w.tenant.id, {
      userPrincipalName: 'dave@contoso.example',
      displayName: 'Dave New',
    });
    w.graph.control.updateUser(w.tenant.id, w.users.bob.id, {
      userPrincipalName: 'robert@contoso.example',
      mail: 'robert@contoso.example',
    });
    w.graph.control.updateUser(w.tenant.id, w.users.carol.id, { accountEnabled: false });
    const bulk = [...w.tenant.users.values()].filter((u) => u.userPrincipalName.startsWith('bulk'));
    w.graph.control.removeUser(w.tenant.id, bulk[0].id); // recycle bin
    w.graph.control.removeUser(w.tenant.id, bulk[1].id, { permanent: true });

    const second = await round(first.deltaLink, 2);
    const byId = new Map(second.items.map((u) => [u.id, u]));
    expect(byId.size).toBe(5);
    expect(byId.get(hire.id)).toEqual({
      id: hire.id,
      userPrincipalName: 'dave@contoso.example',
      mail: 'dave@contoso.example',
      displayName: 'Dave New',
      accountEnabled: true,
    });
    expect(byId.get(w.users.bob.id)).toEqual({
      id: w.users.bob.id,
      userPrincipalName: 'robert@contoso.example',
      mail: 'robert@contoso.example',
    });
    expect(byId.get(w.users.carol.id)).toEqual({ id: w.users.carol.id, accountEnabled: false });
    expect(byId.get(bulk[0].id)).toEqual({ id: bulk[0].id, '@removed': { reason: 'changed' } });
    expect(byId.get(bulk[1].id)).toEqual({ id: bulk[1].id, '@removed': { reason: 'deleted' } });

    // Restored from the recycle bin: back in full.
    w.graph.control.restoreUser(w.tenant.id, bulk[0].id);
    const third = await round(second.deltaLink);
    expect(third.items).toEqual([
      expect.objectContaining({ id: bulk[0].id, userPrincipalName: bulk[0].userPrincipalName }),
    ]);
  });

  it('keeps a round stable while the directory changes between its pages', async () => {
    const token = await w.token();
    const page1 = await w.call('GET', '/v1.0/users/delta', token, undefined, {
      Prefer: 'odata.maxpagesize=3',
    });
    const late = w.graph.control.addUser(w.tenant.id, {
      userPrincipalName: 'late@contoso.example',
      displayName: 'Late',
    });
    const rest = await round(relative(page1.body['@odata.nextLink']), 3);
    const seen = [...page1.body.value, ...rest.items].map((u) => u.id);
    expect(seen).not.toContain(late.id);
    // ...and the user added meanwhile comes in the next round.
    const next = await round(rest.deltaLink);
    expect(next.items.map((u) => u.id)).toEqual([late.id]);
  });

  it('$deltatoken=latest starts from now without listing anyone', async () => {
    const res = await w.call('GET', '/v1.0/users/delta?$deltatoken=latest', await w.token());
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([]);
    const hire = w.graph.control.addUser(w.tenant.id, {
      userPrincipalName: 'eve@contoso.example',
      displayName: 'Eve',
    });
    const after = await round(relative(res.body['@odata.deltaLink']));
    expect(after.items.map((u) => u.id)).toEqual([hire.id]);
  });

  it('answers 410 syncStateNotFound for a token older than 7 days or after a reset, with a fresh start in Location', async () => {
    const first = await round('/v1.0/users/delta?$select=id,mail');
    w.clock.advance(7 * 24 * 3_600_000 + 1000);
    const token = await w.token();
    const expired = await w.call('GET', first.deltaLink, token);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('syncStateNotFound');
    expect(expired.body.error.message).toMatch(/synchronized again/);

    const again = await round('/v1.0/users/delta');
    w.graph.control.resetDeltaTokens();
    const reset = await w.call('GET', again.deltaLink, token);
    expect(reset.status).toBe(410);
    expect(reset.headers.get('location')).toBe(`${w.graph.baseUrl}/v1.0/users/delta`);
  });

  it('refuses tokens it never issued, unsupported options and callers without directory permission', async () => {
    const token = await w.token();
    const forged = await w.call('GET', '/v1.0/users/delta?$deltatoken=not-a-token', token);
    expect(forged.status).toBe(400);
    const top = await w.call('GET', '/v1.0/users/delta?$top=5', token);
    expect(top.status).toBe(400);
    expect(top.body.error.code).toBe('Request_UnsupportedQuery');
    const badSelect = await w.call('GET', '/v1.0/users/delta?$select=nope', token);
    expect(badSelect.status).toBe(400);
    const bare = await w.call('GET', '/v1.0/users/delta', await w.appToken(w.bareApp));
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('Authorization_RequestDenied');
  });
});

describe('/_control/tenants/{tenantId}/users over HTTP', () => {
  it('adds, renames, disables, deletes and restores users', async () => {
    const base = `${w.graph.baseUrl}/_control/tenants/${w.tenant.id}/users`;
    const json = { 'content-type': 'application/json' };
    const added = await fetch(base, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ userPrincipalName: 'frank@contoso.example', displayName: 'Frank' }),
    });
    expect(added.status).toBe(201);
    const frank = (await added.json()) as { id: string };
    expect(w.tenant.users.get(frank.id)?.mail).toBe('frank@contoso.example');
    const renamed = await fetch(`${base}/${frank.id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ userPrincipalName: 'franz@contoso.example', accountEnabled: false }),
    });
    expect(renamed.status).toBe(200);
    expect(w.tenant.users.get(frank.id)).toMatchObject({
      userPrincipalName: 'franz@contoso.example',
      accountEnabled: false,
    });
    expect((await fetch(`${base}/${frank.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(w.tenant.users.has(frank.id)).toBe(false);
    expect((await fetch(`${base}/${frank.id}/restore`, { method: 'POST' })).status).toBe(200);
    expect(w.tenant.users.has(frank.id)).toBe(true);
    expect((await fetch(`${base}/nobody`, { method: 'DELETE' })).status).toBe(404);
  });
});
