import { api, consentAtEntra, onboard, ssoToken, startHostedWorld, type HostedWorld } from './hosted-fixture';
import { startConnector, type Connector } from './bot-harness';
import { eventually } from './real-time';

/**
 * The hosted server as bot/main.ts composes it with TENANCY=hosted, against the emulators: customers sign up through
 * admin consent and are served at once, each from its own runtime; a customer that has not signed up is told so by
 * the API and the bot, and nothing else happens for it.
 */
let world: HostedWorld;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector();
  world = await startHostedWorld();
}, 30_000);
afterAll(async () => {
  await world?.close();
  await connector?.close();
});

const activity = (tenantId: string, userId: string, text: string) => ({
  type: 'message',
  id: `activity-${Math.random()}`,
  text,
  locale: 'en-US',
  serviceUrl: connector.url,
  channelId: 'msteams',
  from: { id: `29:${userId}`, name: 'Someone', aadObjectId: userId },
  recipient: { id: '28:switchboard', name: 'Switchboard' },
  conversation: { id: `a:${userId}`, conversationType: 'personal', tenantId },
  channelData: { tenant: { id: tenantId } },
});

describe('the hosted server', () => {
  it('starts serving no tenant, and a customer that signs up is served at once', async () => {
    const [northwind, fabrikam] = world.hosted.companies;
    expect(world.app.tenants.ids()).toEqual([]);
    // Fabrikam's admin consented at Entra (in the Teams admin centre, say) but never signed up here.
    consentAtEntra(world, fabrikam!);
    const before = await api(world, 'GET', '/api/me', await ssoToken(world, fabrikam!, 'user'));
    expect(before.status).toBe(403);
    expect(before.body.error).toMatchObject({
      code: 'tenant_not_onboarded',
      onboardUrl: `${world.config.publicBaseUrl}/onboard`,
    });

    expect(await onboard(world, northwind!)).toContain('Your organisation is set up');
    // The process that took the callback opened the tenant before answering it.
    expect(world.app.tenants.ids()).toEqual([northwind!.tenantId]);
    const me = await api(world, 'GET', '/api/me', await ssoToken(world, northwind!, 'user'));
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ tenantId: northwind!.tenantId, isAdmin: false });
    const admin = await api(world, 'GET', '/api/me', await ssoToken(world, northwind!, 'admin'));
    expect(admin.body.user).toMatchObject({ isAdmin: true });
    // Fabrikam has not signed up: still told so.
    const other = await api(world, 'GET', '/api/me', await ssoToken(world, fabrikam!, 'admin'));
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: 'tenant_not_onboarded' });
  });

  it("lets the customer's admin link CloudLink, which starts that tenant's sync, but not replace the partner's app", async () => {
    const [northwind] = world.hosted.companies;
    const token = await ssoToken(world, northwind!, 'admin');
    const link = await api(world, 'GET', '/api/admin/tenant', token);
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({
      tenantId: northwind!.tenantId,
      clientId: world.hosted.provider.clientId,
      clientSecretSet: true,
      appManaged: true,
      cloudlink: null,
    });
    for (const change of [
      { clientSecret: 'the-customers-own-secret' },
      { clientId: '11111111-2222-4333-8444-555555555555' },
      { clientSecretExpiresAt: '2030-01-01T00:00:00.000Z' },
    ]) {
      const refused = await api(world, 'PUT', '/api/admin/tenant', token, change);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'app_registration_managed' });
    }
    const saved = await api(world, 'PUT', '/api/admin/tenant', token, {
      cloudlink: {
        accountId: northwind!.cloudlink.accountId,
        clientId: northwind!.cloudlink.clientId,
        clientSecret: northwind!.cloudlink.clientSecret,
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.cloudlink).toMatchObject({ accountId: northwind!.cloudlink.accountId });
    const runtime = world.app.tenants.get(northwind!.tenantId)!.runtime;
    expect(runtime.tenantSync).toBeDefined();
    // The partner's secret is still the one in use.
    const stored = await world.app.store.getTenant(northwind!.tenantId);
    expect(stored!.clientId).toBe(world.hosted.provider.clientId);
    await eventually(
      async () => {
        const health = await api(world, 'GET', '/api/admin/health', token);
        expect(health.status).toBe(200);
        expect(health.body.credentialProblems).toEqual([]);
      },
      10_000,
      300,
    );
    // Its CloudLink posts come back to this server, named for this tenant.
    const subs = world.emulators.cloudlink.control.subscriptions(northwind!.cloudlink.accountId);
    expect(subs.length).toBeGreaterThan(0);
    for (const sub of subs)
      expect(new URL(sub.deviceId).searchParams.get('tenant')).toBe(northwind!.tenantId);
  });

  it('answers a bot activity of a tenant that has not signed up politely, and with nothing else', async () => {
    const [northwind, fabrikam] = world.hosted.companies;
    const stranger = fabrikam!.users[1]!.entraId;
    const res = await fetch(`${world.app.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(activity(fabrikam!.tenantId, stranger, 'status')),
    });
    expect(res.status).toBe(200);
    const replies = connector.sent.filter((s) => s.path.includes(encodeURIComponent(`a:${stranger}`)));
    expect(replies.map((r) => r.body.text)).toEqual([
      `Your organisation has not set up Switchboard yet. An admin of your organisation can sign it up here: ${world.config.publicBaseUrl}/onboard`,
    ]);
    // No sign-in card, no conversation kept for a tenant that is not served.
    expect(JSON.stringify(replies)).not.toContain('attachments');
    expect(await world.app.store.listConversations(fabrikam!.tenantId)).toEqual([]);

    // A served tenant's member gets the bot itself (here: asked to sign in first).
    const member = northwind!.users[1]!.entraId;
    await fetch(`${world.app.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(activity(northwind!.tenantId, member, 'status')),
    });
    const answered = connector.sent.filter((s) => s.path.includes(encodeURIComponent(`a:${member}`)));
    expect(answered.length).toBeGreaterThan(0);
    expect(JSON.stringify(answered)).not.toContain('has not set up Switchboard');
  });

  it('stops serving an offboarded tenant at the next registry refresh', async () => {
    const [northwind] = world.hosted.companies;
    await world.app.store.tenantRegistry().offboard(northwind!.tenantId, Date.now(), 'operator:test');
    await eventually(() => expect(world.app.tenants.ids()).toEqual([]), 5_000);
    const me = await api(world, 'GET', '/api/me', await ssoToken(world, northwind!, 'user'));
    expect(me.status).toBe(403);
    expect(me.body.error).toMatchObject({ code: 'tenant_not_onboarded' });
  });
});
