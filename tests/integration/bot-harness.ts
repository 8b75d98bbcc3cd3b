import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { CallRecord, CloudLinkPort } from '../../shared/ports/cloudlink';
import type { SyncStatus } from '../../shared/api/contract';
import type { Store, UserRecord } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { createEntraJwtValidator, type EntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import { silentLogger, type Logger } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { Authenticator } from '../../bot/auth/authenticator';
import { createServer, listen } from '../../bot/server';
import { JobRegistry } from '../../bot/services/jobs';
import { ReportService } from '../../bot/services/reports';
import { SignIns } from '../../bot/services/sign-in';
import type { SyncFacade } from '../../bot/services/sync-facade';
import type { WebhookReceiver } from '../../bot/services/webhooks';
import { createTeamsBot, type TeamsBot } from '../../bot/teams';
import type { BotAuth } from '../../bot/teams/adapter';
import { startEntraFixture, type EntraFixture } from './entra-fixture';
import { said } from '../../shared/api/texts/english';

/**
 * The product server over real HTTP on 127.0.0.1, with the Entra emulator minting real tokens, a real SQLite store,
 * a recording sync facade, and a fake Bot Framework connector that captures every outgoing bot message.
 */
export interface SentActivity {
  /** POST for a new message, PUT when the bot updates one it sent (a card after an admin acted on it). */
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** How the connector turns down posts into a conversation: Teams' status and error code, e.g. 403 BotNotInConversationRoster. */
export interface ConnectorRefusal {
  status: number;
  code: string;
}

export interface Connector {
  url: string;
  /** Posts the connector took (answered 200). */
  sent: SentActivity[];
  /** Posts it turned down (see refuse), every attempt: botbuilder retries a 5xx itself. */
  refused: SentActivity[];
  /** Turns down every post into that conversation from now on with `refusal`; without one, takes them again. */
  refuse(conversationId: string, refusal?: ConnectorRefusal): void;
  close(): Promise<void>;
}

/**
 * A stand-in for the Bot Framework connector (or the playground's /_connector): records and acknowledges posts, or
 * turns down those into a conversation a test names, with the error body the real connector sends.
 */
export async function startConnector(): Promise<Connector> {
  const sent: SentActivity[] = [];
  const refused: SentActivity[] = [];
  const refusals = new Map<string, ConnectorRefusal>();
  const server: Server = createHttpServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const activity: SentActivity = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      const conversationId = /^\/v3\/conversations\/([^/]+)/.exec(activity.path)?.[1];
      const refusal = conversationId && refusals.get(decodeURIComponent(conversationId));
      if (refusal) {
        refused.push(activity);
        // botbuilder retries a 5xx itself; with Retry-After: 0 it retries a 503 or 429 at once (other 5xx after
        // seconds of backoff), so tests refuse with 503 to stay fast.
        res.writeHead(refusal.status, { 'Content-Type': 'application/json', 'Retry-After': '0' });
        res.end(
          JSON.stringify({ error: { code: refusal.code, message: `refused by the test (${refusal.code})` } }),
        );
        return;
      }
      sent.push(activity);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${sent.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sent,
    refused,
    refuse(conversationId, refusal) {
      if (refusal) refusals.set(conversationId, refusal);
      else refusals.delete(conversationId);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * What the bot sent into one conversation, from the `since`th recorded send on: new posts
 * (POST /v3/conversations/{id}/activities[/{replyTo}]) and cards updated in place (PUT …/activities/{id}).
 */
export function sentTo(connector: Connector, conversationId: string, since = 0): SentActivity[] {
  const prefix = `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
  return connector.sent.slice(since).filter((s) => s.path.startsWith(prefix));
}

/** The Adaptive Card a sent activity carries (its first attachment). */
export function cardOf(s: SentActivity): { actions?: { title: string }[]; body: unknown[] } {
  return (s.body.attachments as { content: { actions?: { title: string }[]; body: unknown[] } }[])[0]!
    .content;
}

export const OK_STATUS: SyncStatus = {
  teams: { availability: 'Available', activity: 'Available', at: '2026-11-23T09:00:00.000Z' },
  pbx: { callState: 'idle', dnd: false, statusText: null, at: '2026-11-23T09:00:00.000Z' },
  lastAssertion: null,
  lastSyncAt: '2026-11-23T08:59:00.000Z',
  enabled: { toTeams: true, fromTeams: true },
  problem: null,
};

/** Records what the API asked of the sync service and answers plausibly. */
export class RecordingSync implements SyncFacade {
  readonly calls: string[] = [];
  statusAnswer: SyncStatus = OK_STATUS;
  async status(tenantId: string, userId: string) {
    this.calls.push(`status ${tenantId} ${userId}`);
    return this.statusAnswer;
  }
  async resyncUser(tenantId: string, userId: string) {
    this.calls.push(`resync ${tenantId} ${userId}`);
  }
  async resetPhoneStatus(tenantId: string, userId: string) {
    this.calls.push(`reset ${tenantId} ${userId}`);
    return {
      ...this.statusAnswer,
      reset: { teamsSessionCleared: false, phoneDndCleared: null, phoneDndKept: null, callsForgotten: 0 },
    };
  }
  async userDiagnostics() {
    return undefined;
  }
  async resyncAll(
    tenantId: string,
    progress: (d: number, t: number) => void,
    options?: { readEveryPbx?: boolean },
  ) {
    progress(1, 2);
    progress(2, 2);
    this.calls.push(`resyncAll ${tenantId}${options?.readEveryPbx ? ' readEveryPbx' : ''}`);
    return said('resync.summaryEveryPhone', { done: 2, total: 2 });
  }
  async configurationCheck(
    _tenantId: string,
    progress: (s: import('../../shared/api/contract').CheckStep[]) => void,
  ) {
    const steps = [
      { id: 'token', title: 'App token', state: 'passed' as const },
      {
        id: 'cloudlink',
        title: 'CloudLink reachable',
        state: 'failed' as const,
        detail: 'timeout',
        fix: 'Check the CloudLink account id.',
      },
    ];
    progress(steps);
    return steps;
  }
  async health() {
    return {
      latency: [],
      queueDepth: 0,
      errorsLastHour: 0,
      subscriptions: {},
      throttledWaitsLastHour: 0,
      secretExpiresAt: null,
    };
  }
  /** Groups the directory would find by name (a test sets them). */
  groups: { id: string; displayName: string; description: string | null }[] = [];
  async searchGroups(tenantId: string, text: string) {
    this.calls.push(`searchGroups ${tenantId} ${text}`);
    const words = text.toLowerCase().split(/\s+/);
    return {
      items: this.groups.filter((g) =>
        words.every((w) =>
          g.displayName
            .toLowerCase()
            .split(/\s+/)
            .some((n) => n.startsWith(w)),
        ),
      ),
    };
  }
  async findGroup(tenantId: string, groupId: string) {
    this.calls.push(`findGroup ${tenantId} ${groupId}`);
    return this.groups.find((g) => g.id === groupId);
  }
  async applyMapping(tenantId: string) {
    this.calls.push(`applyMapping ${tenantId}`);
  }
  async applySelection(tenantId: string) {
    this.calls.push(`applySelection ${tenantId}`);
  }
  async linkChanged(tenantId: string) {
    this.calls.push(`linkChanged ${tenantId}`);
  }
  monitors = {
    add: async () => {
      throw new Error('not used in these tests');
    },
    authorize: async () => {
      throw new Error('not used in these tests');
    },
    renew: async () => {
      throw new Error('not used in these tests');
    },
    setPassword: async () => {
      throw new Error('not used in these tests');
    },
    remove: async () => undefined,
  };
}

/** CloudLink call records of one principal, newest first, served in pages as the adapter would. */
export class FakeCallHistory implements Pick<CloudLinkPort, 'listCallRecords'> {
  constructor(readonly records: CallRecord[]) {}
  async listCallRecords(q: { principalId: string; top?: number; skip?: number }) {
    const skip = q.skip ?? 0;
    const top = q.top ?? 100;
    const page = this.records.slice(skip, skip + top);
    return { records: page, hasMore: skip + top < this.records.length };
  }
}

export interface Harness {
  fx: EntraFixture;
  store: Store;
  sync: RecordingSync;
  connector: Connector;
  bot: TeamsBot;
  baseUrl: string;
  validator: EntraJwtValidator;
  jobs: JobRegistry;
  reports: ReportService;
  /** An SSO token as Teams would hand the tab. */
  sso(
    tenantId: string,
    userId: string,
    extra?: { audience?: string; expiresInSeconds?: number },
  ): Promise<string>;
  close(): Promise<void>;
}

/** What the harness's Prometheus scraper sends to GET /metrics. */
export const METRICS_TOKEN = 'harness-metrics-token-0123456789';

export interface HarnessOptions {
  botAuth?: (fx: EntraFixture) => BotAuth;
  cloudlink?: Pick<CloudLinkPort, 'listCallRecords'>;
  limits?: { maxBodyBytes?: number; burst?: number; perSecond?: number };
  /** The webhook routes' handlers (absent: no webhook routes, as in a process without sync). */
  webhooks?: WebhookReceiver;
  /** Instead of a silent logger, e.g. one that records what was logged. */
  logger?: Logger;
}

/** Bob as the sync matched him: a phone user (p-bob, extension 201), synced. Tests that need a matched user add him. */
export function bobOnThePhone(h: Harness): UserRecord {
  return {
    tenantId: h.fx.contoso,
    entraUserId: h.fx.users.bob,
    upn: 'bob@contoso.example',
    displayName: 'Bob Agent',
    pbxPrincipalId: 'p-bob',
    extension: '201',
    sendToTeams: null,
    getFromTeams: null,
    selected: true,
    updatedAt: 0,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fx = await startEntraFixture();
  const now = () => fx.clock.now();
  const logger = options.logger ?? silentLogger();
  const store = await openStore('sqlite::memory:');
  const connector = await startConnector();
  const validator = createEntraJwtValidator({
    authorityHost: fx.entra.baseUrl,
    allowedTenantIds: [fx.contoso, fx.fabrikam],
    audiences: [
      fx.switchboard.clientId,
      fx.switchboard.identifierUri,
      fx.fabrikamApp.clientId,
      fx.fabrikamApp.identifierUri,
    ],
    now,
  });
  const signIns = new SignIns(store, now);
  const bot = createTeamsBot({
    auth: options.botAuth?.(fx) ?? { kind: 'playground' },
    store,
    logger,
    now,
    sso: { validator, appIdUri: fx.switchboard.identifierUri, signInUrl: 'http://127.0.0.1/tab/index.html' },
    signIns,
  });
  const sync = new RecordingSync();
  const jobs = new JobRegistry(logger, now);
  const reports = new ReportService({
    store,
    sync,
    jobs,
    notifier: bot.notifier,
    logger,
    appVersion: '9.9.9-test',
    now,
  });
  const server = createServer({
    logger,
    store,
    now,
    authenticator: new Authenticator({ validator }),
    sync,
    cloudlinkFor: () => options.cloudlink as CloudLinkPort | undefined,
    reports,
    jobs,
    secretBox: new SecretBox(Buffer.alloc(32, 7)),
    bot: bot.endpoint({ sync, reports }),
    metrics: new Registry(),
    metricsToken: METRICS_TOKEN,
    tabDir: 'tests/integration/bot-tab-fixture',
    appVersion: '9.9.9-test',
    defaults: {
      mapping: DEFAULT_MAPPING,
      selection: {
        mode: 'allWithBlockList',
        blockList: [],
        groupId: null,
        allowList: [],
        sendToTeams: true,
        getFromTeams: true,
      },
    },
    limits: options.limits,
    webhooks: options.webhooks,
  });
  const baseUrl = await listen(server, 0, '127.0.0.1');
  return {
    fx,
    store,
    sync,
    connector,
    bot,
    baseUrl,
    validator,
    jobs,
    reports,
    sso: (tenantId, userId, extra = {}) =>
      fx.entra.mintTeamsSsoToken({
        tenantId,
        userId,
        clientId: tenantId === fx.fabrikam ? fx.fabrikamApp.clientId : fx.switchboard.clientId,
        ...extra,
      }),
    async close() {
      server.close();
      await Promise.all([connector.close(), fx.entra.close()]);
      await store.close();
    },
  };
}

/** fetch with a bearer token and JSON. */
export async function call(
  h: Harness,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  // Answers are arbitrary JSON the tests pick apart field by field; typing each shape would only restate the asserts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (tab files, metrics)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
