import { startWorld, type World } from './graph-emulator.harness';

/**
 * GET /organization as Graph answers an app reading its customer's name: the caller's own tenant only, with the
 * properties asked for, and only with a permission Graph lists for it (Organization.Read.All or Directory.Read.All
 * for an app; Switchboard's usual User.Read.All is not one of them).
 */
let w: World;

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

describe('GET /organization', () => {
  it("refuses an app without an organization or directory permission, as Graph's table says", async () => {
    const res = await w.call('GET', '/v1.0/organization', await w.appToken());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });

  it("answers the caller's own tenant, with the properties selected", async () => {
    w.app.grantedApplicationPermissions.push('Organization.Read.All');
    const token = await w.appToken();
    const res = await w.call('GET', '/v1.0/organization?$select=id,displayName', token);
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([{ id: w.tenant.id, displayName: 'Contoso' }]);
    const idOnly = await w.call('GET', '/v1.0/organization?$select=id', token);
    expect(idOnly.body.value).toEqual([{ id: w.tenant.id }]);
    // A renamed organisation is read as it is now.
    w.tenant.displayName = 'Contoso Ltd';
    expect((await w.call('GET', '/v1.0/organization', token)).body.value[0].displayName).toBe('Contoso Ltd');
  });

  it('refuses a property it does not model instead of inventing one', async () => {
    w.app.grantedApplicationPermissions.push('Directory.Read.All');
    const res = await w.call('GET', '/v1.0/organization?$select=id,city', await w.appToken());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_BadRequest');
  });
});
