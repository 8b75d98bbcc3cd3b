import { randomUUID } from 'node:crypto';
import { startWorld, type World } from './graph-emulator.harness';

/** Directory reads of the Graph emulator: users by id or UPN, $filter/$select/$top paging, group members, /me. */

let w: World;
beforeAll(async () => {
  w = await startWorld();
  for (let i = 0; i < 25; i++) {
    w.directory.addUser(w.tenant.id, {
      userPrincipalName: `bulk${i}@contoso.example`,
      displayName: `Bulk ${i}`,
    });
  }
});
afterAll(async () => {
  await w.close();
});

describe('GET /users/{id | userPrincipalName}', () => {
  it('finds a user by object id and by UPN, with the default properties', async () => {
    const token = await w.token();
    const byId = await w.call('GET', `/v1.0/users/${w.users.alice.id}`, token);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({
      id: w.users.alice.id,
      userPrincipalName: 'alice@contoso.example',
      mail: 'alice.smith@contoso.example',
      jobTitle: null,
    });
    expect(byId.body.accountEnabled).toBeUndefined();
    const byUpn = await w.call('GET', '/v1.0/users/ALICE@contoso.example', token);
    expect(byUpn.body.id).toBe(w.users.alice.id);
  });

  it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
    const res = await w.call('GET', '/v1.0/users/nobody@contoso.example', await w.token());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('refuses an app without User.Read.All with 403 Authorization_RequestDenied', async () => {
    const res = await w.call('GET', `/v1.0/users/${w.users.alice.id}`, await w.appToken(w.bareApp));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });

  it('does not show users of another tenant', async () => {
    const other = w.directory.addTenant({ displayName: 'Fabrikam', domain: 'fabrikam.example' });
    const stranger = w.directory.addUser(other.id, {
      userPrincipalName: 'eve@fabrikam.example',
      displayName: 'Eve',
    });
    expect((await w.call('GET', `/v1.0/users/${stranger.id}`, await w.token())).status).toBe(404);
    expect((await w.call('GET', `/v1.0/users/${stranger.id}/presence`, await w.token())).status).toBe(404);
  });
});

describe('GET /users', () => {
  it('filters by mail and by userPrincipalName with eq and in', async () => {
    const token = await w.token();
    const byMail = await w.call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("mail eq 'alice.smith@contoso.example'")}`,
      token,
    );
    expect(byMail.body.value.map((u: { id: string }) => u.id)).toEqual([w.users.alice.id]);
    const inList = await w.call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName in ('bob@contoso.example','carol@contoso.example')")}`,
      token,
    );
    expect(inList.body.value.map((u: { displayName: string }) => u.displayName).sort()).toEqual([
      'bob',
      'carol',
    ]);
  });

  it('refuses filters it does not support', async () => {
    const res = await w.call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'bob'")}`,
      await w.token(),
    );
    expect(res.status).toBe(400);
  });

  it('selects properties and refuses unknown ones', async () => {
    const token = await w.token();
    const res = await w.call('GET', `/v1.0/users/${w.users.bob.id}?$select=id,mail,accountEnabled`, token);
    expect(res.body).toEqual({
      '@odata.context': expect.any(String),
      id: w.users.bob.id,
      mail: 'bob@contoso.example',
      accountEnabled: true,
    });
    expect((await w.call('GET', `/v1.0/users?$select=shoeSize`, token)).status).toBe(400);
  });

  it('pages with $top and @odata.nextLink until every user was seen once', async () => {
    const token = await w.token();
    const seen: string[] = [];
    let next: string | undefined = `/v1.0/users?$top=7&$select=id`;
    let pages = 0;
    while (next) {
      const res = await w.call('GET', next, token);
      expect(res.status).toBe(200);
      expect(res.body.value.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.value.map((u: { id: string }) => u.id));
      next = res.body['@odata.nextLink']?.slice(w.graph.baseUrl.length);
      pages++;
    }
    expect(seen).toHaveLength(w.tenant.users.size);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(w.tenant.users.size / 7));
    expect((await w.call('GET', '/v1.0/users?$top=1000', token)).status).toBe(400);
  });
});

describe('GET /groups/{id}/members and /me', () => {
  it('lists the user members of a group', async () => {
    const group = w.directory.addGroup(w.tenant.id, { displayName: 'Sales' });
    w.users.alice.groups.push(group.id);
    w.users.bob.groups.push(group.id);
    const res = await w.call('GET', `/v1.0/groups/${group.id}/members`, await w.token());
    expect(res.status).toBe(200);
    expect(res.body.value.map((m: { id: string }) => m.id).sort()).toEqual(
      [w.users.alice.id, w.users.bob.id].sort(),
    );
    expect(res.body.value[0]['@odata.type']).toBe('#microsoft.graph.user');
    expect((await w.call('GET', `/v1.0/groups/${randomUUID()}/members`, await w.token())).status).toBe(404);
  });

  it('answers /me for a delegated token and refuses it for an app token', async () => {
    const me = await w.call('GET', '/v1.0/me', await w.userToken(w.users.monitor));
    expect(me.body.id).toBe(w.users.monitor.id);
    expect((await w.call('GET', '/v1.0/me', await w.token())).status).toBe(400);
  });
});

describe('unknown routes and methods', () => {
  it('answers with Graph errors and a request-id', async () => {
    const token = await w.token();
    const res = await w.call('GET', '/v1.0/nothing/here', token);
    expect(res.status).toBe(400);
    expect(res.headers.get('request-id')).toBe(res.body.error.innerError['request-id']);
    expect((await w.call('DELETE', `/v1.0/users/${w.users.alice.id}/presence`, token)).status).toBe(405);
  });
});
