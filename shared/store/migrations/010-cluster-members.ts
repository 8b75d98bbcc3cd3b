import type { Migration } from './migration';

/*
 * Issue 16 with issue 12: the processes sharing one database say they are alive here, so each can work out its fair
 * share of the tenants' sync leases (shared/sync/spread.ts). A row per process; it counts while `expires_at` is ahead
 * (a heartbeat moves it), so a process killed with -9 stops counting within one heartbeat lifetime. No tenant data.
 */
export const clusterMembers: Migration = {
  version: 10,
  name: 'cluster-members',
  sqlite: `
    CREATE TABLE cluster_members (
      member_id TEXT PRIMARY KEY,
      started_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE cluster_members (
      member_id TEXT PRIMARY KEY,
      started_at BIGINT NOT NULL,
      heartbeat_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX cluster_members_expiry ON cluster_members (expires_at);
  `,
};
