import type { Migration } from './migration';

/*
 * Issue 12: webhooks land on any process. A process that does not run a tenant's sync writes each authenticated
 * Graph or CloudLink event here, and the admin calls that need the engine ("Sync all", a user's resync, reset phone,
 * refresh users); the owner drains the rows in arrival order (id). Events are deleted once applied; calls are kept,
 * with their progress and result, until pruned, so the caller on the other process can read the outcome.
 * `payload` is JSON text, not JSONB: PostgreSQL's JSONB refuses the \u0000 escape a webhook body may carry.
 */
export const syncInbox: Migration = {
  version: 8,
  name: 'sync-inbox',
  sqlite: `
    CREATE TABLE sync_inbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      tenant_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      claimed_by TEXT,
      done INTEGER NOT NULL DEFAULT 0,
      total INTEGER NOT NULL DEFAULT 0,
      result TEXT,
      finished_at INTEGER
    );
    CREATE INDEX sync_inbox_by_tenant ON sync_inbox (tenant_id, state, id);
  `,
  postgres: `
    CREATE TABLE sync_inbox (
      id BIGSERIAL PRIMARY KEY,
      tenant_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      received_at BIGINT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      claimed_by TEXT,
      done INTEGER NOT NULL DEFAULT 0,
      total INTEGER NOT NULL DEFAULT 0,
      result TEXT,
      finished_at BIGINT
    );
    CREATE INDEX sync_inbox_by_tenant ON sync_inbox (tenant_id, state, id);
  `,
};
