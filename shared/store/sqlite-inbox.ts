import type Database from 'better-sqlite3';
import {
  InboxFullError,
  type InboxItem,
  type InboxKind,
  type InboxState,
  type SyncInbox,
} from '../ports/sync-inbox';

type Row = Record<string, unknown>;

/** A row as the port shows it (both stores keep the payload and result as JSON text). */
export function toInboxItem(r: Row): InboxItem {
  const parsed = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : null);
  return {
    id: Number(r.id),
    tenantId: String(r.tenant_id),
    kind: r.kind as InboxKind,
    payload: parsed(r.payload) as Record<string, unknown>,
    receivedAt: Number(r.received_at),
    state: r.state as InboxState,
    claimedBy: typeof r.claimed_by === 'string' ? r.claimed_by : null,
    done: Number(r.done),
    total: Number(r.total),
    result: parsed(r.result),
    finishedAt: r.finished_at === null || r.finished_at === undefined ? null : Number(r.finished_at),
  };
}

/**
 * The sync inbox on SQLite: one process per file in practice, so no LISTEN; the owner's poll finds the rows. Kept
 * because a standby on the same file (a restart before the old lease ran out) hands its webhooks over the same way.
 */
export class SqliteSyncInbox implements SyncInbox {
  constructor(private readonly db: Database.Database) {}

  async enqueue(
    tenantId: string,
    kind: InboxKind,
    payload: Record<string, unknown>,
    receivedAt: number,
    cap: number,
  ): Promise<number> {
    const info = this.db
      .prepare(
        `INSERT INTO sync_inbox (tenant_id, kind, payload, received_at)
         SELECT @tenantId, @kind, @payload, @receivedAt
         WHERE (SELECT count(*) FROM sync_inbox WHERE tenant_id = @tenantId AND state IN ('pending', 'running')) < @cap`,
      )
      .run({ tenantId, kind, payload: JSON.stringify(payload), receivedAt, cap });
    if (info.changes === 0) throw new InboxFullError(tenantId, cap);
    return Number(info.lastInsertRowid);
  }

  async next(tenantId: string, holder: string, limit: number): Promise<InboxItem[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sync_inbox WHERE tenant_id = ?
           AND (state = 'pending' OR (state = 'running' AND claimed_by IS NOT ?))
         ORDER BY id LIMIT ?`,
      )
      .all(tenantId, holder, limit) as Row[];
    return rows.map(toInboxItem);
  }

  async remove(tenantId: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const del = this.db.prepare('DELETE FROM sync_inbox WHERE tenant_id = ? AND id = ?');
    this.db.transaction(() => {
      for (const id of ids) del.run(tenantId, id);
    })();
  }

  async claim(tenantId: string, id: number, holder: string, staleHolder: string | null): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE sync_inbox SET state = 'running', claimed_by = ?
         WHERE tenant_id = ? AND id = ? AND state IN ('pending', 'running') AND claimed_by IS ?`,
      )
      .run(holder, tenantId, id, staleHolder);
    return info.changes === 1;
  }

  async progress(tenantId: string, id: number, done: number, total: number): Promise<void> {
    this.db
      .prepare(
        `UPDATE sync_inbox SET done = ?, total = ? WHERE tenant_id = ? AND id = ? AND state = 'running'`,
      )
      .run(done, total, tenantId, id);
  }

  async finish(
    tenantId: string,
    id: number,
    state: 'done' | 'failed',
    result: unknown,
    at: number,
  ): Promise<void> {
    this.db
      .prepare('UPDATE sync_inbox SET state = ?, result = ?, finished_at = ? WHERE tenant_id = ? AND id = ?')
      .run(state, JSON.stringify(result ?? null), at, tenantId, id);
  }

  async get(tenantId: string, id: number): Promise<InboxItem | undefined> {
    const row = this.db
      .prepare('SELECT * FROM sync_inbox WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as Row | undefined;
    return row && toInboxItem(row);
  }

  async prune(tenantId: string, before: number): Promise<number> {
    return this.db
      .prepare(
        `DELETE FROM sync_inbox WHERE tenant_id = ? AND state IN ('done', 'failed') AND finished_at < ?`,
      )
      .run(tenantId, before).changes;
  }

  async depth(tenantId: string): Promise<number> {
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM sync_inbox WHERE tenant_id = ? AND state IN ('pending', 'running')`)
      .get(tenantId) as { n: number };
    return Number(row.n);
  }
}
