import type { Migration } from './migration';

/*
 * Issue 16, hosted mode: the tenants one deployment serves. A row is made when a customer's admin consents
 * (onboarding) and is kept after offboarding, with who did each and when, as the record that it happened; the
 * tenant's data lives in the other tables and is deleted at offboarding.
 * `onboarding_states` holds the admin-consent round trip's `state` between the redirect out and the callback:
 * only SHA-256 digests (of the state and of the browser cookie it is bound to), so a copy of the database cannot
 * complete anyone's onboarding. Rows are single-use (deleted when read) and pruned once expired.
 */
export const tenantRegistry: Migration = {
  version: 9,
  name: 'tenant-registry',
  sqlite: `
    CREATE TABLE tenant_registry (
      tenant_id TEXT PRIMARY KEY,
      display_name TEXT NOT NULL,
      state TEXT NOT NULL,
      onboarded_at INTEGER NOT NULL,
      onboarded_by TEXT NOT NULL,
      offboarded_at INTEGER,
      offboarded_by TEXT
    );
    CREATE TABLE onboarding_states (
      state_hash TEXT PRIMARY KEY,
      browser_hash TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE tenant_registry (
      tenant_id TEXT PRIMARY KEY,
      display_name TEXT NOT NULL,
      state TEXT NOT NULL,
      onboarded_at BIGINT NOT NULL,
      onboarded_by TEXT NOT NULL,
      offboarded_at BIGINT,
      offboarded_by TEXT
    );
    CREATE TABLE onboarding_states (
      state_hash TEXT PRIMARY KEY,
      browser_hash TEXT NOT NULL,
      expires_at BIGINT NOT NULL
    );
  `,
};
