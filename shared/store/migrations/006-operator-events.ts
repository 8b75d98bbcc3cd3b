import type { Migration } from './migration';

/*
 * The problems an operator would otherwise read in the server log (refused secrets, throttling, failed calls, lost
 * subscriptions), per tenant, for the admin page. Bounded per tenant on every write, like the user trace.
 */
export const operatorEvents: Migration = {
  version: 6,
  name: 'operator-events',
  sqlite: `
    CREATE TABLE events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      tenant_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      level TEXT NOT NULL,
      event TEXT,
      message TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX events_by_tenant ON events (tenant_id, id);
  `,
  postgres: `
    CREATE TABLE events (
      id BIGSERIAL PRIMARY KEY,
      tenant_id TEXT NOT NULL,
      at BIGINT NOT NULL,
      level TEXT NOT NULL,
      event TEXT,
      message TEXT NOT NULL,
      detail JSONB NOT NULL
    );
    CREATE INDEX events_by_tenant ON events (tenant_id, id);
  `,
};
