import { claimsOf, expectAadError } from './entra-fixture';
import {
  adminConsentUrl,
  appToken,
  browse,
  consentAs,
  REDIRECT_URI,
  REQUIRED,
  startMultiTenantFixture,
  submit,
  type MultiTenantFixture,
} from './multi-tenant-fixture';

/**
 * A hosting partner's multi-tenant app and its customers' admins: the admin consent endpoint (v2 and v1), what a
 * customer tenant's token endpoint answers before consent, after it and after the customer deletes the service
 * principal, and that one tenant's tokens never pass for another's.
 */
let fx: MultiTenantFixture;

beforeEach(async () => {
  fx = await startMultiTenantFixture();
});
afterEach(async () => {
  await fx.entra.close();
});

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
const spOf = (tenantId: string) => fx.directory.tenant(tenantId)!.servicePrincipals.get(fx.app.clientId);
const query = (location: string | null) => {
  expect(location).not.toBeNull();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
  return Object.fromEntries(url.searchParams);
};

const obo = (tenantId: string, assertion: string) =>
  fetch(`${fx.entra.baseUrl}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: fx.app.clientId,
      client_secret: fx.app.secret,
      assertion,
      scope: 'https://graph.microsoft.com/Presence.Read.All',
      requested_token_use: 'on_behalf_of',
    }).toString(),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

describe('before consent', () => {
  it('a customer tenant has no service principal: client credentials, password and Teams SSO are all refused', async () => {
    expectAadError(await appToken(fx, fx.contoso.tenantId), 400, 'unauthorized_client', 700016);
    const password = await fetch(`${fx.entra.baseUrl}/${fx.contoso.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: fx.app.clientId,
        client_secret: fx.app.secret,
        username: fx.contoso.monitor.upn,
        password: fx.password,
        scope: 'https://graph.microsoft.com/Presence.Read.All',
      }).toString(),
    });
    expectAadError(
      { status: password.status, body: (await password.json()) as Record<string, unknown> },
      400,
      'unauthorized_client',
      700016,
    );
    // Teams cannot hand out an SSO token for an app the tenant never consented to.
    await expect(
      (async () =>
        fx.entra.mintTeamsSsoToken({
          tenantId: fx.contoso.tenantId,
          userId: fx.contoso.user,
          clientId: fx.app.clientId,
        }))(),
    ).rejects.toThrow(/not registered in \(or consented to by\) tenant/);
  });

  it('the home tenant uses its own registration as before', async () => {
    const answer = await appToken(fx, fx.partnerTenant);
    expect(answer.status).toBe(200);
    expect(claimsOf(answer.body.access_token).tid).toBe(fx.partnerTenant);
  });
});

describe('v2 admin consent', () => {
  it('an admin who accepts is sent back with admin_consent, tenant, scope and state; the tenant then gets tokens of its own', async () => {
    const url = adminConsentUrl(fx, fx.contoso.tenantId, { scope: GRAPH_DEFAULT, state: 'st-42 &x' });
    const picker = await browse(url);
    expect(picker.status).toBe(200);
    expect(picker.html).toContain('admin@contoso.example');
    expect(picker.html).not.toContain('fabrikam.example');
    const consent = await submit(url, picker, { login: `${fx.contoso.tenantId}:${fx.contoso.admin}` });
    expect(consent.status).toBe(200);
    expect(consent.location).toBeNull();
    expect(consent.html).toContain('Presence.ReadWrite.All (application)');
    expect(consent.html).toContain('Presence.Read.All (delegated)');
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();

    const done = await submit(url, consent, { decision: 'accept' });
    expect(done.status).toBe(302);
    expect(query(done.location)).toEqual({
      admin_consent: 'True',
      tenant: fx.contoso.tenantId,
      scope: GRAPH_DEFAULT,
      state: 'st-42 &x',
    });

    const token = await appToken(fx, fx.contoso.tenantId);
    expect(token.status).toBe(200);
    const claims = claimsOf(token.body.access_token);
    expect(claims.tid).toBe(fx.contoso.tenantId);
    expect(claims.iss).toBe(fx.entra.issuer(fx.contoso.tenantId));
    expect(claims.roles).toEqual(REQUIRED.application);
    const verified = await fx.entra.verifyAccessToken(
      String(token.body.access_token),
      'https://graph.microsoft.com',
    );
    expect(verified.tid).toBe(fx.contoso.tenantId);
    // Fabrikam did not consent: still nothing there.
    expectAadError(await appToken(fx, fx.fabrikam.tenantId), 400, 'unauthorized_client', 700016);
  });

  it('after consent, Teams SSO and on-behalf-of work for the customer and carry its tid', async () => {
    await consentAs(fx, fx.contoso.tenantId, fx.contoso.admin);
    const sso = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso.tenantId,
      userId: fx.contoso.user,
      clientId: fx.app.clientId,
    });
    expect(claimsOf(sso).aud).toBe(fx.app.identifierUri);
    const answer = await obo(fx.contoso.tenantId, sso);
    expect(answer.status).toBe(200);
    const claims = claimsOf(answer.body.access_token);
    expect(claims.tid).toBe(fx.contoso.tenantId);
    expect(claims.oid).toBe(fx.contoso.user);
    expect(claims.scp).toBe('Presence.Read.All');
  });

  it('an admin who cancels is sent back with consent_required, AADSTS65004 and the state; nothing is granted', async () => {
    const done = await consentAs(fx, fx.contoso.tenantId, fx.contoso.admin, {
      decision: 'cancel',
      state: 's-1',
    });
    expect(done.status).toBe(302);
    const q = query(done.location);
    expect(q.admin_consent).toBe('True');
    expect(q.error).toBe('consent_required');
    expect(q.error_description).toMatch(/^AADSTS65004: .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: /s);
    expect(q.state).toBe('s-1');
    expect(q.tenant).toBeUndefined();
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
    expectAadError(await appToken(fx, fx.contoso.tenantId), 400, 'unauthorized_client', 700016);
  });

  it('an unregistered redirect_uri is never redirected to, on the first page or on a forged answer', async () => {
    const evil = 'https://evil.example/steal';
    const url = adminConsentUrl(fx, fx.contoso.tenantId, {
      scope: GRAPH_DEFAULT,
      redirectUri: evil,
      state: 's',
    });
    const first = await browse(url);
    expect(first.status).toBe(400);
    expect(first.location).toBeNull();
    expect(first.html).toContain('AADSTS50011');
    // A form posted straight to the endpoint with an accept: refused the same way, and nothing granted.
    const forged = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: fx.app.clientId,
        redirect_uri: evil,
        scope: GRAPH_DEFAULT,
        login: `${fx.contoso.tenantId}:${fx.contoso.admin}`,
        step: 'decide',
        decision: 'accept',
      }).toString(),
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('AADSTS50011');
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
    // A registered address with something appended is not registered either (v2 matches exactly).
    const appended = await browse(
      adminConsentUrl(fx, fx.contoso.tenantId, { scope: GRAPH_DEFAULT, redirectUri: `${REDIRECT_URI}/more` }),
    );
    expect(appended.status).toBe(400);
    expect(appended.location).toBeNull();
  });

  it('a user who is not an admin gets "Need admin approval" (AADSTS90094), no redirect, and nothing is granted', async () => {
    const refused = await consentAs(fx, fx.contoso.tenantId, fx.contoso.user);
    expect(refused.status).toBe(403);
    expect(refused.location).toBeNull();
    expect(refused.html).toContain('AADSTS90094');
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
    // A forged "accept" from the non-admin is refused too.
    const url = adminConsentUrl(fx, fx.contoso.tenantId, { scope: GRAPH_DEFAULT });
    const forged = await submit(url, await browse(url), {
      login: `${fx.contoso.tenantId}:${fx.contoso.user}`,
      step: 'decide',
      decision: 'accept',
    });
    expect(forged.status).toBe(403);
    expect(forged.location).toBeNull();
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
  });

  it('an Application Administrator may not grant Graph application permissions, but may grant delegated ones', async () => {
    const refused = await consentAs(fx, fx.contoso.tenantId, fx.contoso.appAdmin);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('AADSTS90094');
    const delegated = 'https://graph.microsoft.com/Presence.Read.All';
    const done = await consentAs(fx, fx.contoso.tenantId, fx.contoso.appAdmin, { scope: delegated });
    expect(query(done.location)).toMatchObject({
      admin_consent: 'True',
      tenant: fx.contoso.tenantId,
      scope: delegated,
    });
    expect(spOf(fx.contoso.tenantId)).toMatchObject({
      grantedApplicationPermissions: [],
      consentedDelegatedPermissions: ['Presence.Read.All'],
    });
    // Without application permissions the app-only token has no roles claim at all.
    const token = await appToken(fx, fx.contoso.tenantId);
    expect(token.status).toBe(200);
    expect(claimsOf(token.body.access_token).roles).toBeUndefined();
  });

  it('an admin of another tenant cannot consent on a tenant-specific URL, and the account list holds only that tenant', async () => {
    const url = adminConsentUrl(fx, fx.contoso.tenantId, { scope: GRAPH_DEFAULT });
    const picker = await browse(url);
    const wrong = await submit(url, picker, { login: `${fx.fabrikam.tenantId}:${fx.fabrikam.admin}` });
    expect(wrong.status).toBe(400);
    expect(wrong.location).toBeNull();
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
    expect(spOf(fx.fabrikam.tenantId)).toBeUndefined();
  });

  it('with /organizations the admin who signs in decides the tenant', async () => {
    const url = adminConsentUrl(fx, 'organizations', { scope: GRAPH_DEFAULT, state: 'o' });
    const picker = await browse(url);
    expect(picker.html).toContain('admin@fabrikam.example');
    expect(picker.html).toContain('admin@contoso.example');
    const consent = await submit(url, picker, { login: `${fx.fabrikam.tenantId}:${fx.fabrikam.admin}` });
    const back = await submit(url, consent, { decision: 'accept' });
    expect(query(back.location)).toMatchObject({
      admin_consent: 'True',
      tenant: fx.fabrikam.tenantId,
      state: 'o',
    });
    expect(spOf(fx.fabrikam.tenantId)).toBeDefined();
    expect(spOf(fx.contoso.tenantId)).toBeUndefined();
  });

  it('a missing scope on v2 goes back to the registered address as invalid_request (AADSTS900144)', async () => {
    const answer = await browse(adminConsentUrl(fx, fx.contoso.tenantId, { state: 'n' }));
    expect(answer.status).toBe(302);
    const q = query(answer.location);
    expect(q.error).toBe('invalid_request');
    expect(q.error_description).toMatch(/^AADSTS900144: .*'scope'/);
    expect(q.state).toBe('n');
  });

  it('a single-tenant app cannot be consented to by another organisation (AADSTS700016 on the page)', async () => {
    const answer = await browse(
      adminConsentUrl(fx, fx.fabrikam.tenantId, {
        scope: GRAPH_DEFAULT,
        clientId: fx.singleTenantApp.clientId,
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
    expect(answer.html).toContain('AADSTS700016');
    const unknown = await browse(
      adminConsentUrl(fx, fx.contoso.tenantId, {
        scope: GRAPH_DEFAULT,
        clientId: '00000000-0000-4000-8000-00000000dead',
      }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('AADSTS700016');
  });
});

describe('v1 admin consent (/{tenant}/adminconsent)', () => {
  it('accept: tenant, state and admin_consent=True; decline: permission_denied; /common lets the admin pick the tenant', async () => {
    const url = adminConsentUrl(fx, 'common', { state: 'v1-state' }, 'v1');
    const picker = await browse(url);
    const consent = await submit(url, picker, { login: `${fx.fabrikam.tenantId}:${fx.fabrikam.admin}` });
    expect(consent.html).toContain('User.Read.All (application)');
    const cancelled = await submit(url, consent, { decision: 'cancel' });
    expect(query(cancelled.location)).toEqual({
      error: 'permission_denied',
      error_description: 'The admin canceled the request',
    });
    expect(spOf(fx.fabrikam.tenantId)).toBeUndefined();

    const accepted = await submit(url, consent, { decision: 'accept' });
    expect(query(accepted.location)).toEqual({
      tenant: fx.fabrikam.tenantId,
      state: 'v1-state',
      admin_consent: 'True',
    });
    expect(spOf(fx.fabrikam.tenantId)).toMatchObject({
      grantedApplicationPermissions: REQUIRED.application,
      consentedDelegatedPermissions: REQUIRED.delegated,
      consentedBy: fx.fabrikam.admin,
    });
  });

  it('v1 allows extra path segments below a registered redirect URI, but no other host', async () => {
    const deeper = await browse(
      adminConsentUrl(fx, fx.contoso.tenantId, { redirectUri: `${REDIRECT_URI}/step2` }, 'v1'),
    );
    expect(deeper.status).toBe(200);
    const other = await browse(
      adminConsentUrl(
        fx,
        fx.contoso.tenantId,
        { redirectUri: 'https://switchboard.partner.example.evil/x' },
        'v1',
      ),
    );
    expect(other.status).toBe(400);
    expect(other.html).toContain('AADSTS50011');
  });
});

describe('revoking consent and tenant separation', () => {
  it('deleting the service principal refuses new tokens again (client credentials and on-behalf-of)', async () => {
    await consentAs(fx, fx.contoso.tenantId, fx.contoso.admin);
    const sso = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso.tenantId,
      userId: fx.contoso.user,
      clientId: fx.app.clientId,
    });
    expect((await appToken(fx, fx.contoso.tenantId)).status).toBe(200);

    const list = await fetch(
      `${fx.entra.baseUrl}/_control/tenants/${fx.contoso.tenantId}/service-principals`,
    );
    expect(((await list.json()) as { value: { appId: string }[] }).value.map((s) => s.appId)).toEqual([
      fx.app.clientId,
    ]);
    const del = await fetch(
      `${fx.entra.baseUrl}/_control/tenants/${fx.contoso.tenantId}/service-principals/${fx.app.clientId}`,
      { method: 'DELETE' },
    );
    expect(del.status).toBe(204);

    expectAadError(await appToken(fx, fx.contoso.tenantId), 400, 'unauthorized_client', 700016);
    expectAadError(await obo(fx.contoso.tenantId, sso), 400, 'unauthorized_client', 700016);
    const again = await fetch(
      `${fx.entra.baseUrl}/_control/tenants/${fx.contoso.tenantId}/service-principals/${fx.app.clientId}`,
      { method: 'DELETE' },
    );
    expect(again.status).toBe(404);
    // The home tenant's registration is not a service principal that a control call could delete.
    const home = await fetch(
      `${fx.entra.baseUrl}/_control/tenants/${fx.partnerTenant}/service-principals/${fx.app.clientId}`,
      { method: 'DELETE' },
    );
    expect(home.status).toBe(404);
    expect((await appToken(fx, fx.partnerTenant)).status).toBe(200);
  });

  it("one tenant's user token is refused as an assertion at another tenant, even when both consented", async () => {
    await consentAs(fx, fx.contoso.tenantId, fx.contoso.admin);
    await consentAs(fx, fx.fabrikam.tenantId, fx.fabrikam.admin);
    const contosoSso = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso.tenantId,
      userId: fx.contoso.user,
      clientId: fx.app.clientId,
    });
    expectAadError(await obo(fx.fabrikam.tenantId, contosoSso), 400, 'invalid_grant', 50013);
    const contosoApp = await appToken(fx, fx.contoso.tenantId);
    const fabrikamApp = await appToken(fx, fx.fabrikam.tenantId);
    expect(claimsOf(contosoApp.body.access_token).tid).toBe(fx.contoso.tenantId);
    expect(claimsOf(fabrikamApp.body.access_token).tid).toBe(fx.fabrikam.tenantId);
    expect(claimsOf(fabrikamApp.body.access_token).iss).toBe(fx.entra.issuer(fx.fabrikam.tenantId));
    expect(claimsOf(contosoApp.body.access_token).iss).not.toBe(fx.entra.issuer(fx.fabrikam.tenantId));
  });
});
