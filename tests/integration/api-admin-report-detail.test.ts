import { bobOnThePhone, call, startHarness, type Harness } from './bot-harness';

/**
 * GET /api/admin/reports/:id, what the admin's "Attached diagnostics" shows: the diagnostics the reporter agreed to
 * send, as the server gathered and stored them, over real HTTP with Entra-signed Teams tokens. (Another tenant's admin
 * getting 404 for the same id is in api-reports.test.ts.)
 */
describe('an admin opens a problem report', () => {
  let h: Harness;
  let bob: string;
  let alice: string;

  beforeAll(async () => {
    h = await startHarness();
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
    alice = await h.sso(h.fx.contoso, h.fx.users.alice);
    await h.store.putUsers([bobOnThePhone(h)]);
    await h.store.appendTrace({
      tenantId: h.fx.contoso,
      entraUserId: h.fx.users.bob,
      at: h.fx.clock.now(),
      kind: 'teams.presence',
      detail: { availability: 'Busy', activity: 'InACall' },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const send = (includeDiagnostics: boolean, description: string) =>
    call(h, 'POST', '/api/me/reports', bob, {
      category: 'presence',
      description,
      includeDiagnostics,
      client: { type: 'web', version: '25.3', locale: 'de-DE' },
    });

  it('gets the diagnostics the reporter attached: their account, client, trace and request id', async () => {
    const preview = await call(h, 'GET', '/api/me/reports/diagnostics-preview?clientType=web', bob);
    expect(preview.status).toBe(200);
    const sent = await send(true, 'Teams shows me busy after the call ended');
    expect(sent.status).toBe(201);

    const res = await call(h, 'GET', `/api/admin/reports/${sent.body.reportId}`, alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reportId: sent.body.reportId,
      description: 'Teams shows me busy after the call ended',
      reporterName: 'Bob Agent',
    });
    const diagnostics = res.body.diagnostics;
    // The account part is exactly what Bob was shown in the preview before he sent it.
    expect(diagnostics.user).toEqual(preview.body.user);
    expect(diagnostics.user).toMatchObject({
      upn: 'bob@contoso.example',
      pbxPrincipalId: 'p-bob',
      extension: '201',
    });
    expect(diagnostics.client).toEqual({ type: 'web', version: '25.3', locale: 'de-DE' });
    expect(diagnostics.source).toBe('tab');
    expect(diagnostics.trace).toEqual([
      expect.objectContaining({
        kind: 'teams.presence',
        detail: { availability: 'Busy', activity: 'InACall' },
      }),
    ]);
    expect(diagnostics.correlationIds).toEqual([sent.headers.get('x-request-id')]);
  });

  it('gets no diagnostics for a report sent without them', async () => {
    const sent = await send(false, 'No diagnostics this time');
    const res = await call(h, 'GET', `/api/admin/reports/${sent.body.reportId}`, alice);
    expect(res.status).toBe(200);
    expect(res.body.diagnostics).toBeNull();
  });

  it('refuses the reporter, who is no admin, their own report’s admin view', async () => {
    const sent = await send(true, 'Can I read my own diagnostics?');
    const res = await call(h, 'GET', `/api/admin/reports/${sent.body.reportId}`, bob);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('admin_required');
    expect(JSON.stringify(res.body)).not.toContain('p-bob');
  });
});
