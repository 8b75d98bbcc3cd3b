import type { Migration } from './migration';

/*
 * What must outlive a process (issue 10):
 * - the tenant's CloudLink webhook key (sealed: it travels in the webhook URL, so whoever reads it could post events)
 *   and the ids of the CloudLink subscriptions made with it, one per topic, so a restart after a crash reuses or
 *   deletes them instead of leaving them delivering to nobody;
 * - admin jobs (configuration check, resync all) with their progress and result, so a restart does not lose them.
 *   `heartbeat_at` is written while the job's process runs it: a running job whose heartbeat stopped was interrupted.
 */
export const cloudLinkSubscriptionsAndJobs: Migration = {
  version: 2,
  name: 'cloudlink-subscriptions-and-jobs',
  sqlite: `
    CREATE TABLE cloudlink_webhook_keys (
      tenant_id TEXT PRIMARY KEY,
      key_sealed TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE cloudlink_subscriptions (
      tenant_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      subscription_id TEXT NOT NULL,
      subject_filter TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, topic)
    );
    CREATE TABLE jobs (
      tenant_id TEXT NOT NULL,
      job_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      state TEXT NOT NULL,
      done INTEGER NOT NULL,
      total INTEGER NOT NULL,
      steps TEXT,
      summary TEXT,
      error TEXT,
      started_by TEXT,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      heartbeat_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, job_id)
    );
    CREATE INDEX jobs_by_kind ON jobs (tenant_id, kind, started_at);
  `,
  postgres: `
    CREATE TABLE cloudlink_webhook_keys (
      tenant_id TEXT PRIMARY KEY,
      key_sealed TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE TABLE cloudlink_subscriptions (
      tenant_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      subscription_id TEXT NOT NULL,
      subject_filter TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, topic)
    );
    CREATE TABLE jobs (
      tenant_id TEXT NOT NULL,
      job_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      state TEXT NOT NULL,
      done INTEGER NOT NULL,
      total INTEGER NOT NULL,
      steps JSONB,
      summary TEXT,
      error TEXT,
      started_by TEXT,
      started_at BIGINT NOT NULL,
      finished_at BIGINT,
      heartbeat_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, job_id)
    );
    CREATE INDEX jobs_by_kind ON jobs (tenant_id, kind, started_at);
  `,
};
