import type { Pool } from 'pg';
import type { ClusterMember, ClusterMembers, HeldLease } from '../ports/cluster-members';

type Row = Record<string, unknown>;

/** Cluster membership on PostgreSQL (migration 010); same behaviour as on SQLite. */
export class PostgresClusterMembers implements ClusterMembers {
  constructor(private readonly pool: Pool) {}

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async heartbeat(memberId: string, now: number, ttlMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO cluster_members (member_id, started_at, heartbeat_at, expires_at) VALUES ($1, $2, $2, $3)
       ON CONFLICT (member_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      [memberId, now, now + ttlMs],
    );
  }

  async live(now: number): Promise<ClusterMember[]> {
    return (
      await this.rows('SELECT * FROM cluster_members WHERE expires_at > $1 ORDER BY started_at, member_id', [
        now,
      ])
    ).map(toMember);
  }

  async leave(memberId: string): Promise<void> {
    await this.pool.query('DELETE FROM cluster_members WHERE member_id = $1', [memberId]);
  }

  async prune(before: number): Promise<void> {
    await this.pool.query('DELETE FROM cluster_members WHERE expires_at < $1', [before]);
  }

  async heldLeases(name: string, now: number): Promise<HeldLease[]> {
    return (
      await this.rows(
        'SELECT tenant_id, holder, expires_at FROM leases WHERE name = $1 AND expires_at > $2 ORDER BY tenant_id',
        [name, now],
      )
    ).map(toHeldLease);
  }
}

export function toMember(r: Row): ClusterMember {
  return {
    memberId: String(r.member_id),
    startedAt: Number(r.started_at),
    heartbeatAt: Number(r.heartbeat_at),
    expiresAt: Number(r.expires_at),
  };
}

export function toHeldLease(r: Row): HeldLease {
  return { tenantId: String(r.tenant_id), holder: String(r.holder), expiresAt: Number(r.expires_at) };
}
