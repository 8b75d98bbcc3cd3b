import type { Migration } from './migration';

/*
 * Missed-call notices the Bot Connector did not take (503, throttling, no answer), kept until a later try gets them
 * through or they are too old to matter. Before, such a notice was simply lost: the PBX reports a missed call once,
 * and its webhook is acknowledged before the notice is sent. `call` is the notice's content as JSON.
 */
export const missedCallRetries: Migration = {
  version: 13,
  name: 'missed-call-retries',
  sqlite: `
    CREATE TABLE missed_call_retries (
      tenant_id TEXT NOT NULL,
      call_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      call TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, call_id)
    );
    CREATE INDEX missed_call_retries_due ON missed_call_retries (next_at);
  `,
  postgres: `
    CREATE TABLE missed_call_retries (
      tenant_id TEXT NOT NULL,
      call_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      call TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, call_id)
    );
    CREATE INDEX missed_call_retries_due ON missed_call_retries (next_at);
  `,
};
