import type { CodedText, CredentialProblem } from '../../shared/api/contract';
import { english, said } from '../../shared/api/texts/english';
import { CloudLinkClient } from '../../shared/adapters/cloudlink';
import {
  TokenClient,
  GRAPH_DEFAULT_SCOPE,
  type TokenOutcome,
} from '../../shared/adapters/entra/token-client';
import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import type { CloudLinkOutcome, GraphOutcome } from '../../shared/ports/outcomes';
import type { Config } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { CloudLinkError } from '../../shared/ports/cloudlink';
import type { Store } from '../../shared/ports/store';
import {
  createSyncService,
  TenantBudget,
  type SyncDeps,
  type SyncMetricsSink,
  type SyncService,
} from '../../shared/sync';
import { signInFix } from '../../shared/sync/errors';
import type { SpreadGate } from '../../shared/sync/cluster-spread';
import { GRAPH_NOTIFICATION_PATH } from './config-check';
import type { TenantSync } from './sync-facade';
import type { TenantDocuments } from './tenant-documents';
import { logFailedCall, logRetriedAttempt } from './outbound-log';
import { refusedSecret } from './secret-text';
import { openLink, type LiveLink } from './tenant-link';

/** Delegated scope monitor accounts sign in with: presence subscriptions need a user token with Presence.Read.All. */
export const MONITOR_SCOPE = 'https://graph.microsoft.com/Presence.Read.All';

export interface TenantRuntimeOptions {
  tenantId: string;
  config: Config;
  authorityHost: string;
  graphBaseUrl: string;
  cloudlinkApiBase: string;
  cloudlinkAppId: string;
  store: Store;
  secretBox: SecretBox;
  documents: TenantDocuments;
  logger: Logger;
  now: () => number;
  /** The process's sync metrics: the tenant's series live there while its runtime is open. */
  metricsSink: SyncMetricsSink;
  /**
   * Where CloudLink posts this tenant's events; default `{PUBLIC_BASE_URL}/api/notifications/cloudlink`. Hosted mode
   * names the tenant in it, so a post reaches the one tenant whose key it must carry.
   */
  cloudlinkWebhookUrl?: string;
  /** Hosted mode on PostgreSQL: spreads the tenants' sync leases over the processes (shared/sync/cluster-spread.ts). */
  spread?: SpreadGate;
  /** Runs once a sync service is built, before it starts (the demo registers its monitor accounts here). */
  beforeSyncStart?: () => Promise<void>;
  /** The turn a scheduled resync waits for among the tenants of the process (SyncDeps.resyncTurn). */
  resyncTurn?: SyncDeps['resyncTurn'];
}

/** The sync part of a tenant: exists while CloudLink is linked, rebuilt when the CloudLink account changes. */
interface RunningSync {
  cloudlinkKey: string;
  cloudlink: CloudLinkClient;
  service: SyncService;
  tenantSync: TenantSync;
}

/**
 * One tenant's connections to Entra ID, Graph and CloudLink, built from the tenant link as it is stored now. The
 * adapters read the link before every token request, so a secret or client id the admin saves is used by the next
 * request; linking CloudLink (or another CloudLink account) starts or rebuilds the sync service without a restart.
 * Refused credentials are remembered here, so health and the configuration check can say which secret failed.
 */
export class TenantRuntime {
  readonly tokens: TokenClient;
  readonly graph: GraphAdapter;
  /** Graph's budget for this tenant, CloudLink's for its account, and its metrics: built first, shared by all. */
  readonly budget: TenantBudget;
  private link: LiveLink;
  private running: RunningSync | undefined;
  private readonly problems = new Map<CredentialProblem['service'], CredentialProblem>();
  private reloading: Promise<void> = Promise.resolve();
  private closed = false;
  private started = false;

  private constructor(
    private readonly options: TenantRuntimeOptions,
    link: LiveLink,
  ) {
    this.link = link;
    const { logger, tenantId } = options;
    this.budget = new TenantBudget({
      tenantId,
      pbxReadsPerSecond: options.config.sync.pbxReadsPerSecond,
      sink: options.metricsSink,
    });
    this.tokens = new TokenClient({
      authorityHost: options.authorityHost,
      tenantId,
      credentials: () => ({
        clientId: this.link.clientId,
        clientSecret: this.link.clientSecret ?? undefined,
      }),
      onOutcome: (outcome) => this.onTokenOutcome(outcome),
    });
    this.graph = new GraphAdapter({
      baseUrl: options.graphBaseUrl,
      clientId: () => this.link.clientId,
      getAppToken: () => this.tokens.getAppToken(GRAPH_DEFAULT_SCOPE),
      getMonitorToken: (m) => this.tokens.getUserTokenByPassword(m.username, m.password, MONITOR_SCOPE),
      beforeRequest: (kind) => this.budget.graph.beforeRequest(kind),
      onOutcome: (outcome) => this.onGraphOutcome(outcome),
      onFailure: (op, error) => logFailedCall(logger, 'graph', tenantId, op, error),
      forgetToken: (token) => this.tokens.forget(token),
    });
    logger.debug({ tenantId }, 'tenant runtime built');
  }

  /** Reads the stored link; nothing runs until start(). */
  static async open(options: TenantRuntimeOptions): Promise<TenantRuntime> {
    const record = await options.store.getTenant(options.tenantId);
    if (!record) throw new Error(`tenant ${options.tenantId} has no stored link`);
    return new TenantRuntime(options, openLink(options.secretBox, record));
  }

  /**
   * Starts the sync service if CloudLink is linked. Call it once the server answers: subscribing makes Graph and
   * CloudLink call the server's webhook URLs.
   */
  start(): Promise<void> {
    this.started = true;
    return this.reload();
  }

  get tenantSync(): TenantSync | undefined {
    return this.running?.tenantSync;
  }

  get cloudlink(): CloudLinkClient | undefined {
    return this.running?.cloudlink;
  }

  get service(): SyncService | undefined {
    return this.running?.service;
  }

  get clientId(): string {
    return this.link.clientId;
  }

  /** Refused credentials that someone must replace, newest first; empty when every secret in use works. */
  credentialProblems(): CredentialProblem[] {
    return [...this.problems.values()].sort((a, b) => b.since.localeCompare(a.since));
  }

  /**
   * Re-reads the link after the admin saved it (or another process did): secrets take effect at the next request;
   * a new CloudLink account starts the sync service, or rebuilds it. Calls are serialized.
   */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const record = await this.options.store.getTenant(this.options.tenantId);
      if (!record || this.closed || !this.started) return;
      const before = this.link;
      this.link = openLink(this.options.secretBox, record);
      if (before.clientSecret !== this.link.clientSecret || before.clientId !== this.link.clientId)
        this.problems.delete('entra');
      if (before.cloudlink?.clientSecret !== this.link.cloudlink?.clientSecret)
        this.problems.delete('cloudlink');
      await this.applyLink();
    });
    return this.reloading;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reloading.catch(() => undefined);
    await this.stopSync();
    // Not served here any more (shutdown, offboarded): its series leave /metrics, so the label stays bounded.
    this.budget.release();
  }

  private async applyLink(): Promise<void> {
    const key = cloudlinkKey(this.link);
    if (this.running?.cloudlinkKey === key) return;
    await this.stopSync();
    if (!key) {
      this.options.logger.warn(
        { tenantId: this.options.tenantId, event: 'sync.off' },
        'CloudLink is not linked (admin page, tenant link; or CLOUDLINK_* on first start): presence sync and call history stay off',
      );
      return;
    }
    await this.startSync(key);
  }

  private async startSync(key: string): Promise<void> {
    const { config, tenantId, store, secretBox, logger, documents } = this.options;
    const linked = this.link.cloudlink!;
    const account = this.budget.useCloudLinkAccount(linked.accountId);
    const cloudlink = new CloudLinkClient({
      apiBase: this.options.cloudlinkApiBase,
      accountId: linked.accountId,
      clientId: linked.clientId,
      clientSecret: () => this.link.cloudlink?.clientSecret ?? '',
      appId: this.options.cloudlinkAppId,
      onOutcome: (outcome) => this.onCloudLinkOutcome(account.outcome.bind(account), outcome),
      onFailure: (op, error) => this.onCloudLinkFailure(op, error),
    });
    const webhookUrl =
      this.options.cloudlinkWebhookUrl ?? `${config.publicBaseUrl}/api/notifications/cloudlink`;
    const service = createSyncService(
      {
        tenantId,
        clientId: this.link.clientId,
        mode: config.sync.mode,
        notificationUrl: `${config.publicBaseUrl}${GRAPH_NOTIFICATION_PATH}`,
        lifecycleNotificationUrl: `${config.publicBaseUrl}${GRAPH_NOTIFICATION_PATH}/lifecycle`,
        // Without it the service never subscribes to PBX presence, and phone calls reach Teams only at the hourly resync.
        cloudLinkWebhookUrl: webhookUrl,
        pollIntervalMs: config.sync.pollIntervalMs,
        resyncIntervalMs: config.sync.resyncIntervalMs,
        ownership: { ...config.sync.lease, spread: this.options.spread },
      },
      {
        budget: this.budget,
        graph: this.graph,
        subscriptions: this.graph.subscriptions,
        cloudlink,
        store,
        monitorCredentials: (username, sealed) => ({ username, password: secretBox.open(sealed) }),
        mapping: () => documents.mapping,
        selection: () => documents.selection,
        onStoreError: (err, what) =>
          logger.error({ err, tenantId, event: 'sync.store_write_failed', what }, 'saving sync state failed'),
        // The CloudLink webhook key is kept sealed in the store, so a restart reuses our subscriptions.
        secrets: secretBox,
        // Says loudly when another process owns this tenant's sync (this one then stands by).
        log: logger,
        resyncTurn: this.options.resyncTurn,
      },
    );
    const tenantSync: TenantSync = {
      service,
      graph: this.graph,
      cloudlink,
      check: {
        tenantId,
        store,
        graph: this.graph,
        cloudlink,
        // The check asks Entra itself, even while a refusal is held: the admin may have just fixed it in Entra.
        getAppToken: () => this.tokens.getAppToken(GRAPH_DEFAULT_SCOPE, { askAgain: true }),
        publicBaseUrl: config.publicBaseUrl,
        callHistoryLink: config.teamsAppId ? 'teams' : config.mode === 'demo' ? 'demoHost' : 'webAddress',
        // The demo and loopback development run on http against local stand-ins; Graph itself needs https.
        allowHttpPublicUrl: config.mode === 'demo' || config.allowHttpPublicBaseUrl,
        syncMode: config.sync.mode,
        now: this.options.now,
        savedAt: () => ({
          entra: this.link.clientSecretSavedAt,
          cloudlink: this.link.cloudlink?.clientSecretSavedAt ?? null,
        }),
      },
    };
    this.running = {
      cloudlinkKey: key,
      cloudlink,
      service,
      tenantSync,
    };
    await this.options.beforeSyncStart?.();
    logger.info(
      { tenantId, event: 'sync.starting', cloudlinkAccount: linked.accountId },
      'presence sync starting',
    );
    // start() resumes from the store; refreshUsers() then matches PBX and Entra users as they are today.
    await service
      .start()
      // A standby (another process owns this tenant's sync) leaves the users to the owner.
      .then(() => (service.health().syncOwnership?.state === 'standby' ? undefined : service.refreshUsers()))
      .catch((e: unknown) =>
        logger.error(
          { err: e, tenantId, event: 'sync.startFailed' },
          'presence sync could not start; run the configuration check',
        ),
      );
    // The sync service owns the calls (media) subscription too: a second one here would post every call twice.
  }

  private async stopSync(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await running.service.stop();
    this.options.logger.info(
      { tenantId: this.options.tenantId, event: 'sync.stopped' },
      'presence sync stopped (CloudLink link changed or shutting down)',
    );
  }

  private onTokenOutcome(outcome: TokenOutcome): void {
    const { logger, tenantId } = this.options;
    const error = outcome.error;
    if (!error) {
      if (outcome.grant === 'client_credentials') this.problems.delete('entra');
      return;
    }
    const fields = {
      tenantId,
      service: 'entra',
      operation: `token.${outcome.grant}`,
      status: error.status,
      code: error.code,
      correlationId: error.correlationId,
      clientId: outcome.clientId,
      durationMs: outcome.durationMs,
      event: error.refusal ? 'credentials.refused' : 'outbound.gaveUp',
    };
    if (error.refusal === 'appCredentials') {
      const savedAt = this.link.clientSecretSavedAt;
      this.problems.set('entra', {
        service: 'entra',
        code: error.code ?? String(error.status),
        secretSavedAt: savedAt === null ? null : new Date(savedAt).toISOString(),
        since: new Date(this.options.now()).toISOString(),
        ...credentialTexts(refusedSecret('Entra', savedAt, error.code), signInFix('appCredentials')),
      });
      logger.error(fields, "Entra ID refused the app's secret");
    } else if (error.refusal) logger.warn(fields, 'Entra ID refused a token request');
    else logger.warn(fields, 'token request failed');
  }

  private onGraphOutcome(outcome: GraphOutcome): void {
    this.budget.graph.outcome(outcome);
    logRetriedAttempt(this.options.logger, 'graph', this.options.tenantId, outcome);
  }

  private onCloudLinkOutcome(count: (outcome: CloudLinkOutcome) => void, outcome: CloudLinkOutcome): void {
    count(outcome);
    logRetriedAttempt(this.options.logger, 'cloudlink', this.options.tenantId, outcome);
    if (outcome.op === 'token' && outcome.status === 200) this.problems.delete('cloudlink');
  }

  private onCloudLinkFailure(op: string, error: CloudLinkError): void {
    const { logger, tenantId, now } = this.options;
    logFailedCall(logger, 'cloudlink', tenantId, op, error);
    if (op !== 'token' || (error.status !== 400 && error.status !== 401)) return;
    const savedAt = this.link.cloudlink?.clientSecretSavedAt ?? null;
    this.problems.set('cloudlink', {
      service: 'cloudlink',
      code: `${error.status} ${error.code}`,
      secretSavedAt: savedAt === null ? null : new Date(savedAt).toISOString(),
      since: new Date(now()).toISOString(),
      ...credentialTexts(
        refusedSecret('CloudLink', savedAt, `HTTP ${error.status}`),
        said('check.fix.cloudlinkSecret'),
      ),
    });
  }
}

/** What identifies the CloudLink link: a change of account or client needs a new sync service, a new secret does not. */
function cloudlinkKey(link: LiveLink): string | undefined {
  const cl = link.cloudlink;
  return cl && cl.clientSecret ? `${cl.accountId}\n${cl.clientId}` : undefined;
}

/** A refused secret's message and fix, coded for the tab and in English for everyone else. */
function credentialTexts(
  message: CodedText,
  fix: CodedText,
): Pick<CredentialProblem, 'message' | 'fix' | 'messageText' | 'fixText'> {
  return { message: english(message), fix: english(fix), messageText: message, fixText: fix };
}
