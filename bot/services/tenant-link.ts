import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { Store, TenantRecord } from '../../shared/ports/store';

/**
 * The tenant link as the next request uses it: the app registration and the CloudLink account, secrets opened.
 *
 * The rule (docs/admin-guide.md, "Where settings come from"): environment values seed the store on the first start;
 * from then on what the admin saves on the tenant link page wins, and the next token request uses it. The demo is the
 * one exception: its emulated Entra ID and CloudLink are created anew on every start, so their fresh secrets replace
 * the stored ones.
 */
export interface LiveLink {
  clientId: string;
  clientSecret: string | null;
  clientSecretSavedAt: number | null;
  cloudlink: {
    accountId: string;
    clientId: string;
    clientSecret: string | null;
    clientSecretSavedAt: number | null;
  } | null;
}

/** What the environment (or the demo) says the link is at start-up. */
export interface LinkSeed {
  tenantId: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: number | null;
  cloudlink?: { accountId: string; clientId: string; clientSecret: string };
  /** 'seed': fill only what the store lacks (production). 'replace': the environment wins (the demo's fresh emulators). */
  policy: 'seed' | 'replace';
  /**
   * Admin documents (dialling rules, mapping…) a tenant starts with: each is written only where the store has none,
   * whatever the policy, so what an admin saved is never replaced.
   */
  initialSettings?: Record<string, unknown>;
}

/** Writes the seed into the store as its policy says, and logs where the environment and the store disagree. */
export async function seedTenantLink(
  store: Store,
  box: SecretBox,
  seed: LinkSeed,
  now: number,
  logger: Logger,
): Promise<TenantRecord> {
  const existing = await store.getTenant(seed.tenantId);
  const fromEnvironment = seedRecord(box, seed, existing, now);
  if (!existing || seed.policy === 'replace') {
    await store.putTenant(fromEnvironment);
    logger.info(
      { tenantId: seed.tenantId, event: 'config.seeded', cloudlink: Boolean(seed.cloudlink) },
      existing ? 'tenant link replaced from the demo environment' : 'tenant link seeded from the environment',
    );
    return fromEnvironment;
  }
  const filled: TenantRecord = {
    ...existing,
    clientId: existing.clientId || seed.clientId,
    clientSecretSealed: existing.clientSecretSealed ?? fromEnvironment.clientSecretSealed,
    clientSecretSavedAt: existing.clientSecretSealed
      ? (existing.clientSecretSavedAt ?? null)
      : fromEnvironment.clientSecretSavedAt,
    clientSecretExpiresAt: existing.clientSecretExpiresAt ?? fromEnvironment.clientSecretExpiresAt,
    cloudlink: existing.cloudlink ?? fromEnvironment.cloudlink,
    settings: fromEnvironment.settings,
  };
  const seededKeys = [
    ...changedKeys(existing, filled),
    ...Object.keys(filled.settings)
      .filter((k) => !(k in existing.settings))
      .map((k) => `settings.${k}`),
  ];
  if (seededKeys.length > 0) {
    await store.putTenant({ ...filled, updatedAt: now });
    logger.info(
      { tenantId: seed.tenantId, event: 'config.seeded', keys: seededKeys },
      'tenant link completed from the environment where the store had no value',
    );
  }
  const ignored = ignoredEnvironmentKeys(box, seed, filled);
  if (ignored.length > 0)
    logger.warn(
      { tenantId: seed.tenantId, event: 'config.environmentIgnored', keys: ignored },
      'these environment values differ from what the admin saved on the tenant link page; the saved values are used (the environment only seeds the first start)',
    );
  return filled;
}

/** Opens a stored tenant record into the link the adapters use. */
export function openLink(box: SecretBox, record: TenantRecord): LiveLink {
  return {
    clientId: record.clientId,
    clientSecret: record.clientSecretSealed ? box.open(record.clientSecretSealed) : null,
    clientSecretSavedAt: record.clientSecretSavedAt ?? null,
    cloudlink: record.cloudlink
      ? {
          accountId: record.cloudlink.accountId,
          clientId: record.cloudlink.clientId,
          clientSecret: record.cloudlink.clientSecretSealed
            ? box.open(record.cloudlink.clientSecretSealed)
            : null,
          clientSecretSavedAt: record.cloudlink.clientSecretSavedAt ?? null,
        }
      : null,
  };
}

/** The names (never the values) of the tenant link keys that differ between two records, for the audit log. */
export function changedKeys(before: TenantRecord | undefined, after: TenantRecord): string[] {
  const keys: string[] = [];
  if (before?.clientId !== after.clientId) keys.push('clientId');
  if (before?.clientSecretSealed !== after.clientSecretSealed) keys.push('clientSecret');
  if (before?.clientSecretExpiresAt !== after.clientSecretExpiresAt) keys.push('clientSecretExpiresAt');
  if (before?.cloudlink?.accountId !== after.cloudlink?.accountId) keys.push('cloudlink.accountId');
  if (before?.cloudlink?.clientId !== after.cloudlink?.clientId) keys.push('cloudlink.clientId');
  if (before?.cloudlink?.clientSecretSealed !== after.cloudlink?.clientSecretSealed)
    keys.push('cloudlink.clientSecret');
  return keys;
}

function seedRecord(
  box: SecretBox,
  seed: LinkSeed,
  existing: TenantRecord | undefined,
  now: number,
): TenantRecord {
  return {
    tenantId: seed.tenantId,
    displayName: seed.displayName,
    clientId: seed.clientId,
    clientSecretSealed: box.seal(seed.clientSecret),
    clientSecretSavedAt: now,
    clientSecretExpiresAt: seed.clientSecretExpiresAt ?? existing?.clientSecretExpiresAt ?? null,
    cloudlink: seed.cloudlink
      ? {
          accountId: seed.cloudlink.accountId,
          clientId: seed.cloudlink.clientId,
          clientSecretSealed: box.seal(seed.cloudlink.clientSecret),
          clientSecretSavedAt: now,
        }
      : (existing?.cloudlink ?? null),
    settings: { ...seed.initialSettings, ...existing?.settings },
    updatedAt: now,
  };
}

function ignoredEnvironmentKeys(box: SecretBox, seed: LinkSeed, stored: TenantRecord): string[] {
  const link = openLink(box, stored);
  const keys: string[] = [];
  if (seed.clientId.toLowerCase() !== link.clientId.toLowerCase()) keys.push('CLIENT_ID');
  if (link.clientSecret !== null && seed.clientSecret !== link.clientSecret) keys.push('CLIENT_SECRET');
  if (seed.cloudlink && link.cloudlink) {
    if (seed.cloudlink.accountId !== link.cloudlink.accountId) keys.push('CLOUDLINK_ACCOUNT_ID');
    if (seed.cloudlink.clientId !== link.cloudlink.clientId) keys.push('CLOUDLINK_CLIENT_ID');
    if (link.cloudlink.clientSecret !== null && seed.cloudlink.clientSecret !== link.cloudlink.clientSecret)
      keys.push('CLOUDLINK_CLIENT_SECRET');
  }
  return keys;
}
