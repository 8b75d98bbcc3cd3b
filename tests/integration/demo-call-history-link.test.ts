import { get } from 'node:https';
import { createServer } from 'node:net';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { startDemo, type Demo } from '../../bot/demo';
import { cardOf, startConnector, type Connector } from './bot-harness';
import { eventually, freePort } from './real-time';

/**
 * The demo as `npm start` composes it (bot/demo.ts), on free ports: with no Teams app id to deep-link into, a
 * missed-call notice's "Open call history" opens the Teams-like host page the demo serves (issue 14 item 14).
 */

/** A free port whose next port is free too: the demo puts its host page on the server's port plus one. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await isFree(port + 1))) return port;
  }
  throw new Error('no two free neighbouring ports on 127.0.0.1');
}

function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** GET over https from the demo's host, whose certificate is made at start and trusted by nobody. */
function getFromHost(url: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }),
      );
    }).on('error', reject);
  });
}

/** The demo as `npm start` composes it, on `port` (its host page on the next), with `env` added to its settings. */
async function startDemoOn(
  port: number,
  env: Record<string, string> = {},
): Promise<{ demo: Demo; app: RunningSwitchboard; host: { url: string; close(): Promise<void> } }> {
  const config = loadConfig({
    PORT: String(port),
    STORE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    // No staff calling each other on their own: the one missed call below is the only call.
    DEMO_CALL_INTERVAL_MS: '0',
    // As `LOCAL_PLAYGROUND=true npm start`, the way to talk to the demo's bot (docs/bot.md): its messages go to the
    // connector of the stored conversation, here the recording one, without a Bot Framework token.
    LOCAL_PLAYGROUND: 'true',
    ...env,
  });
  expect(config.mode).toBe('demo');
  const demo = await startDemo(config, silentLogger(), {
    appVersion: '0.0.0-test',
    tabDir: 'tests/integration/bot-tab-fixture',
  });
  const app = await startSwitchboard(config, demo.env, silentLogger());
  const host = await demo.startHost(`${app.baseUrl}/tab/index.html`);
  return { demo, app, host };
}

/**
 * Rings the demo's second user from its first, unanswered, after that user has a personal chat with the bot (on the
 * recording connector) and asked for missed-call notices; answers the card's actions once the notice is out.
 */
async function missedCallCardActions(
  demo: Demo,
  app: RunningSwitchboard,
  connector: Connector,
): Promise<{ type: string; title: string; url: string }[]> {
  const { emulators, company } = demo;
  const [caller, callee] = [company.users[0]!, company.users[1]!];
  // The callee has talked to the bot (a stored personal chat) and asked for missed-call notices.
  await app.store.putConversation({
    tenantId: company.tenantId,
    key: `user:${callee.entraId}`,
    reference: {
      serviceUrl: connector.url,
      channelId: 'msteams',
      conversation: { id: 'a:callee-personal' },
      bot: { id: company.botId },
    },
    updatedAt: 0,
  });
  await app.store.putUserSettings(company.tenantId, callee.entraId, { missedCallNotice: true });
  // The sync has started: it knows the callee and CloudLink posts call events to it.
  await eventually(
    async () => {
      expect(await app.store.getUserByPbxId(company.tenantId, callee.principalId)).toBeDefined();
      const topics = emulators.cloudlink.control
        .subscriptions(company.cloudlink.accountId)
        .map((sub) => sub.topic);
      expect(topics).toContain('platform-api-media');
    },
    30_000,
    100,
  );
  // Rung and never answered: the PBX reports a missed call to the callee.
  const call = emulators.cloudlink.pbx.placeCall(caller.principalId, callee.principalId);
  emulators.cloudlink.pbx.hangUp(call.callId);
  await eventually(() => expect(connector.sent).toHaveLength(1), 20_000, 100);
  const [notice] = connector.sent;
  expect(String(notice!.body.text)).toContain(`You missed a call from ${caller.displayName}`);
  const card = cardOf(notice!) as unknown as { actions: { type: string; title: string; url: string }[] };
  return card.actions;
}

describe("the demo's missed-call notice", () => {
  let port: number;
  let demo: Demo | undefined;
  let app: RunningSwitchboard | undefined;
  let host: { url: string; close(): Promise<void> } | undefined;
  let connector: Connector;

  beforeAll(async () => {
    port = await freePortPair();
    connector = await startConnector();
    ({ demo, app, host } = await startDemoOn(port));
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await app?.close();
    await demo?.stop();
    await connector?.close();
  });

  it('links to the Teams-like host page the demo serves, on the server port plus one', () => {
    expect(demo!.env.callHistoryUrl).toBe(`https://127.0.0.1:${port + 1}/`);
    expect(host!.url).toBe(demo!.env.callHistoryUrl);
  });

  it('whose address answers with the host page framing the tab', async () => {
    const page = await getFromHost(demo!.env.callHistoryUrl!);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('<iframe id="tab" title="Switchboard tab"');
    const config = /<script id="host-config" type="application\/json">(.*?)<\/script>/s.exec(page.text);
    expect(JSON.parse(config![1]!)).toMatchObject({ tabPath: '/tab/index.html' });
    // The frame's address is the host's own, passed on to the server's tab.
    const tab = await getFromHost(new URL('tab/index.html', demo!.env.callHistoryUrl).href);
    expect(tab.status).toBe(200);
    expect(tab.text).toContain('<title>Switchboard tab fixture</title>');
  });

  it('goes out for a missed PBX call with "Open call history" opening that page', async () => {
    expect(await missedCallCardActions(demo!, app!, connector)).toEqual([
      { type: 'Action.OpenUrl', title: 'Open call history', url: `https://127.0.0.1:${port + 1}/` },
    ]);
  });

  /** Posts an activity to the demo's bot as the Agents Playground's user does (LOCAL_PLAYGROUND: no token). */
  const postAsPlaygroundUser = (activity: Record<string, unknown>) =>
    fetch(`${app!.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        serviceUrl: connector.url,
        channelId: 'msteams',
        from: { id: 'user-megan', name: 'Megan' },
        recipient: { id: demo!.company.botId, name: 'Switchboard' },
        ...activity,
      }),
    });
  /** "admin notices here" from the playground team's admins' channel (emulators/seed/playground.yml). */
  const claimAdminsChannel = (id: string) => {
    const { tenantId } = demo!.company;
    return postAsPlaygroundUser({
      id,
      text: 'admin notices here',
      conversation: {
        id: 'contoso-it-switchboard-admins',
        conversationType: 'channel',
        isGroup: true,
        tenantId,
      },
      channelData: {
        tenant: { id: tenantId },
        team: { id: 'contoso-it-team' },
        channel: { id: 'contoso-it-switchboard-admins' },
      },
    });
  };

  it('lets the playground user, standing in for the demo admin, take a channel for admin notices', async () => {
    const { company } = demo!;
    const res = await claimAdminsChannel('claim-1');
    expect(res.status).toBe(200);
    await eventually(
      async () =>
        expect((await app!.store.getConversation(company.tenantId, 'admins'))?.reference).toMatchObject({
          conversation: { id: 'contoso-it-switchboard-admins' },
        }),
      10_000,
      100,
    );
    const replies = connector.sent.map((a) => String(a.body.text ?? ''));
    expect(replies.some((t) => t.startsWith('Only a Switchboard admin'))).toBe(false);
  });

  it('keeps the playground user the demo admin after "sign out": its next turn signs it in again as that admin', async () => {
    const { company } = demo!;
    const mark = connector.sent.length;
    const signedOut = await postAsPlaygroundUser({
      id: 'sign-out-1',
      text: 'sign out',
      conversation: { id: 'playground-personal', conversationType: 'personal', tenantId: company.tenantId },
      channelData: { tenant: { id: company.tenantId } },
    });
    expect(signedOut.status).toBe(200);
    const claimed = await claimAdminsChannel('claim-2');
    expect(claimed.status).toBe(200);
    await eventually(() => expect(connector.sent.length).toBeGreaterThanOrEqual(mark + 2), 10_000, 100);
    const replies = connector.sent.slice(mark).map((a) => String(a.body.text ?? ''));
    expect(replies[0]).toMatch(/signed out/i);
    expect(replies.some((t) => t.startsWith('Only a Switchboard admin'))).toBe(false);
  });
});

describe('a missed-call notice on a server that knows its Teams app id', () => {
  const TEAMS_APP_ID = '66666666-7777-8888-9999-000000000000';
  let started: Awaited<ReturnType<typeof startDemoOn>> | undefined;
  let connector: Connector;

  beforeAll(async () => {
    connector = await startConnector();
    started = await startDemoOn(await freePortPair(), { TEAMS_APP_ID });
  }, 60_000);
  afterAll(async () => {
    await started?.host.close();
    await started?.app.close();
    await started?.demo.stop();
    await connector?.close();
  });

  // TEAMS_APP_ID wins over the demo's host page: in Teams the deep link opens the app's Calls tab (serve.ts).
  it('opens the Calls tab in Teams through a deep link', async () => {
    expect(await missedCallCardActions(started!.demo, started!.app, connector)).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open call history',
        url: `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/callHistory`,
      },
    ]);
  });
});
