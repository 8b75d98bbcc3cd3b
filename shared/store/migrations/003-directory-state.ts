import type { Migration } from './migration';

/*
 * What the directory reads found, per tenant (issue 10, "the directory changes"): both sides' users as last read, the
 * Graph users delta link that continues from there, and the matching report the admin's user list shows (PBX users
 * without a Teams match, ambiguous and contested ones, with the reason). One JSON document per tenant, owned by
 * shared/sync/directory.ts; written only when something changed.
 */
export const directoryState: Migration = {
  version: 3,
  name: 'directory-state',
  sqlite: `
    CREATE TABLE directory_state (
      tenant_id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE directory_state (
      tenant_id TEXT PRIMARY KEY,
      state JSONB NOT NULL,
      updated_at BIGINT NOT NULL
    );
  `,
};
