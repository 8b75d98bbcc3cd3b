import { createHash } from 'node:crypto';
import { Client, type Pool } from 'pg';
import {
  InboxFullError,
  type InboxItem,
  type InboxKind,
  type InboxListener,
  type SyncInbox,
} from '../ports/sync-inbox';
import { toInboxItem } from './sqlite-inbox';

/** How long a lost LISTEN connection waits before it connects again (doubling up to the last). */
const RECONNECT_MS = [500, 1000, 2000, 5000];

/**
 * The sync inbox on PostgreSQL. Every enqueue NOTIFYs a channel of this schema with the tenant id, in the same
 * statement as the insert (so a listener never hears of a row it cannot read yet: NOTIFY is delivered on commit).
 * The channel is named after a hash of the schema: deployments and test runs sharing a database stay apart, and the
 * name stays under PostgreSQL's 63-character limit whatever the schema is called.
 */
export class PostgresSyncInbox implements SyncInbox {
  readonly channel: string;
  /** Open LISTEN connections: closing the store closes them too (a process that is going away holds none). */
  private readonly listeners = new Set<InboxListener>();

  constructor(
    private readonly pool: Pool,
    private readonly connectionString: string,
    schema: string,
  ) {
    this.channel = `switchboard_inbox_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
  }

  async enqueue(
    tenantId: string,
    kind: InboxKind,
    payload: Record<string, unknown>,
    receivedAt: number,
    cap: number,
  ): Promise<number> {
    const { rows } = await this.pool.query(
      `WITH added AS (
         INSERT INTO sync_inbox (tenant_id, kind, payload, received_at)
         SELECT $1, $2, $3, $4
         WHERE (SELECT count(*) FROM sync_inbox WHERE tenant_id = $1 AND state IN ('pending', 'running')) < $5
         RETURNING id
       )
       SELECT id, pg_notify($6, $1) FROM added`,
      [tenantId, kind, JSON.stringify(payload), receivedAt, cap, this.channel],
    );
    if (rows.length === 0) throw new InboxFullError(tenantId, cap);
    return Number((rows[0] as { id: string }).id);
  }

  async next(tenantId: string, holder: string, limit: number): Promise<InboxItem[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM sync_inbox WHERE tenant_id = $1
         AND (state = 'pending' OR (state = 'running' AND claimed_by IS DISTINCT FROM $2))
       ORDER BY id LIMIT $3`,
      [tenantId, holder, limit],
    );
    return rows.map(toInboxItem);
  }

  async remove(tenantId: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('DELETE FROM sync_inbox WHERE tenant_id = $1 AND id = ANY($2::bigint[])', [
      tenantId,
      ids,
    ]);
  }

  async claim(tenantId: string, id: number, holder: string, staleHolder: string | null): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE sync_inbox SET state = 'running', claimed_by = $1
       WHERE tenant_id = $2 AND id = $3 AND state IN ('pending', 'running')
         AND claimed_by IS NOT DISTINCT FROM $4`,
      [holder, tenantId, id, staleHolder],
    );
    return rowCount === 1;
  }

  async progress(tenantId: string, id: number, done: number, total: number): Promise<void> {
    await this.pool.query(
      `UPDATE sync_inbox SET done = $1, total = $2 WHERE tenant_id = $3 AND id = $4 AND state = 'running'`,
      [done, total, tenantId, id],
    );
  }

  async finish(
    tenantId: string,
    id: number,
    state: 'done' | 'failed',
    result: unknown,
    at: number,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE sync_inbox SET state = $1, result = $2, finished_at = $3 WHERE tenant_id = $4 AND id = $5',
      [state, JSON.stringify(result ?? null), at, tenantId, id],
    );
  }

  async get(tenantId: string, id: number): Promise<InboxItem | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM sync_inbox WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return rows[0] && toInboxItem(rows[0] as Record<string, unknown>);
  }

  async prune(tenantId: string, before: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM sync_inbox WHERE tenant_id = $1 AND state IN ('done', 'failed') AND finished_at < $2`,
      [tenantId, before],
    );
    return rowCount ?? 0;
  }

  async depth(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT count(*) AS n FROM sync_inbox WHERE tenant_id = $1 AND state IN ('pending', 'running')`,
      [tenantId],
    );
    return Number((rows[0] as { n: string }).n);
  }

  /**
   * LISTEN on a client of its own (a pooled one would be handed to other queries and lose the subscription). A lost
   * connection is reported and made again after a pause; the owner's poll covers what was sent meanwhile.
   */
  async listen(onWake: (tenantId: string) => void, onError: (err: Error) => void): Promise<InboxListener> {
    let closed = false;
    let client: Client | null = null;
    let retry: NodeJS.Timeout | null = null;
    let attempt = 0;
    const connect = async (): Promise<void> => {
      const c = new Client({ connectionString: this.connectionString });
      client = c;
      c.on('notification', (msg) => {
        if (msg.channel === this.channel && msg.payload) onWake(msg.payload);
      });
      c.on('error', (err) => lost(c, err));
      c.on('end', () => lost(c, new Error('the LISTEN connection ended')));
      await c.connect();
      await c.query(`LISTEN ${this.channel}`);
      attempt = 0;
    };
    const lost = (c: Client, err: Error): void => {
      if (closed || client !== c) return;
      client = null;
      onError(err);
      c.removeAllListeners('end');
      c.end().catch(() => undefined);
      const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)];
      retry = setTimeout(() => {
        retry = null;
        if (!closed) connect().catch((e: unknown) => lost(client ?? c, e as Error));
      }, delay);
      retry.unref();
    };
    await connect();
    const listener: InboxListener = {
      close: async () => {
        this.listeners.delete(listener);
        closed = true;
        if (retry) clearTimeout(retry);
        const c = client;
        client = null;
        if (c) {
          c.removeAllListeners('end');
          await c.end().catch(() => undefined);
        }
      },
    };
    this.listeners.add(listener);
    return listener;
  }

  /** Closes every LISTEN connection (PostgresStore.close). */
  async closeListeners(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l.close()));
  }
}
