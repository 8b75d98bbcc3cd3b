import type { MappingTable, UserSelection } from '../../shared/api/contract';
import type { Config } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { Store } from '../../shared/ports/store';
import { TenantDocuments } from './tenant-documents';
import { seedTenantLink } from './tenant-link';
import { TenantRuntime } from './tenant-runtime';

/**
 * How often each hosted process re-reads the registry: a tenant onboarded or offboarded on another process (or by the
 * operator CLI, which waits this long before it deletes anything) is opened or closed here within this time.
 */
export const TENANT_REFRESH_MS = 5_000;

/** One served tenant in a hosted process: its connections and sync, and the admin documents the sync reads. */
export interface OpenTenant {
  tenantId: string;
  runtime: TenantRuntime;
  documents: TenantDocuments;
  /** Stops re-reading the documents (every few seconds, for edits made on another process). */
  stopWatching: () => void;
}

export interface TenantRuntimesOptions {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  logger: Logger;
  now: () => number;
  /** The partner's multi-tenant app registration, which every customer consented to. */
  app: { clientId: string; clientSecret: string; clientSecretExpiresAt: number | null };
  defaults: { mapping: MappingTable; selection: UserSelection };
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

  constructor(private readonly options: TenantRuntimesOptions) {}

  get(tenantId: string): OpenTenant | undefined {
    return this.opened.get(tenantId.toLowerCase());
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
      const { config, store, secretBox, logger, now, app, defaults } = this.options;
      await seedTenantLink(
        store,
        secretBox,
        {
          tenantId: id,
          displayName: (await store.tenantRegistry().get(id))?.displayName ?? id,
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
      });
      await runtime.start();
      const tenant = { tenantId: id, runtime, documents, stopWatching: documents.watch() };
      this.opened.set(id, tenant);
      logger.info({ tenantId: id, event: 'tenant.opened' }, 'serving tenant');
      this.options.opened?.(tenant);
      return tenant;
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
   */
  async refresh(): Promise<void> {
    const registered = await this.options.store.tenantRegistry().list();
    const active = new Set(registered.filter((t) => t.state === 'active').map((t) => t.tenantId));
    await Promise.all([
      ...[...active]
        .filter((id) => !this.opened.has(id))
        .map((id) =>
          this.open(id).catch((e: unknown) =>
            this.options.logger.error(
              { err: e, tenantId: id, event: 'tenant.openFailed' },
              'could not start serving a tenant; tried again at the next registry refresh',
            ),
          ),
        ),
      ...this.ids()
        .filter((id) => !active.has(id))
        .map((id) => this.close(id)),
    ]);
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

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.ids().map((id) => this.close(id)));
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
