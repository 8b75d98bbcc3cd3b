import { Pool, type PoolClient } from 'pg';
import {
  DEFAULT_USER_SETTINGS,
  EVENTS_KEEP,
  StoreConflictError,
  TRACE_KEEP,
  type CloudLinkSubscriptionRecord,
  type ConversationRecord,
  type JobRecord,
  type LeaseRecord,
  type MonitorRecord,
  type OperatorEvent,
  type ProblemReport,
  type ReportStatus,
  type Store,
  type SyncStateRecord,
  type TenantRecord,
  type TraceEntry,
  type MissedCallRetry,
  type UserRecord,
  type UserSettings,
} from '../ports/store';
import type { SyncInbox } from '../ports/sync-inbox';
import type { TenantRegistry } from '../ports/tenant-registry';
import type { ClusterMembers } from '../ports/cluster-members';
import { PostgresClusterMembers } from './postgres-cluster-members';
import { MIGRATIONS } from './migrations';
import { PostgresSyncInbox } from './postgres-inbox';
import { PostgresTenantRegistry } from './postgres-tenant-registry';
import {
  json,
  jsonText,
  lastPerUser,
  storableParams,
  toCloudLinkSubscription,
  toConversation,
  toEvent,
  toJob,
  toMonitor,
  toReport,
  toSyncState,
  toTenant,
  toTrace,
  toMissedCallRetry,
  toUser,
  type Row,
} from './rows';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Keeps all tables in this schema (created by migrate()); lets several deployments or test runs share a database. */
  schema?: string;
  /** Pool size per process. */
  maxConnections?: number;
  /** An idle pooled connection failed (server restart, network); the pool replaces it on the next query. */
  onConnectionError?: (err: Error) => void;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The scale-out store: many Switchboard processes on one PostgreSQL. Every write that others could race is a
 * single atomic statement (conditional UPDATE for sync state, INSERT ... ON CONFLICT DO NOTHING for notices and
 * leases), so no row locks are held across round trips; migrations serialize on an advisory lock.
 */
export class PostgresStore implements Store {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly connectionString: string;

  constructor(options: PostgresStoreOptions) {
    this.connectionString = options.connectionString;
    this.schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(this.schema)) throw new Error(`invalid schema name: ${this.schema}`);
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      // Unqualified table names resolve in our schema for every pooled connection.
      options: `-c search_path=${this.schema}`,
    });
    // Without a listener, an idle connection's error would be an unhandled 'error' event and end the process.
    this.pool.on('error', (err) => options.onConnectionError?.(err));
  }

  // PostgreSQL refuses NUL in any text: every string goes in without it (see rows.ts), in both stores alike.
  private async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, storableParams(params))).rows as Row[];
  }

  private async one(sql: string, params: unknown[]): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  private async run(sql: string, params: unknown[]): Promise<number> {
    return (await this.pool.query(sql, storableParams(params))).rowCount ?? 0;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      // Processes starting together would otherwise race to create the same tables.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`switchboard-migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await c.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await c.query(m.postgres);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
    });
  }

  async close(): Promise<void> {
    await this.inbox?.closeListeners();
    await this.pool.end();
  }

  // --- tenants ---

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const r = await this.one('SELECT * FROM tenants WHERE tenant_id = $1', [tenantId]);
    return r && toTenant(r);
  }

  async listTenants(): Promise<TenantRecord[]> {
    return (await this.all('SELECT * FROM tenants ORDER BY tenant_id')).map(toTenant);
  }

  async putTenant(t: TenantRecord): Promise<void> {
    await this.run(
      `INSERT INTO tenants (tenant_id, display_name, client_id, client_secret_sealed, client_secret_expires_at,
         cloudlink_account_id, cloudlink_client_id, cloudlink_client_secret_sealed, settings, updated_at,
         client_secret_saved_at, cloudlink_client_secret_saved_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name, client_id = excluded.client_id,
         client_secret_sealed = excluded.client_secret_sealed, client_secret_expires_at = excluded.client_secret_expires_at,
         cloudlink_account_id = excluded.cloudlink_account_id, cloudlink_client_id = excluded.cloudlink_client_id,
         cloudlink_client_secret_sealed = excluded.cloudlink_client_secret_sealed, settings = excluded.settings,
         updated_at = excluded.updated_at, client_secret_saved_at = excluded.client_secret_saved_at,
         cloudlink_client_secret_saved_at = excluded.cloudlink_client_secret_saved_at`,
      [
        t.tenantId,
        t.displayName,
        t.clientId,
        t.clientSecretSealed,
        t.clientSecretExpiresAt,
        t.cloudlink?.accountId ?? null,
        t.cloudlink?.clientId ?? null,
        t.cloudlink?.clientSecretSealed ?? null,
        jsonText(t.settings),
        t.updatedAt,
        t.clientSecretSavedAt ?? null,
        t.cloudlink?.clientSecretSavedAt ?? null,
      ],
    );
  }

  // --- monitors ---

  async listMonitors(tenantId: string): Promise<MonitorRecord[]> {
    return (
      await this.all('SELECT * FROM monitors WHERE tenant_id = $1 ORDER BY monitor_id', [tenantId])
    ).map(toMonitor);
  }

  async getMonitor(tenantId: string, monitorId: string): Promise<MonitorRecord | undefined> {
    const r = await this.one('SELECT * FROM monitors WHERE tenant_id = $1 AND monitor_id = $2', [
      tenantId,
      monitorId,
    ]);
    return r && toMonitor(r);
  }

  async putMonitor(m: MonitorRecord): Promise<void> {
    await this.run(
      `INSERT INTO monitors (tenant_id, monitor_id, username, password_sealed, password_expires_at, state, subscription_id,
         subscription_expires_at, user_ids, client_state, last_error, updated_at, admin_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (tenant_id, monitor_id) DO UPDATE SET username = excluded.username,
         password_sealed = excluded.password_sealed, password_expires_at = excluded.password_expires_at,
         state = excluded.state, subscription_id = excluded.subscription_id,
         subscription_expires_at = excluded.subscription_expires_at, user_ids = excluded.user_ids,
         client_state = excluded.client_state, last_error = excluded.last_error, updated_at = excluded.updated_at,
         admin_version = excluded.admin_version`,
      [
        m.tenantId,
        m.monitorId,
        m.username,
        m.passwordSealed,
        m.passwordExpiresAt,
        m.state,
        m.subscriptionId,
        m.subscriptionExpiresAt,
        jsonText(m.userIds),
        m.clientState,
        m.lastError,
        m.updatedAt,
        m.adminVersion,
      ],
    );
  }

  async saveMonitorProgress(m: MonitorRecord): Promise<boolean> {
    const changed = await this.run(
      `UPDATE monitors SET state = $3, subscription_id = $4, subscription_expires_at = $5, user_ids = $6,
         client_state = $7, last_error = $8, updated_at = $9
       WHERE tenant_id = $1 AND monitor_id = $2 AND admin_version = $10`,
      [
        m.tenantId,
        m.monitorId,
        m.state,
        m.subscriptionId,
        m.subscriptionExpiresAt,
        jsonText(m.userIds),
        m.clientState,
        m.lastError,
        m.updatedAt,
        m.adminVersion,
      ],
    );
    return changed > 0;
  }

  async deleteMonitor(tenantId: string, monitorId: string): Promise<void> {
    await this.run('DELETE FROM monitors WHERE tenant_id = $1 AND monitor_id = $2', [tenantId, monitorId]);
  }

  async findMonitorBySubscription(
    tenantId: string,
    subscriptionId: string,
  ): Promise<MonitorRecord | undefined> {
    const r = await this.one('SELECT * FROM monitors WHERE tenant_id = $1 AND subscription_id = $2', [
      tenantId,
      subscriptionId,
    ]);
    return r && toMonitor(r);
  }

  // --- users ---

  async listUsers(tenantId: string): Promise<UserRecord[]> {
    return (
      await this.all('SELECT * FROM users WHERE tenant_id = $1 ORDER BY display_name, entra_user_id', [
        tenantId,
      ])
    ).map(toUser);
  }

  async getUser(tenantId: string, entraUserId: string): Promise<UserRecord | undefined> {
    const r = await this.one('SELECT * FROM users WHERE tenant_id = $1 AND entra_user_id = $2', [
      tenantId,
      entraUserId,
    ]);
    return r && toUser(r);
  }

  async getUserByPbxId(tenantId: string, pbxPrincipalId: string): Promise<UserRecord | undefined> {
    const r = await this.one('SELECT * FROM users WHERE tenant_id = $1 AND pbx_principal_id = $2 LIMIT 1', [
      tenantId,
      pbxPrincipalId,
    ]);
    return r && toUser(r);
  }

  async putUsers(users: UserRecord[]): Promise<void> {
    if (users.length === 0) return;
    // One statement for the whole directory: thousands of users in one round trip, atomically.
    await this.run(
      `INSERT INTO users (tenant_id, entra_user_id, upn, display_name, pbx_principal_id, extension, send_to_teams,
         get_from_teams, selected, updated_at)
       SELECT "tenantId", "entraUserId", upn, "displayName", "pbxPrincipalId", extension, "sendToTeams", "getFromTeams",
         selected, "updatedAt"
       FROM jsonb_to_recordset($1::jsonb) AS u("tenantId" text, "entraUserId" text, upn text, "displayName" text,
         "pbxPrincipalId" text, extension text, "sendToTeams" boolean, "getFromTeams" boolean, selected boolean,
         "updatedAt" bigint)
       ON CONFLICT (tenant_id, entra_user_id) DO UPDATE SET upn = excluded.upn, display_name = excluded.display_name,
         pbx_principal_id = excluded.pbx_principal_id, extension = excluded.extension,
         send_to_teams = excluded.send_to_teams, get_from_teams = excluded.get_from_teams,
         selected = excluded.selected, updated_at = excluded.updated_at`,
      [jsonText(lastPerUser(users))],
    );
  }

  // --- sync state ---

  async getSyncState(tenantId: string, entraUserId: string): Promise<SyncStateRecord | undefined> {
    const r = await this.one('SELECT * FROM sync_states WHERE tenant_id = $1 AND entra_user_id = $2', [
      tenantId,
      entraUserId,
    ]);
    return r && toSyncState(r);
  }

  async listSyncStates(tenantId: string): Promise<SyncStateRecord[]> {
    return (
      await this.all('SELECT * FROM sync_states WHERE tenant_id = $1 ORDER BY entra_user_id', [tenantId])
    ).map(toSyncState);
  }

  async putSyncState(s: SyncStateRecord): Promise<number> {
    if (!(await this.writeSyncState((sql, params) => this.run(sql, params), s)))
      throw new StoreConflictError(`sync state of ${s.entraUserId}`);
    return s.version + 1;
  }

  /** One connection and one transaction for the batch, instead of a pooled round trip and commit per user. */
  async putSyncStates(states: SyncStateRecord[]): Promise<(number | null)[]> {
    if (states.length === 0) return [];
    return this.transaction(async (c) => {
      const run = async (sql: string, params: unknown[]) =>
        (await c.query(sql, storableParams(params))).rowCount ?? 0;
      const versions: (number | null)[] = [];
      for (const s of states) versions.push((await this.writeSyncState(run, s)) ? s.version + 1 : null);
      return versions;
    });
  }

  /** Writes the record if its version is the stored one; false (nothing written) otherwise. */
  private async writeSyncState(
    run: (sql: string, params: unknown[]) => Promise<number>,
    s: SyncStateRecord,
  ): Promise<boolean> {
    const values = [s.tenantId, s.entraUserId, jsonText(s.state), s.lastSyncAt, s.lastError, s.version + 1];
    const changed =
      s.version === 0
        ? await run(
            `INSERT INTO sync_states (tenant_id, entra_user_id, state, last_sync_at, last_error, version)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, entra_user_id) DO NOTHING`,
            values,
          )
        : await run(
            `UPDATE sync_states SET state = $3, last_sync_at = $4, last_error = $5, version = $6
             WHERE tenant_id = $1 AND entra_user_id = $2 AND version = $7`,
            [...values, s.version],
          );
    return changed === 1;
  }

  // --- trace ---

  async appendTrace(e: TraceEntry, keep: number = TRACE_KEEP): Promise<void> {
    await this.run(APPEND_TRACE, traceParams(e, keep));
  }

  async appendTraces(entries: TraceEntry[], keep: number = TRACE_KEEP): Promise<void> {
    if (entries.length === 0) return;
    await this.transaction(async (c) => {
      for (const e of entries) await c.query(APPEND_TRACE, storableParams(traceParams(e, keep)));
    });
  }

  async listTrace(tenantId: string, entraUserId: string, limit: number = TRACE_KEEP): Promise<TraceEntry[]> {
    return (
      await this.all(
        'SELECT * FROM trace WHERE tenant_id = $1 AND entra_user_id = $2 ORDER BY id DESC LIMIT $3',
        [tenantId, entraUserId, limit],
      )
    ).map(toTrace);
  }

  // --- operator events ---

  async appendEvents(events: OperatorEvent[], keep: number = EVENTS_KEEP): Promise<void> {
    if (events.length === 0) return;
    await this.transaction(async (c) => {
      for (const e of events)
        await c.query(
          'INSERT INTO events (tenant_id, at, level, event, message, detail) VALUES ($1, $2, $3, $4, $5, $6)',
          storableParams([e.tenantId, e.at, e.level, e.event, e.message, jsonText(e.detail)]),
        );
      for (const tenantId of new Set(events.map((e) => e.tenantId)))
        await c.query(
          `DELETE FROM events WHERE tenant_id = $1 AND id <= (
             SELECT id FROM events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
          [tenantId, keep],
        );
    });
  }

  async listEvents(tenantId: string, limit: number = EVENTS_KEEP): Promise<OperatorEvent[]> {
    return (
      await this.all('SELECT * FROM events WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2', [tenantId, limit])
    ).map(toEvent);
  }

  // --- problem reports ---

  async createReport(r: ProblemReport): Promise<void> {
    await this.run(
      `INSERT INTO reports (tenant_id, report_id, reporter_id, reporter_name, category, description, source, diagnostics,
         status, history, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        r.tenantId,
        r.reportId,
        r.reporterId,
        r.reporterName,
        r.category,
        r.description,
        r.source,
        r.diagnostics === null ? null : jsonText(r.diagnostics),
        r.status,
        jsonText(r.history),
        r.createdAt,
        r.updatedAt,
      ],
    );
  }

  async getReport(tenantId: string, reportId: string): Promise<ProblemReport | undefined> {
    const r = await this.one('SELECT * FROM reports WHERE tenant_id = $1 AND report_id = $2', [
      tenantId,
      reportId,
    ]);
    return r && toReport(r);
  }

  async listReports(
    tenantId: string,
    filter: { reporterId?: string; status?: ReportStatus } = {},
  ): Promise<ProblemReport[]> {
    return (
      await this.all(
        `SELECT * FROM reports WHERE tenant_id = $1
           AND ($2::text IS NULL OR reporter_id = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY created_at DESC, report_id`,
        [tenantId, filter.reporterId ?? null, filter.status ?? null],
      )
    ).map(toReport);
  }

  async updateReport(r: ProblemReport): Promise<boolean> {
    const changed = await this.run(
      `UPDATE reports SET reporter_name = $3, category = $4, description = $5, diagnostics = $6, status = $7,
         history = $8, updated_at = $9
       WHERE tenant_id = $1 AND report_id = $2`,
      [
        r.tenantId,
        r.reportId,
        r.reporterName,
        r.category,
        r.description,
        r.diagnostics === null ? null : jsonText(r.diagnostics),
        r.status,
        jsonText(r.history),
        r.updatedAt,
      ],
    );
    return changed === 1;
  }

  // --- conversations and user settings ---

  async putConversation(c: ConversationRecord): Promise<void> {
    await this.run(
      `INSERT INTO conversations (tenant_id, key, reference, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, key) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`,
      [c.tenantId, c.key, jsonText(c.reference), c.updatedAt],
    );
  }

  async getConversation(tenantId: string, key: string): Promise<ConversationRecord | undefined> {
    const r = await this.one('SELECT * FROM conversations WHERE tenant_id = $1 AND key = $2', [
      tenantId,
      key,
    ]);
    return r && toConversation(r);
  }

  async listConversations(tenantId: string): Promise<ConversationRecord[]> {
    return (await this.all('SELECT * FROM conversations WHERE tenant_id = $1 ORDER BY key', [tenantId])).map(
      toConversation,
    );
  }

  async forgetConversation(tenantId: string, key: string, updatedAt: number): Promise<boolean> {
    const deleted = await this.run(
      'DELETE FROM conversations WHERE tenant_id = $1 AND key = $2 AND updated_at = $3',
      [tenantId, key, updatedAt],
    );
    return deleted === 1;
  }

  async getUserSettings(tenantId: string, entraUserId: string): Promise<UserSettings> {
    const r = await this.one(
      'SELECT settings FROM user_settings WHERE tenant_id = $1 AND entra_user_id = $2',
      [tenantId, entraUserId],
    );
    return r ? json<UserSettings>(r.settings) : { ...DEFAULT_USER_SETTINGS };
  }

  async putUserSettings(tenantId: string, entraUserId: string, settings: UserSettings): Promise<void> {
    await this.run(
      `INSERT INTO user_settings (tenant_id, entra_user_id, settings) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, entra_user_id) DO UPDATE SET settings = excluded.settings`,
      [tenantId, entraUserId, jsonText(settings)],
    );
  }

  // --- notices and leases ---

  async markNoticeSent(tenantId: string, noticeKey: string, at: number): Promise<boolean> {
    const inserted = await this.run(
      'INSERT INTO notices (tenant_id, notice_key, sent_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, notice_key) DO NOTHING',
      [tenantId, noticeKey, at],
    );
    return inserted === 1;
  }

  async clearNotice(tenantId: string, noticeKey: string): Promise<void> {
    await this.run('DELETE FROM notices WHERE tenant_id = $1 AND notice_key = $2', [tenantId, noticeKey]);
  }

  async forgetSyncStates(tenantId: string): Promise<void> {
    await this.run('DELETE FROM sync_states WHERE tenant_id = $1', [tenantId]);
  }

  async putMissedCallRetry(r: MissedCallRetry): Promise<void> {
    await this.run(
      `INSERT INTO missed_call_retries (tenant_id, call_id, user_id, call, attempts, next_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, call_id) DO UPDATE SET user_id = excluded.user_id, call = excluded.call,
         attempts = excluded.attempts, next_at = excluded.next_at`,
      [r.tenantId, r.call.callId, r.userId, jsonText(r.call), r.attempts, r.nextAt],
    );
  }

  async dueMissedCallRetries(now: number, limit: number): Promise<MissedCallRetry[]> {
    const rows = await this.all(
      'SELECT * FROM missed_call_retries WHERE next_at <= $1 ORDER BY next_at, tenant_id, call_id LIMIT $2',
      [now, limit],
    );
    return rows.map(toMissedCallRetry);
  }

  async claimMissedCallRetry(
    tenantId: string,
    callId: string,
    seenNextAt: number,
    until: number,
  ): Promise<boolean> {
    const changed = await this.run(
      'UPDATE missed_call_retries SET next_at = $4 WHERE tenant_id = $1 AND call_id = $2 AND next_at = $3',
      [tenantId, callId, seenNextAt, until],
    );
    return changed === 1;
  }

  async deleteMissedCallRetry(tenantId: string, callId: string): Promise<void> {
    await this.run('DELETE FROM missed_call_retries WHERE tenant_id = $1 AND call_id = $2', [
      tenantId,
      callId,
    ]);
  }

  async getDirectoryState(tenantId: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.one('SELECT state FROM directory_state WHERE tenant_id = $1', [tenantId]);
    return r ? json<Record<string, unknown>>(r.state) : undefined;
  }

  async putDirectoryState(tenantId: string, state: Record<string, unknown>, at: number): Promise<void> {
    await this.run(
      `INSERT INTO directory_state (tenant_id, state, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [tenantId, JSON.stringify(state), at],
    );
  }

  async acquireLease(
    tenantId: string,
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
  ): Promise<number | null> {
    // A renewal (same holder, not yet expired) keeps the epoch; any other take starts a new term: epoch + 1. One
    // statement, so two processes racing for an expired lease cannot both win (the row lock orders them).
    const r = await this.one(
      `INSERT INTO leases (tenant_id, name, holder, expires_at, epoch, renewed_at) VALUES ($1, $2, $3, $4, 1, $5)
       ON CONFLICT (tenant_id, name) DO UPDATE SET
         epoch = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > $5
                 THEN leases.epoch ELSE leases.epoch + 1 END,
         holder = excluded.holder, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= $5
       RETURNING epoch`,
      [tenantId, name, holder, now + ttlMs, now],
    );
    return r ? Number(r.epoch) : null;
  }

  async releaseLease(tenantId: string, name: string, holder: string): Promise<void> {
    // Expired, not deleted: the epoch must keep counting up, or a stale holder could meet its own number again.
    await this.run('UPDATE leases SET expires_at = 0 WHERE tenant_id = $1 AND name = $2 AND holder = $3', [
      tenantId,
      name,
      holder,
    ]);
  }

  async getLease(tenantId: string, name: string): Promise<LeaseRecord | undefined> {
    const r = await this.one(
      'SELECT holder, epoch, expires_at, renewed_at FROM leases WHERE tenant_id = $1 AND name = $2',
      [tenantId, name],
    );
    return r ? leaseRecord(r) : undefined;
  }

  // --- CloudLink webhook key and subscriptions ---

  async initCloudLinkWebhookKey(tenantId: string, keySealed: string, at: number): Promise<string> {
    await this.run(
      `INSERT INTO cloudlink_webhook_keys (tenant_id, key_sealed, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantId, keySealed, at],
    );
    const r = await this.one('SELECT key_sealed FROM cloudlink_webhook_keys WHERE tenant_id = $1', [
      tenantId,
    ]);
    return String(r?.key_sealed);
  }

  async listCloudLinkSubscriptions(tenantId: string): Promise<CloudLinkSubscriptionRecord[]> {
    return (
      await this.all('SELECT * FROM cloudlink_subscriptions WHERE tenant_id = $1 ORDER BY topic', [tenantId])
    ).map(toCloudLinkSubscription);
  }

  async putCloudLinkSubscription(s: CloudLinkSubscriptionRecord): Promise<void> {
    await this.run(
      `INSERT INTO cloudlink_subscriptions (tenant_id, topic, subscription_id, subject_filter, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, topic) DO UPDATE SET subscription_id = excluded.subscription_id,
         subject_filter = excluded.subject_filter, created_at = excluded.created_at`,
      [s.tenantId, s.topic, s.subscriptionId, s.subjectFilter, s.createdAt],
    );
  }

  async deleteCloudLinkSubscription(tenantId: string, topic: string): Promise<void> {
    await this.run('DELETE FROM cloudlink_subscriptions WHERE tenant_id = $1 AND topic = $2', [
      tenantId,
      topic,
    ]);
  }

  // --- admin jobs ---

  async putJob(j: JobRecord): Promise<void> {
    await this.run(
      `INSERT INTO jobs (tenant_id, job_id, kind, state, done, total, steps, summary, error, started_by, started_at,
         finished_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (tenant_id, job_id) DO UPDATE SET kind = excluded.kind, state = excluded.state,
         done = excluded.done, total = excluded.total, steps = excluded.steps, summary = excluded.summary,
         error = excluded.error, started_by = excluded.started_by, started_at = excluded.started_at,
         finished_at = excluded.finished_at, heartbeat_at = excluded.heartbeat_at`,
      [
        j.tenantId,
        j.jobId,
        j.kind,
        j.state,
        j.done,
        j.total,
        j.steps === null ? null : jsonText(j.steps),
        j.summary,
        j.error,
        j.startedBy,
        j.startedAt,
        j.finishedAt,
        j.heartbeatAt,
      ],
    );
  }

  async getJob(tenantId: string, jobId: string): Promise<JobRecord | undefined> {
    const r = await this.one('SELECT * FROM jobs WHERE tenant_id = $1 AND job_id = $2', [tenantId, jobId]);
    return r && toJob(r);
  }

  async listJobs(tenantId: string, filter: { kind?: string; limit?: number } = {}): Promise<JobRecord[]> {
    return (
      await this.all(
        `SELECT * FROM jobs WHERE tenant_id = $1 AND ($2::text IS NULL OR kind = $2)
         ORDER BY started_at DESC, job_id LIMIT $3`,
        [tenantId, filter.kind ?? null, filter.limit ?? null],
      )
    ).map(toJob);
  }

  async pruneJobs(tenantId: string, keep: number): Promise<void> {
    await this.run(
      `DELETE FROM jobs WHERE tenant_id = $1 AND state <> 'running' AND job_id NOT IN (
         SELECT job_id FROM jobs WHERE tenant_id = $1 AND state <> 'running'
         ORDER BY started_at DESC, job_id LIMIT $2)`,
      [tenantId, keep],
    );
  }

  private inbox: PostgresSyncInbox | undefined;

  /** The inbox shares the pool; its LISTEN opens one connection of its own (postgres-inbox.ts). */
  syncInbox(): SyncInbox {
    return (this.inbox ??= new PostgresSyncInbox(this.pool, this.connectionString, this.schema));
  }

  private registry: TenantRegistry | undefined;

  tenantRegistry(): TenantRegistry {
    return (this.registry ??= new PostgresTenantRegistry(this.pool));
  }
  private members: ClusterMembers | undefined;

  clusterMembers(): ClusterMembers {
    return (this.members ??= new PostgresClusterMembers(this.pool));
  }
}

/**
 * One atomic statement. The DELETE runs on the snapshot before the INSERT, so it keeps keep - 1 older entries and
 * the new one makes `keep`.
 */
const APPEND_TRACE = `WITH added AS (
    INSERT INTO trace (tenant_id, entra_user_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id
  )
  DELETE FROM trace WHERE tenant_id = $1 AND entra_user_id = $2 AND id <= (
    SELECT id FROM trace WHERE tenant_id = $1 AND entra_user_id = $2 ORDER BY id DESC LIMIT 1 OFFSET $6)`;

function traceParams(e: TraceEntry, keep: number): unknown[] {
  return [e.tenantId, e.entraUserId, e.at, e.kind, jsonText(e.detail), Math.max(1, keep) - 1];
}

function leaseRecord(r: Record<string, unknown>): LeaseRecord {
  return {
    holder: String(r.holder),
    epoch: Number(r.epoch),
    expiresAt: Number(r.expires_at),
    renewedAt: r.renewed_at === null || r.renewed_at === undefined ? null : Number(r.renewed_at),
  };
}
