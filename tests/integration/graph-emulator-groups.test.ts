import { startWorld, type World } from './graph-emulator.harness';

/**
 * GET /groups as Graph answers a group picker: `$search` on displayName is an advanced query and is refused
 * without `ConsistencyLevel: eventual` (Graph's documented error), `startswith` filtering needs no header, and an
 * app without a group permission is refused.
 */

let w: World;
const EVENTUAL = { ConsistencyLevel: 'eventual' };
const names = (body: { value: { displayName: string }[] }) => body.value.map((g) => g.displayName).sort();

beforeAll(async () => {
  w = await startWorld();
  w.directory.addGroup(w.tenant.id, { displayName: 'Sales Team Berlin', description: 'Field sales' });
  w.directory.addGroup(w.tenant.id, { displayName: 'Salesforce Admins' });
  w.directory.addGroup(w.tenant.id, { displayName: 'Support' });
  w.directory.addGroup(w.tenant.id, { displayName: 'Pre-Sales' });
});
afterAll(async () => {
  await w.close();
});

describe('GET /groups', () => {
  it('refuses $search without ConsistencyLevel: eventual, with the error Graph documents', async () => {
    const res = await w.call('GET', '/v1.0/groups?$search="displayName:sales"', await w.token());
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'Request_UnsupportedQuery',
      message:
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    });
    expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
  });

  it('finds groups whose name has a word starting with each word searched, case ignored', async () => {
    const token = await w.token();
    const sales = await w.call(
      'GET',
      `/v1.0/groups?$search=${encodeURIComponent('"displayName:sales"')}&$select=id,displayName,description`,
      token,
      undefined,
      EVENTUAL,
    );
    expect(sales.status).toBe(200);
    // "Pre-Sales" has the word "Sales"; "Salesforce" starts with it; "Support" does not.
    expect(names(sales.body)).toEqual(['Pre-Sales', 'Sales Team Berlin', 'Salesforce Admins']);
    expect(
      sales.body.value.find((g: { displayName: string }) => g.displayName === 'Sales Team Berlin'),
    ).toEqual({
      id: expect.any(String),
      displayName: 'Sales Team Berlin',
      description: 'Field sales',
    });
    const two = await w.call(
      'GET',
      `/v1.0/groups?$search=${encodeURIComponent('"displayName:SALES ber"')}`,
      token,
      undefined,
      EVENTUAL,
    );
    expect(names(two.body)).toEqual(['Sales Team Berlin']);
    const top = await w.call(
      'GET',
      `/v1.0/groups?$search=${encodeURIComponent('"displayName:sales"')}&$top=1`,
      token,
      undefined,
      EVENTUAL,
    );
    expect(top.body.value).toHaveLength(1);
  });

  it('filters by the start of the name without the header, and refuses other query shapes', async () => {
    const token = await w.token();
    const res = await w.call(
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("startswith(displayName,'sup')")}`,
      token,
    );
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Support']);
    const unquoted = await w.call(
      'GET',
      '/v1.0/groups?$search=displayName:sales',
      token,
      undefined,
      EVENTUAL,
    );
    expect(unquoted.status).toBe(400);
    const otherFilter = await w.call(
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'Support'")}`,
      token,
    );
    expect(otherFilter.body.error.code).toBe('Request_UnsupportedQuery');
    const unknownSelect = await w.call('GET', '/v1.0/groups?$select=id,secret', token);
    expect(unknownSelect.status).toBe(400);
  });

  it('refuses an app without a group or directory permission', async () => {
    const res = await w.call(
      'GET',
      `/v1.0/groups?$search=${encodeURIComponent('"displayName:sales"')}`,
      await w.appToken(w.bareApp),
      undefined,
      EVENTUAL,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });
});

describe('GET /groups/{id}', () => {
  it('answers a group of the tenant with $select, 404 for an id it does not know, 403 without permission', async () => {
    const support = w.directory.addGroup(w.tenant.id, { displayName: 'Hotline', description: 'Phones' });
    const token = await w.token();
    const found = await w.call('GET', `/v1.0/groups/${support.id}?$select=id,displayName`, token);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: support.id, displayName: 'Hotline' });
    expect(found.body.description).toBeUndefined();
    // Pasted in upper case, the GUID names the same group.
    const upper = await w.call('GET', `/v1.0/groups/${support.id.toUpperCase()}`, token);
    expect(upper.status).toBe(200);
    expect(upper.body.id).toBe(support.id);
    const missing = await w.call('GET', '/v1.0/groups/0f0f0f0f-dead-4bad-8bad-0000000000ff', token);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    const bare = await w.call('GET', `/v1.0/groups/${support.id}`, await w.appToken(w.bareApp));
    expect(bare.status).toBe(403);
  });
});
