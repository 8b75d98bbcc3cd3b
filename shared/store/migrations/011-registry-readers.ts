import type { Migration } from './migration';

/*
 * Issue 16, offboarding: each hosted process says, after every registry read that worked, which tenants it serves.
 * The operator's offboarding waits until no process that read the registry lately still lists the tenant before it
 * deletes anything, instead of trusting that every process read the registry within a fixed time. One row per
 * process; a clean stop deletes it. No tenant data (the tenant ids it lists are not the tenant's own rows).
 */
export const registryReaders: Migration = {
  version: 11,
  name: 'registry-readers',
  sqlite: `
    CREATE TABLE registry_readers (
      process_id TEXT PRIMARY KEY,
      serving TEXT NOT NULL,
      read_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE registry_readers (
      process_id TEXT PRIMARY KEY,
      serving TEXT NOT NULL,
      read_at BIGINT NOT NULL
    );
  `,
};
