import type { MappingTable, UserSelection } from '../../shared/api/contract';
import { readRegistryLately } from '../../shared/domain/registry-freshness';
import type { Config } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { Store } from '../../shared/ports/store';
import { concurrencyLimit } from '../../shared/sync/resync';
import type { SyncMetricsSink } from '../../shared/sync';
import type { SpreadGate } from '../../shared/sync/cluster-spread';
import { TenantDocuments } from './tenant-documents';
import { seedTenantLink } from './tenant-link';
import { TenantRuntime } from './tenant-runtime';

/**
 * How often each hosted process re-reads the registry: a tenant onboarded or offboarded on another process (or by the
 * operator CLI, which waits this long before it deletes anything) is opened or closed here within this time.
 */
export const TENANT_REFRESH_MS = 5_000;

/** An open found the tenant no longer active in the registry (offboarded while it was being opened). */
export class TenantNotActiveError extends Error {
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} is not active in the registry`);
    this.name = 'TenantNotActiveError';
  }
}

/**
 * Scheduled resyncs that run at once in a hosted process. Two rather than one, so that a tenant whose services answer
 * slowly does not hold up every other tenant's resync.
 */
const RESYNCS_AT_ONCE = 2;
/** The longest one tenant's scheduled resync holds its turn; it goes on after that without one. */
const RESYNC_TURN_MAX_MS = 120_000;

const turnOver = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** One served tenant in a hosted process: its connections and sync, and the admin documents the sync reads. */
export interface OpenTenant {
  tenantId: string;
  runtime: TenantRuntime;
  documents: TenantDocuments;
  /** When its opening began: a registry read older than that may not know the tenant yet. */
  openedAt: number;
  /** Stops re-reading the documents (every few seconds, for edits made on another process). */
  stopWatching: () => void;
}

export interface TenantRuntimesOptions {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  logger: Logger;
  now: () => number;
  /** The process's sync metrics: each open tenant's series carry its id as the `tenant` label. */
  metricsSink: SyncMetricsSink;
  /** The partner's multi-tenant app registration, which every customer consented to. */
  app: { clientId: string; clientSecret: string; clientSecretExpiresAt: number | null };
  defaults: { mapping: MappingTable; selection: UserSelection };
  /** Names this process in the registry's readers (host, pid and a random part: unique across restarts). */
  processId: string;
  /** Default REGISTRY_STALE_MS; tests shorten it. */
  registryStaleMs?: number;
  /** Spreads the tenants' sync over the processes sharing a PostgreSQL store (bot/services/cluster-spread.ts). */
  spread?: SpreadGate;
  /** Told after a tenant opened and after it closed (hosted-app reads the tenant's name); must not throw. */
  opened?: (tenant: OpenTenant) => void;
  closed?: (tenantId: string) => void;
}

/**
 * Hosted mode's tenants in one process (issue 16): tenant id → its TenantRuntime and TenantDocuments, opened for each
 * active registry tenant at start and when one onboards, closed when one is offboarded. Opening seeds the tenant's
 * link with the partner's app where the store has none (the customer's admin adds the CloudLink account later), so a
 * tenant runs with no CloudLink link until then, like a fresh single-tenant install. Opens and closes of one tenant
 * are serialized; different tenants proceed side by side.
 */
export class TenantRuntimes {
  private readonly opened = new Map<string, OpenTenant>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private closed = false;
  /**
   * Every tenant's sync starts with the process, so their resyncs fall due together: they take turns. A turn lasts
   * at most RESYNC_TURN_MAX_MS, so two tenants whose services answer slowly cannot hold up everyone's resync.
   */
  private readonly resyncSlots = concurrencyLimit(RESYNCS_AT_ONCE);
  private readonly resyncTurn = (resync: () => Promise<void>) =>
    this.resyncSlots(() => Promise.race([resync(), turnOver(RESYNC_TURN_MAX_MS)]));

  /** When the last registry read that worked began; null before the first. */
  private lastReadAt: number | null = null;
  /**
   * Tenants this process serves or is about to, beyond the open ones: a registry read found them active (`intended`),
   * or their opening began (`opening`). They count as served when the process says what it serves, so an offboarding
   * marked meanwhile waits for them. `closing`: no longer served, though their sync may still be stopping.
   */
  private readonly intended = new Set<string>();
  private readonly opening = new Set<string>();
  private readonly closing = new Set<string>();
  private staleSaid = false;
  /** The registry read in progress: one at a time, so an old read never overtakes a newer one. */
  private reading: Promise<{ opens: Promise<void> }> | undefined;
  /** Writes of what this process serves, one after the other, each listing what is served when it is sent. */
  private saying: Promise<void> = Promise.resolve();

  constructor(private readonly options: TenantRuntimesOptions) {}

  get(tenantId: string): OpenTenant | undefined {
    return this.opened.get(tenantId.toLowerCase());
  }

  /**
   * Whether the registry was read lately enough to trust what this process serves. When it was not, the process
   * serves no tenant (the operator's offboarding counts on that: a tenant offboarded meanwhile would go on being
   * served here), and says so once.
   */
  registryFresh(): boolean {
    const fresh =
      this.lastReadAt !== null &&
      readRegistryLately(this.lastReadAt, this.options.now(), { staleMs: this.options.registryStaleMs });
    if (!fresh && this.lastReadAt !== null && !this.staleSaid) {
      this.staleSaid = true;
      this.options.logger.error(
        { event: 'tenant.registryStale', lastReadAt: new Date(this.lastReadAt).toISOString() },
        'the tenant registry has not been read lately: serving no tenant until it can be read again',
      );
    }
    return fresh;
  }

  /** A tenant is served while it is open here, not being closed, and the registry was read lately. */
  serves(tenantId: string): boolean {
    const id = tenantId.toLowerCase();
    return this.opened.has(id) && !this.closing.has(id) && this.registryFresh();
  }

  ids(): string[] {
    return [...this.opened.keys()].sort();
  }

  /** Opens the tenant if it is not open yet and starts its sync (once the server answers webhooks). */
  open(tenantId: string): Promise<OpenTenant> {
    const id = tenantId.toLowerCase();
    return this.serialized(id, async () => {
      const existing = this.opened.get(id);
      if (existing) return existing;
      if (this.closed) throw new Error('tenant runtimes are closed');
      const { config, store, secretBox, logger, now, app, defaults, metricsSink } = this.options;
      const openedAt = now();
      // Said before it is served: an offboarding marked meanwhile must wait for this process to let go of it. Then
      // the registry is asked again, so either the offboarding sees this word or this open sees its mark.
      this.opening.add(id);
      try {
        await this.sayServing(this.lastReadAt ?? openedAt);
        const registered = await store.tenantRegistry().get(id);
        if (registered?.state !== 'active') throw new TenantNotActiveError(id);
        await seedTenantLink(
          store,
          secretBox,
          {
            tenantId: id,
            displayName: registered.displayName,
            clientId: app.clientId,
            clientSecret: app.clientSecret,
            clientSecretExpiresAt: app.clientSecretExpiresAt,
            policy: 'seed',
          },
          now(),
          logger,
        );
        const documents = new TenantDocuments(store, id, defaults, logger);
        await documents.refresh();
        const runtime = await TenantRuntime.open({
          tenantId: id,
          config,
          authorityHost: config.authorityHost,
          graphBaseUrl: config.graphBaseUrl,
          cloudlinkApiBase: config.cloudlink.apiBase,
          cloudlinkAppId: config.cloudlink.appId,
          cloudlinkWebhookUrl: `${config.publicBaseUrl}/api/notifications/cloudlink?tenant=${encodeURIComponent(id)}`,
          store,
          secretBox,
          documents,
          logger,
          now,
          resyncTurn: this.resyncTurn,
          metricsSink,
          spread: this.options.spread,
        });
        // A runtime that cannot start is closed again, so its budget and metric series do not outlive it.
        await runtime.start().catch(async (e: unknown) => {
          await runtime.close();
          throw e;
        });
        const tenant = { tenantId: id, runtime, documents, stopWatching: documents.watch(), openedAt };
        this.opened.set(id, tenant);
        logger.info({ tenantId: id, event: 'tenant.opened' }, 'serving tenant');
        this.options.opened?.(tenant);
        return tenant;
      } finally {
        this.opening.delete(id);
      }
    });
  }

  /** Stops the tenant's sync and forgets it; nothing happens for a tenant that is not open. */
  close(tenantId: string): Promise<void> {
    const id = tenantId.toLowerCase();
    return this.serialized(id, async () => {
      const tenant = this.opened.get(id);
      if (!tenant) return;
      this.opened.delete(id);
      tenant.stopWatching();
      this.options.closed?.(id);
      await tenant.runtime.close();
      this.options.logger.info({ tenantId: id, event: 'tenant.closed' }, 'no longer serving tenant');
    });
  }

  /**
   * Brings the open tenants in line with the registry: opens the active ones not open (onboarded on another
   * process), closes the ones no longer active (offboarded). One tenant that fails to open does not stop the others.
   * Resolves once the opens are done too; what this process serves is said, and the read counted, as soon as the
   * closes have begun, so a tenant slow to open (its services unreachable) does not hold up the others.
   */
  async refresh(): Promise<void> {
    const { opens } = await this.readRegistry();
    await opens;
  }

  private readRegistry(): Promise<{ opens: Promise<void> }> {
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(): Promise<{ opens: Promise<void> }> {
    const readAt = this.options.now();
    const registered = await this.options.store.tenantRegistry().list();
    const active = new Set(registered.filter((t) => t.state === 'active').map((t) => t.tenantId));
    const toOpen = [...active].filter((id) => !this.opened.has(id));
    for (const id of toOpen) this.intended.add(id);
    // A tenant opened since this read began was onboarded after it (the sign-up opens it at once): it stays.
    const toClose = [...this.opened.values()].filter((t) => !active.has(t.tenantId) && t.openedAt < readAt);
    for (const t of toClose) this.closing.add(t.tenantId);
    const closes = toClose.map((t) =>
      this.close(t.tenantId)
        .catch((e: unknown) =>
          this.options.logger.error(
            { err: e, tenantId: t.tenantId, event: 'tenant.closeFailed' },
            'stopping an offboarded tenant failed',
          ),
        )
        .finally(() => this.closing.delete(t.tenantId)),
    );
    const opens = toOpen.map((id) =>
      this.open(id)
        .then(
          () => undefined,
          (e: unknown) => {
            if (e instanceof TenantNotActiveError) return; // offboarded while it was being opened: nothing to do
            this.options.logger.error(
              { err: e, tenantId: id, event: 'tenant.openFailed' },
              'could not start serving a tenant; tried again at the next registry refresh',
            );
          },
        )
        .finally(() => this.intended.delete(id)),
    );
    // The closing tenants are no longer served (serves() says no), whatever their sync still has to stop: the
    // operator's offboarding waits for that through the tenant's sync lease.
    await this.sayServing(readAt);
    this.counted(readAt);
    return { opens: Promise.all([...opens, ...closes]).then(() => undefined) };
  }

  /** A registry read that began at `readAt` worked: the process serves again if it had stopped. */
  private counted(readAt: number): void {
    if (this.lastReadAt !== null && readAt <= this.lastReadAt) return;
    if (this.staleSaid)
      this.options.logger.info(
        { event: 'tenant.registryFresh' },
        'the tenant registry is read again: serving tenants',
      );
    this.staleSaid = false;
    this.lastReadAt = readAt;
  }

  /** Runs every tenant's link reload (secrets or a CloudLink account saved on another process). */
  async reloadLinks(): Promise<void> {
    await Promise.all(
      [...this.opened.values()].map((t) =>
        t.runtime
          .reload()
          .catch((e: unknown) =>
            this.options.logger.warn({ err: e, tenantId: t.tenantId }, 'reading the tenant link failed'),
          ),
      ),
    );
  }

  /**
   * Tells the registry which tenants this process serves or is about to, as of a registry read begun at `readAt`.
   * The writes go one after the other and each lists what is served when it is sent, so a slower write never
   * replaces a newer word with an older one.
   */
  private sayServing(readAt: number): Promise<void> {
    const write = this.saying
      .catch(() => undefined)
      .then(() => {
        const serving = [...new Set([...this.opened.keys(), ...this.opening, ...this.intended])]
          .filter((id) => !this.closing.has(id))
          .sort();
        const at = Math.max(readAt, this.lastReadAt ?? readAt);
        return this.options.store
          .tenantRegistry()
          .recordReader({ processId: this.options.processId, serving, readAt: at });
      });
    this.saying = write;
    return write;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.ids().map((id) => this.close(id)));
    await this.options.store
      .tenantRegistry()
      .forgetReader(this.options.processId)
      .catch((e: unknown) =>
        this.options.logger.warn({ err: e }, 'could not say in the registry that this process stopped'),
      );
  }

  private serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.pending.get(id) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.pending.set(id, settled);
    void settled.then(() => {
      if (this.pending.get(id) === settled) this.pending.delete(id);
    });
    return next;
  }
}
