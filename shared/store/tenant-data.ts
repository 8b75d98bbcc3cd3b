import type { RegisteredTenant, RegistryReader, TenantState } from '../ports/tenant-registry';

/**
 * Every table holding a tenant's own data, which offboarding empties. A new table keyed by tenant_id belongs here
 * (the store contract test fails otherwise). Left out on purpose: `tenant_registry` (the record that the tenant was
 * served and offboarded) and `leases` (a fencing epoch must never restart, or a process still holding an old term
 * could meet its own number again after a re-onboarding).
 */
export const TENANT_DATA_TABLES = [
  'tenants',
  'monitors',
  'users',
  'sync_states',
  'trace',
  'reports',
  'conversations',
  'user_settings',
  'notices',
  'directory_state',
  'events',
  'jobs',
  'cloudlink_webhook_keys',
  'cloudlink_subscriptions',
  'sync_inbox',
  'missed_call_retries',
] as const;

/** Tables keyed by tenant_id that offboarding keeps. */
export const TENANT_TABLES_KEPT = ['tenant_registry', 'leases'] as const;

export function toRegisteredTenant(r: Record<string, unknown>): RegisteredTenant {
  const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    tenantId: String(r.tenant_id),
    displayName: String(r.display_name),
    state: String(r.state) as TenantState,
    onboardedAt: Number(r.onboarded_at),
    onboardedBy: String(r.onboarded_by),
    offboardedAt: numOrNull(r.offboarded_at),
    offboardedBy: r.offboarded_by === null || r.offboarded_by === undefined ? null : String(r.offboarded_by),
  };
}

/** A server silent this long (killed, never stopped cleanly) is forgotten when another says what it serves. */
export const READERS_KEPT_MS = 24 * 60 * 60 * 1000;

export function toRegistryReader(r: Record<string, unknown>): RegistryReader {
  const serving: unknown = JSON.parse(String(r.serving));
  return {
    processId: String(r.process_id),
    serving: Array.isArray(serving) ? serving.map(String) : [],
    readAt: Number(r.read_at),
  };
}
