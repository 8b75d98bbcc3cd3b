import type { z } from 'zod';
import type { Logger } from '../../shared/platform/logger';
import type { Store, TenantRecord } from '../../shared/ports/store';

/**
 * The admin's documents in the tenant record's `settings` (mapping, selection, click-to-call, dialling rules, user
 * overrides): read through the schema they are saved with, and saved with a `config.changed` line naming who changed
 * which document, so an operator can tell from the log when a setting changed (the values are not logged: the log
 * says that it changed, the admin page says to what).
 */
export async function readTenantDocument<T>(
  store: Store,
  tenantId: string,
  name: string,
  schema: z.ZodType<T>,
  fallback: T,
): Promise<T> {
  const parsed = schema.safeParse((await store.getTenant(tenantId))?.settings[name]);
  return parsed.success ? parsed.data : fallback;
}

export async function saveTenantDocument(
  deps: { store: Store; logger: Logger; now: () => number },
  change: { tenantId: string; name: string; value: unknown; by: string },
): Promise<void> {
  const now = deps.now();
  const tenant = (await deps.store.getTenant(change.tenantId)) ?? emptyTenant(change.tenantId, now);
  await deps.store.putTenant({
    ...tenant,
    settings: { ...tenant.settings, [change.name]: change.value },
    updatedAt: now,
  });
  deps.logger.info(
    { tenantId: change.tenantId, event: 'config.changed', by: change.by, keys: [change.name] },
    `the admin saved the ${change.name} settings`,
  );
}

/** A tenant the store has no record of yet: an admin saved a setting before anything was linked. */
export function emptyTenant(tenantId: string, now: number): TenantRecord {
  return {
    tenantId,
    displayName: '',
    clientId: '',
    clientSecretSealed: null,
    clientSecretExpiresAt: null,
    clientSecretSavedAt: null,
    cloudlink: null,
    settings: {},
    updatedAt: now,
  };
}
