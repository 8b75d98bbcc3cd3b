import type Database from 'better-sqlite3';
import type { ClusterMember, ClusterMembers, HeldLease } from '../ports/cluster-members';
import { toHeldLease, toMember } from './postgres-cluster-members';

type Row = Record<string, unknown>;

/**
 * Cluster membership on SQLite (migration 010). One process owns an SQLite file, so it is a cluster of one; the
 * table is here so both stores pass one contract and the spreading code needs no special case.
 */
export class SqliteClusterMembers implements ClusterMembers {
  constructor(private readonly db: Database.Database) {}

  async heartbeat(memberId: string, now: number, ttlMs: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cluster_members (member_id, started_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      )
      .run(memberId, now, now, now + ttlMs);
  }

  async live(now: number): Promise<ClusterMember[]> {
    return (
      this.db
        .prepare('SELECT * FROM cluster_members WHERE expires_at > ? ORDER BY started_at, member_id')
        .all(now) as Row[]
    ).map(toMember);
  }

  async leave(memberId: string): Promise<void> {
    this.db.prepare('DELETE FROM cluster_members WHERE member_id = ?').run(memberId);
  }

  async prune(before: number): Promise<void> {
    this.db.prepare('DELETE FROM cluster_members WHERE expires_at < ?').run(before);
  }

  async heldLeases(name: string, now: number): Promise<HeldLease[]> {
    return (
      this.db
        .prepare(
          'SELECT tenant_id, holder, expires_at FROM leases WHERE name = ? AND expires_at > ? ORDER BY tenant_id',
        )
        .all(name, now) as Row[]
    ).map(toHeldLease);
  }
}
