import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import { createEntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import { TokenClient } from '../../shared/adapters/entra/token-client';
import { silentLogger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { JobRegistry } from '../../bot/services/jobs';
import { ReportService } from '../../bot/services/reports';
import { SignIns } from '../../bot/services/sign-in';
import type { SyncFacade } from '../../bot/services/sync-facade';
import { SwitchboardBot } from '../../bot/teams/bot';
import { BotSso } from '../../bot/teams/sso';
import { startEntraFixture, type EntraFixture } from './entra-fixture';

/**
 * Teams SSO in the bot: the token exchange invoke with tokens the Entra emulator mints, the on-behalf-of consent
 * probe against the emulator's token endpoint, and deduplication of the invoke every signed-in client sends.
 */
describe('bot sign-in with Teams SSO', () => {
  let fx: EntraFixture;
  let store: Store;
  let signIns: SignIns;

  beforeAll(async () => {
    fx = await startEntraFixture();
  });
  afterAll(async () => {
    await fx.entra.close();
  });
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    signIns = new SignIns(store, () => fx.clock.now());
  });
  afterEach(async () => {
    await store.close();
  });

  /** A bot as one process of a deployment would run it; several may share one store. */
  const botFor = (tenantId: string) => {
    const logger = silentLogger();
    const now = () => fx.clock.now();
    const app =
      tenantId === fx.contoso
        ? {
            clientId: fx.switchboard.clientId,
            secret: fx.switchboard.secret,
            uri: fx.switchboard.identifierUri,
          }
        : {
            clientId: fx.fabrikamApp.clientId,
            secret: fx.fabrikamApp.secret,
            uri: fx.fabrikamApp.identifierUri,
          };
    const tokens = new TokenClient({
      authorityHost: fx.entra.baseUrl,
      tenantId,
      credentials: () => ({ clientId: app.clientId, clientSecret: app.secret }),
      now,
    });
    const validator = createEntraJwtValidator({
      authorityHost: fx.entra.baseUrl,
      allowedTenantIds: [tenantId],
      audiences: [app.clientId, app.uri],
      now,
    });
    const sso = new BotSso({
      validator,
      store,
      signIns,
      logger,
      now,
      appIdUri: app.uri,
      connectionName: 'switchboard-sso',
      signInUrl: 'https://switchboard.example/tab/index.html',
      onBehalfOf: (_tenant, assertion, scope) => tokens.onBehalfOf(assertion, scope),
    });
    const sync = {
      status: async () => {
        throw new Error('unused');
      },
    } as unknown as SyncFacade;
    const reports = new ReportService({
      store,
      sync,
      jobs: new JobRegistry(logger, now),
      notifier: { toUser: async () => 'delivered', toAdmins: async () => 'delivered' },
      logger,
      appVersion: 't',
      now,
    });
    const bot = new SwitchboardBot({ store, sync, reports, signIns, sso, logger, now, requireSignIn: true });
    return new TestAdapter(async (context) => bot.run(context));
  };

  const exchange = (tenantId: string, userId: string, id: string, token: string): Partial<Activity> => ({
    type: ActivityTypes.Invoke,
    name: 'signin/tokenExchange',
    value: { id, connectionName: 'switchboard-sso', token },
    from: { id: `29:${userId}`, name: 'Someone', aadObjectId: userId },
    conversation: { id: `a:${userId}`, conversationType: 'personal', tenantId, isGroup: false, name: '' },
    channelId: 'msteams',
    channelData: { tenant: { id: tenantId } },
  });

  const invokeStatus = (a: Partial<Activity>) => {
    expect(a.type).toBe('invokeResponse');
    return a.value as { status: number; body?: { failureDetail?: string } };
  };

  it('signs the user in once, however many of their clients send the same exchange', async () => {
    const token = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.alice,
      clientId: fx.switchboard.clientId,
    });
    // desktop client, served by one process
    await botFor(fx.contoso)
      .send(exchange(fx.contoso, fx.users.alice, 'exchange-1', token))
      .assertReply((a) => expect(a.text).toMatch(/^You are signed in as Someone/))
      .assertReply((a) => expect(invokeStatus(a).status).toBe(200));
    // the web client sends the same exchange id; another process with the same store answers it silently
    await botFor(fx.contoso)
      .send(exchange(fx.contoso, fx.users.alice, 'exchange-1', token))
      .assertReply((a) => expect(invokeStatus(a).status).toBe(200))
      .assertNoReply('no second sign-in message', 300);
    expect(await signIns.get(fx.contoso, fx.users.alice)).toMatchObject({
      signedIn: true,
      roles: ['Switchboard.Admin'],
    });
  });

  it('answers 412 when the user has not consented, so Teams shows the consent card', async () => {
    const token = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.fabrikam,
      userId: fx.users.fabrikamUser,
      clientId: fx.fabrikamApp.clientId,
    });
    await botFor(fx.fabrikam)
      .send(exchange(fx.fabrikam, fx.users.fabrikamUser, 'exchange-2', token))
      .assertReply((a) => {
        const response = invokeStatus(a);
        expect(response.status).toBe(412);
        expect(response.body?.failureDetail).toBe('Consent is required.');
      });
    expect(await signIns.get(fx.fabrikam, fx.users.fabrikamUser)).toBeUndefined();
  });

  it('answers 412 for a token of another user, and for one meant for another app', async () => {
    const bobsToken = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.bob,
      clientId: fx.switchboard.clientId,
    });
    await botFor(fx.contoso)
      .send(exchange(fx.contoso, fx.users.alice, 'exchange-3', bobsToken))
      .assertReply((a) => expect(invokeStatus(a).status).toBe(412));
    const otherAudience = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.alice,
      clientId: fx.switchboard.clientId,
      audience: fx.crm.clientId,
    });
    await botFor(fx.contoso)
      .send(exchange(fx.contoso, fx.users.alice, 'exchange-4', otherAudience))
      .assertReply((a) => expect(invokeStatus(a).status).toBe(412));
    expect(await signIns.get(fx.contoso, fx.users.alice)).toBeUndefined();
    // a refused exchange does not burn its id: once the user can sign in, the same id works
    const good = await fx.entra.mintTeamsSsoToken({
      tenantId: fx.contoso,
      userId: fx.users.alice,
      clientId: fx.switchboard.clientId,
    });
    await botFor(fx.contoso)
      .send(exchange(fx.contoso, fx.users.alice, 'exchange-4', good))
      .assertReply((a) => expect(a.text).toMatch(/signed in/))
      .assertReply((a) => expect(invokeStatus(a).status).toBe(200));
  });

  it('sends the sign-in card again after consent (signin/verifyState)', async () => {
    await botFor(fx.contoso)
      .send({
        ...exchange(fx.contoso, fx.users.bob, 'x', 'x'),
        name: 'signin/verifyState',
        value: { state: '123456' },
      })
      .assertReply((a) =>
        expect(a.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.oauth'),
      )
      .assertReply((a) => expect(invokeStatus(a).status).toBe(200));
  });
});
