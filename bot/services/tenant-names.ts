import type { Logger } from '../../shared/platform/logger';
import { GraphError } from '../../shared/ports/graph';
import type { TenantRegistry } from '../../shared/ports/tenant-registry';

/** First wait before reading a name again after a failure; it doubles up to MAX_RETRY_MS. */
export const NAME_RETRY_MS = 60_000;
const MAX_RETRY_MS = 60 * 60_000;

/** The one Graph read naming needs, done with the tenant's own app token (its GraphAdapter). */
export interface OrganizationReader {
  organization(): Promise<{ id: string; displayName: string } | undefined>;
}

export interface TenantNamesOptions {
  registry: TenantRegistry;
  logger: Logger;
  /** Tests shorten it. */
  retryMs?: number;
}

/**
 * Hosted mode's tenant display names (issue 16): admin consent tells us a tenant id only, so when a tenant opens
 * (onboarding opens it too) its organisation's name is read from Graph (GET /organization, with the tenant's app
 * token: Organization.Read.All) and recorded in the registry, where the operator view and the CLI show it. A failed
 * read (permission not consented yet, Graph down) keeps the name as it is, the tenant id at first, and is tried again
 * later, less often each time, until it works or the tenant closes.
 */
export class TenantNames {
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; waitMs: number }>();
  /** Tenants still open: a read that fails after its tenant closed is not tried again. */
  private readonly wanted = new Set<string>();

  constructor(private readonly options: TenantNamesOptions) {}

  /** Reads and records the tenant's name now; on failure schedules another try. Never rejects. */
  async name(tenantId: string, graph: OrganizationReader): Promise<void> {
    const previous = this.retries.get(tenantId);
    if (previous) clearTimeout(previous.timer);
    this.retries.delete(tenantId);
    this.wanted.add(tenantId);
    const { registry, logger } = this.options;
    try {
      const org = await graph.organization();
      // Graph answers with the token's own tenant; anything else is no name of this tenant's.
      if (!org || org.id.toLowerCase() !== tenantId)
        throw new Error('Graph named no organisation of this tenant');
      const before = await registry.get(tenantId);
      if (before?.displayName === org.displayName) return;
      if (!(await registry.rename(tenantId, org.displayName))) return;
      logger.info(
        { event: 'tenant.named', tenantId, displayName: org.displayName, previous: before?.displayName },
        "recorded the tenant's organisation name",
      );
    } catch (e) {
      if (!this.wanted.has(tenantId)) return;
      const waitMs = Math.min(
        (previous?.waitMs ?? 0) * 2 || (this.options.retryMs ?? NAME_RETRY_MS),
        MAX_RETRY_MS,
      );
      logger.warn(
        {
          event: 'tenant.nameReadFailed',
          tenantId,
          ...(e instanceof GraphError
            ? { status: e.status, code: e.code, requestId: e.requestId }
            : { error: e instanceof Error ? e.name : 'unknown' }),
          retryInMs: waitMs,
        },
        "could not read the tenant's organisation name (Organization.Read.All consented?); it keeps its current name",
      );
      const timer = setTimeout(() => {
        if (this.retries.get(tenantId)?.timer !== timer) return;
        void this.name(tenantId, graph).then(() => undefined);
      }, waitMs);
      timer.unref();
      this.retries.set(tenantId, { timer, waitMs });
    }
  }

  /** Stops trying for a tenant that closed. */
  forget(tenantId: string): void {
    this.wanted.delete(tenantId);
    const retry = this.retries.get(tenantId);
    if (retry) clearTimeout(retry.timer);
    this.retries.delete(tenantId);
  }

  close(): void {
    for (const id of [...this.wanted, ...this.retries.keys()]) this.forget(id);
  }
}
