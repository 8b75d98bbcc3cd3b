import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { SqliteClusterMembers } from './sqlite-cluster-members';
import { MIGRATIONS } from './migrations';
import { SqliteSyncInbox } from './sqlite-inbox';
import { SqliteTenantRegistry } from './sqlite-tenant-registry';
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

type Params = Record<string, string | number | null>;

function ownerOnly(file: string): void {
  chmodSync(file, 0o600);
}

/** SQLite has no boolean type and better-sqlite3 refuses to bind JS booleans. */
function bit(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

/**
 * The embedded store: one file, WAL so readers never wait for the writer. better-sqlite3 is synchronous, which
 * is fine here: each call is a short indexed statement, and the async Store interface lets PostgreSQL slot in.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** `path` is a file path or `:memory:`. */
  constructor(path: string) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Owner-only: the file holds sealed secrets, the directory and everyone's sync state. SQLite gives the -wal
      // and -shm files the database file's mode; files left 0644 by an older version are tightened here.
      closeSync(openSync(path, 'a', 0o600));
      ownerOnly(path);
    }
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    if (path !== ':memory:') for (const f of [`${path}-wal`, `${path}-shm`]) if (existsSync(f)) ownerOnly(f);
    // Another process holding the write lock briefly should delay us, not fail us.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    // Each wrapped once: better-sqlite3's transaction() builds a new wrapper (and its variants) on every call.
    const putSyncStates = (states: SyncStateRecord[]) =>
      states.map((s) => (this.writeSyncState(s) ? s.version + 1 : null));
    this.putSyncStatesTx = this.db.transaction(putSyncStates);
    this.appendTracesTx = this.db.transaction((entries: TraceEntry[], keep: number) =>
      this.writeTraces(entries, keep),
    );
  }

  private readonly putSyncStatesTx: (states: SyncStateRecord[]) => (number | null)[];
  private readonly appendTracesTx: (entries: TraceEntry[], keep: number) => void;

  /** Statements are prepared once and reused; they can only be prepared after migrate() created the tables. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  // Every text goes in without NUL, as PostgreSQL needs it (see rows.ts), so both stores keep the same.
  private all(sql: string, params: Params = {}): Row[] {
    return this.stmt(sql).all(storableParams(params)) as Row[];
  }

  private one(sql: string, params: Params): Row | undefined {
    return this.stmt(sql).get(storableParams(params)) as Row | undefined;
  }

  private run(sql: string, params: Params): number {
    return this.stmt(sql).run(storableParams(params)).changes;
  }

  async migrate(): Promise<void> {
    // IMMEDIATE takes the write lock up front, so two processes starting together migrate one after the other.
    this.db
      .transaction(() => {
        this.db.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
        );
        const applied = new Set(
          (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
            (r) => r.version,
          ),
        );
        for (const m of MIGRATIONS) {
          if (applied.has(m.version)) continue;
          this.db.exec(m.sqlite);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, Date.now());
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db.close();
  }

  // --- tenants ---

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const r = this.one('SELECT * FROM tenants WHERE tenant_id = @tenantId', { tenantId });
    return r && toTenant(r);
  }

  async listTenants(): Promise<TenantRecord[]> {
    return this.all('SELECT * FROM tenants ORDER BY tenant_id').map(toTenant);
  }

  async putTenant(t: TenantRecord): Promise<void> {
    this.run(
      `INSERT INTO tenants (tenant_id, display_name, client_id, client_secret_sealed, client_secret_expires_at,
         cloudlink_account_id, cloudlink_client_id, cloudlink_client_secret_sealed, settings, updated_at,
         client_secret_saved_at, cloudlink_client_secret_saved_at)
       VALUES (@tenantId, @displayName, @clientId, @secret, @secretExpiresAt, @clAccount, @clClient, @clSecret, @settings, @updatedAt,
         @secretSavedAt, @clSecretSavedAt)
       ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name, client_id = excluded.client_id,
         client_secret_sealed = excluded.client_secret_sealed, client_secret_expires_at = excluded.client_secret_expires_at,
         cloudlink_account_id = excluded.cloudlink_account_id, cloudlink_client_id = excluded.cloudlink_client_id,
         cloudlink_client_secret_sealed = excluded.cloudlink_client_secret_sealed, settings = excluded.settings,
         updated_at = excluded.updated_at, client_secret_saved_at = excluded.client_secret_saved_at,
         cloudlink_client_secret_saved_at = excluded.cloudlink_client_secret_saved_at`,
      {
        tenantId: t.tenantId,
        displayName: t.displayName,
        clientId: t.clientId,
        secret: t.clientSecretSealed,
        secretExpiresAt: t.clientSecretExpiresAt,
        clAccount: t.cloudlink?.accountId ?? null,
        clClient: t.cloudlink?.clientId ?? null,
        clSecret: t.cloudlink?.clientSecretSealed ?? null,
        settings: jsonText(t.settings),
        updatedAt: t.updatedAt,
        secretSavedAt: t.clientSecretSavedAt ?? null,
        clSecretSavedAt: t.cloudlink?.clientSecretSavedAt ?? null,
      },
    );
  }

  // --- monitors ---

  async listMonitors(tenantId: string): Promise<MonitorRecord[]> {
    return this.all('SELECT * FROM monitors WHERE tenant_id = @tenantId ORDER BY monitor_id', {
      tenantId,
    }).map(toMonitor);
  }

  async getMonitor(tenantId: string, monitorId: string): Promise<MonitorRecord | undefined> {
    const r = this.one('SELECT * FROM monitors WHERE tenant_id = @tenantId AND monitor_id = @monitorId', {
      tenantId,
      monitorId,
    });
    return r && toMonitor(r);
  }

  async putMonitor(m: MonitorRecord): Promise<void> {
    this.run(
      `INSERT INTO monitors (tenant_id, monitor_id, username, password_sealed, password_expires_at, state, subscription_id,
         subscription_expires_at, user_ids, client_state, last_error, updated_at, admin_version)
       VALUES (@tenantId, @monitorId, @username, @passwordSealed, @passwordExpiresAt, @state, @subscriptionId,
         @subscriptionExpiresAt, @userIds, @clientState, @lastError, @updatedAt, @adminVersion)
       ON CONFLICT (tenant_id, monitor_id) DO UPDATE SET username = excluded.username,
         password_sealed = excluded.password_sealed, password_expires_at = excluded.password_expires_at,
         state = excluded.state, subscription_id = excluded.subscription_id,
         subscription_expires_at = excluded.subscription_expires_at, user_ids = excluded.user_ids,
         client_state = excluded.client_state, last_error = excluded.last_error, updated_at = excluded.updated_at,
         admin_version = excluded.admin_version`,
      {
        tenantId: m.tenantId,
        monitorId: m.monitorId,
        username: m.username,
        passwordSealed: m.passwordSealed,
        passwordExpiresAt: m.passwordExpiresAt,
        state: m.state,
        subscriptionId: m.subscriptionId,
        subscriptionExpiresAt: m.subscriptionExpiresAt,
        userIds: jsonText(m.userIds),
        clientState: m.clientState,
        lastError: m.lastError,
        updatedAt: m.updatedAt,
        adminVersion: m.adminVersion,
      },
    );
  }

  async saveMonitorProgress(m: MonitorRecord): Promise<boolean> {
    const changed = this.run(
      `UPDATE monitors SET state = @state, subscription_id = @subscriptionId,
         subscription_expires_at = @subscriptionExpiresAt, user_ids = @userIds, client_state = @clientState,
         last_error = @lastError, updated_at = @updatedAt
       WHERE tenant_id = @tenantId AND monitor_id = @monitorId AND admin_version = @adminVersion`,
      {
        tenantId: m.tenantId,
        monitorId: m.monitorId,
        state: m.state,
        subscriptionId: m.subscriptionId,
        subscriptionExpiresAt: m.subscriptionExpiresAt,
        userIds: jsonText(m.userIds),
        clientState: m.clientState,
        lastError: m.lastError,
        updatedAt: m.updatedAt,
        adminVersion: m.adminVersion,
      },
    );
    return changed > 0;
  }

  async deleteMonitor(tenantId: string, monitorId: string): Promise<void> {
    this.run('DELETE FROM monitors WHERE tenant_id = @tenantId AND monitor_id = @monitorId', {
      tenantId,
      monitorId,
    });
  }

  async findMonitorBySubscription(
    tenantId: string,
    subscriptionId: string,
  ): Promise<MonitorRecord | undefined> {
    const r = this.one(
      'SELECT * FROM monitors WHERE tenant_id = @tenantId AND subscription_id = @subscriptionId',
      {
        tenantId,
        subscriptionId,
      },
    );
    return r && toMonitor(r);
  }

  // --- users ---

  async listUsers(tenantId: string): Promise<UserRecord[]> {
    return this.all('SELECT * FROM users WHERE tenant_id = @tenantId ORDER BY display_name, entra_user_id', {
      tenantId,
    }).map(toUser);
  }

  async getUser(tenantId: string, entraUserId: string): Promise<UserRecord | undefined> {
    const r = this.one('SELECT * FROM users WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId', {
      tenantId,
      entraUserId,
    });
    return r && toUser(r);
  }

  async getUserByPbxId(tenantId: string, pbxPrincipalId: string): Promise<UserRecord | undefined> {
    const r = this.one(
      'SELECT * FROM users WHERE tenant_id = @tenantId AND pbx_principal_id = @pbxPrincipalId LIMIT 1',
      {
        tenantId,
        pbxPrincipalId,
      },
    );
    return r && toUser(r);
  }

  async putUsers(users: UserRecord[]): Promise<void> {
    const sql = `INSERT INTO users (tenant_id, entra_user_id, upn, display_name, pbx_principal_id, extension, send_to_teams,
        get_from_teams, selected, updated_at)
      VALUES (@tenantId, @entraUserId, @upn, @displayName, @pbxPrincipalId, @extension, @sendToTeams, @getFromTeams,
        @selected, @updatedAt)
      ON CONFLICT (tenant_id, entra_user_id) DO UPDATE SET upn = excluded.upn, display_name = excluded.display_name,
        pbx_principal_id = excluded.pbx_principal_id, extension = excluded.extension,
        send_to_teams = excluded.send_to_teams, get_from_teams = excluded.get_from_teams,
        selected = excluded.selected, updated_at = excluded.updated_at`;
    this.db.transaction((batch: UserRecord[]) => {
      for (const u of batch) {
        this.run(sql, {
          tenantId: u.tenantId,
          entraUserId: u.entraUserId,
          upn: u.upn,
          displayName: u.displayName,
          pbxPrincipalId: u.pbxPrincipalId,
          extension: u.extension,
          sendToTeams: bit(u.sendToTeams),
          getFromTeams: bit(u.getFromTeams),
          selected: bit(u.selected),
          updatedAt: u.updatedAt,
        });
      }
    })(lastPerUser(users));
  }

  // --- sync state ---

  async getSyncState(tenantId: string, entraUserId: string): Promise<SyncStateRecord | undefined> {
    const r = this.one(
      'SELECT * FROM sync_states WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId',
      {
        tenantId,
        entraUserId,
      },
    );
    return r && toSyncState(r);
  }

  async listSyncStates(tenantId: string): Promise<SyncStateRecord[]> {
    return this.all('SELECT * FROM sync_states WHERE tenant_id = @tenantId ORDER BY entra_user_id', {
      tenantId,
    }).map(toSyncState);
  }

  async putSyncState(s: SyncStateRecord): Promise<number> {
    if (!this.writeSyncState(s)) throw new StoreConflictError(`sync state of ${s.entraUserId}`);
    return s.version + 1;
  }

  async putSyncStates(states: SyncStateRecord[]): Promise<(number | null)[]> {
    return this.putSyncStatesTx(states);
  }

  /** Writes the record if its version is the stored one; false (nothing written) otherwise. */
  private writeSyncState(s: SyncStateRecord): boolean {
    const params = {
      tenantId: s.tenantId,
      entraUserId: s.entraUserId,
      state: jsonText(s.state),
      lastSyncAt: s.lastSyncAt,
      lastError: s.lastError,
      expected: s.version,
      next: s.version + 1,
    };
    const changed =
      s.version === 0
        ? this.run(
            `INSERT INTO sync_states (tenant_id, entra_user_id, state, last_sync_at, last_error, version)
             VALUES (@tenantId, @entraUserId, @state, @lastSyncAt, @lastError, @next)
             ON CONFLICT (tenant_id, entra_user_id) DO NOTHING`,
            params,
          )
        : this.run(
            `UPDATE sync_states SET state = @state, last_sync_at = @lastSyncAt, last_error = @lastError, version = @next
             WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId AND version = @expected`,
            params,
          );
    return changed === 1;
  }

  // --- trace ---

  async appendTrace(e: TraceEntry, keep: number = TRACE_KEEP): Promise<void> {
    this.appendTracesTx([e], keep);
  }

  async appendTraces(entries: TraceEntry[], keep: number = TRACE_KEEP): Promise<void> {
    if (entries.length > 0) this.appendTracesTx(entries, keep);
  }

  private writeTraces(entries: TraceEntry[], keep: number): void {
    for (const e of entries) {
      const key = { tenantId: e.tenantId, entraUserId: e.entraUserId };
      this.run(
        'INSERT INTO trace (tenant_id, entra_user_id, at, kind, detail) VALUES (@tenantId, @entraUserId, @at, @kind, @detail)',
        { ...key, at: e.at, kind: e.kind, detail: jsonText(e.detail) },
      );
      this.run(
        `DELETE FROM trace WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId AND id <= (
           SELECT id FROM trace WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId
           ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
        { ...key, keep },
      );
    }
  }

  async listTrace(tenantId: string, entraUserId: string, limit: number = TRACE_KEEP): Promise<TraceEntry[]> {
    return this.all(
      'SELECT * FROM trace WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId ORDER BY id DESC LIMIT @limit',
      { tenantId, entraUserId, limit },
    ).map(toTrace);
  }

  // --- operator events ---

  async appendEvents(events: OperatorEvent[], keep: number = EVENTS_KEEP): Promise<void> {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const e of events)
        this.run(
          'INSERT INTO events (tenant_id, at, level, event, message, detail) VALUES (@tenantId, @at, @level, @event, @message, @detail)',
          { ...e, detail: jsonText(e.detail) },
        );
      for (const tenantId of new Set(events.map((e) => e.tenantId)))
        this.run(
          `DELETE FROM events WHERE tenant_id = @tenantId AND id <= (
             SELECT id FROM events WHERE tenant_id = @tenantId ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
          { tenantId, keep },
        );
    })();
  }

  async listEvents(tenantId: string, limit: number = EVENTS_KEEP): Promise<OperatorEvent[]> {
    return this.all('SELECT * FROM events WHERE tenant_id = @tenantId ORDER BY id DESC LIMIT @limit', {
      tenantId,
      limit,
    }).map(toEvent);
  }

  // --- problem reports ---

  async createReport(r: ProblemReport): Promise<void> {
    this.run(
      `INSERT INTO reports (tenant_id, report_id, reporter_id, reporter_name, category, description, source, diagnostics,
         status, history, created_at, updated_at)
       VALUES (@tenantId, @reportId, @reporterId, @reporterName, @category, @description, @source, @diagnostics,
         @status, @history, @createdAt, @updatedAt)`,
      reportParams(r),
    );
  }

  async getReport(tenantId: string, reportId: string): Promise<ProblemReport | undefined> {
    const r = this.one('SELECT * FROM reports WHERE tenant_id = @tenantId AND report_id = @reportId', {
      tenantId,
      reportId,
    });
    return r && toReport(r);
  }

  async listReports(
    tenantId: string,
    filter: { reporterId?: string; status?: ReportStatus } = {},
  ): Promise<ProblemReport[]> {
    return this.all(
      `SELECT * FROM reports WHERE tenant_id = @tenantId
         AND (@reporterId IS NULL OR reporter_id = @reporterId) AND (@status IS NULL OR status = @status)
       ORDER BY created_at DESC, report_id`,
      { tenantId, reporterId: filter.reporterId ?? null, status: filter.status ?? null },
    ).map(toReport);
  }

  async updateReport(r: ProblemReport): Promise<boolean> {
    const changed = this.run(
      `UPDATE reports SET reporter_name = @reporterName, category = @category, description = @description,
         diagnostics = @diagnostics, status = @status, history = @history, updated_at = @updatedAt
       WHERE tenant_id = @tenantId AND report_id = @reportId`,
      reportParams(r),
    );
    return changed === 1;
  }

  // --- conversations and user settings ---

  async putConversation(c: ConversationRecord): Promise<void> {
    this.run(
      `INSERT INTO conversations (tenant_id, key, reference, updated_at) VALUES (@tenantId, @key, @reference, @updatedAt)
       ON CONFLICT (tenant_id, key) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`,
      { tenantId: c.tenantId, key: c.key, reference: jsonText(c.reference), updatedAt: c.updatedAt },
    );
  }

  async getConversation(tenantId: string, key: string): Promise<ConversationRecord | undefined> {
    const r = this.one('SELECT * FROM conversations WHERE tenant_id = @tenantId AND key = @key', {
      tenantId,
      key,
    });
    return r && toConversation(r);
  }

  async listConversations(tenantId: string): Promise<ConversationRecord[]> {
    return this.all('SELECT * FROM conversations WHERE tenant_id = @tenantId ORDER BY key', { tenantId }).map(
      toConversation,
    );
  }

  async forgetConversation(tenantId: string, key: string, updatedAt: number): Promise<boolean> {
    const deleted = this.run(
      'DELETE FROM conversations WHERE tenant_id = @tenantId AND key = @key AND updated_at = @updatedAt',
      { tenantId, key, updatedAt },
    );
    return deleted === 1;
  }

  async getUserSettings(tenantId: string, entraUserId: string): Promise<UserSettings> {
    const r = this.one(
      'SELECT settings FROM user_settings WHERE tenant_id = @tenantId AND entra_user_id = @entraUserId',
      {
        tenantId,
        entraUserId,
      },
    );
    return r ? json<UserSettings>(r.settings) : { ...DEFAULT_USER_SETTINGS };
  }

  async putUserSettings(tenantId: string, entraUserId: string, settings: UserSettings): Promise<void> {
    this.run(
      `INSERT INTO user_settings (tenant_id, entra_user_id, settings) VALUES (@tenantId, @entraUserId, @settings)
       ON CONFLICT (tenant_id, entra_user_id) DO UPDATE SET settings = excluded.settings`,
      { tenantId, entraUserId, settings: jsonText(settings) },
    );
  }

  // --- notices and leases ---

  async markNoticeSent(tenantId: string, noticeKey: string, at: number): Promise<boolean> {
    const inserted = this.run(
      `INSERT INTO notices (tenant_id, notice_key, sent_at) VALUES (@tenantId, @noticeKey, @at)
       ON CONFLICT (tenant_id, notice_key) DO NOTHING`,
      { tenantId, noticeKey, at },
    );
    return inserted === 1;
  }

  async clearNotice(tenantId: string, noticeKey: string): Promise<void> {
    this.run('DELETE FROM notices WHERE tenant_id = @tenantId AND notice_key = @noticeKey', {
      tenantId,
      noticeKey,
    });
  }

  async forgetSyncStates(tenantId: string): Promise<void> {
    this.run('DELETE FROM sync_states WHERE tenant_id = @tenantId', { tenantId });
  }

  async putMissedCallRetry(r: MissedCallRetry): Promise<void> {
    this.run(
      `INSERT INTO missed_call_retries (tenant_id, call_id, user_id, call, attempts, next_at)
       VALUES (@tenantId, @callId, @userId, @call, @attempts, @nextAt)
       ON CONFLICT (tenant_id, call_id) DO UPDATE SET user_id = excluded.user_id, call = excluded.call,
         attempts = excluded.attempts, next_at = excluded.next_at`,
      {
        tenantId: r.tenantId,
        callId: r.call.callId,
        userId: r.userId,
        call: jsonText(r.call),
        attempts: r.attempts,
        nextAt: r.nextAt,
      },
    );
  }

  async dueMissedCallRetries(now: number, limit: number): Promise<MissedCallRetry[]> {
    return this.all(
      'SELECT * FROM missed_call_retries WHERE next_at <= @now ORDER BY next_at, tenant_id, call_id LIMIT @limit',
      { now, limit },
    ).map(toMissedCallRetry);
  }

  async claimMissedCallRetry(
    tenantId: string,
    callId: string,
    seenNextAt: number,
    until: number,
  ): Promise<boolean> {
    const changed = this.run(
      `UPDATE missed_call_retries SET next_at = @until
       WHERE tenant_id = @tenantId AND call_id = @callId AND next_at = @seenNextAt`,
      { tenantId, callId, seenNextAt, until },
    );
    return changed === 1;
  }

  async deleteMissedCallRetry(tenantId: string, callId: string): Promise<void> {
    this.run('DELETE FROM missed_call_retries WHERE tenant_id = @tenantId AND call_id = @callId', {
      tenantId,
      callId,
    });
  }

  async getDirectoryState(tenantId: string): Promise<Record<string, unknown> | undefined> {
    const r = this.one('SELECT state FROM directory_state WHERE tenant_id = @tenantId', { tenantId });
    return r ? json<Record<string, unknown>>(r.state) : undefined;
  }

  async putDirectoryState(tenantId: string, state: Record<string, unknown>, at: number): Promise<void> {
    this.run(
      `INSERT INTO directory_state (tenant_id, state, updated_at) VALUES (@tenantId, @state, @at)
       ON CONFLICT (tenant_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      { tenantId, state: JSON.stringify(state), at },
    );
  }

  async acquireLease(
    tenantId: string,
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
  ): Promise<number | null> {
    // A renewal (same holder, not yet expired) keeps the epoch; any other take starts a new term: epoch + 1.
    const r = this.one(
      `INSERT INTO leases (tenant_id, name, holder, expires_at, epoch, renewed_at)
       VALUES (@tenantId, @name, @holder, @expiresAt, 1, @now)
       ON CONFLICT (tenant_id, name) DO UPDATE SET
         epoch = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > @now
                 THEN leases.epoch ELSE leases.epoch + 1 END,
         holder = excluded.holder, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
       RETURNING epoch`,
      { tenantId, name, holder, expiresAt: now + ttlMs, now },
    );
    return r ? Number(r.epoch) : null;
  }

  async releaseLease(tenantId: string, name: string, holder: string): Promise<void> {
    // Expired, not deleted: the epoch must keep counting up, or a stale holder could meet its own number again.
    this.run(
      'UPDATE leases SET expires_at = 0 WHERE tenant_id = @tenantId AND name = @name AND holder = @holder',
      { tenantId, name, holder },
    );
  }

  async getLease(tenantId: string, name: string): Promise<LeaseRecord | undefined> {
    const r = this.one(
      'SELECT holder, epoch, expires_at, renewed_at FROM leases WHERE tenant_id = @tenantId AND name = @name',
      { tenantId, name },
    );
    return r ? leaseRecord(r) : undefined;
  }

  // --- CloudLink webhook key and subscriptions ---

  async initCloudLinkWebhookKey(tenantId: string, keySealed: string, at: number): Promise<string> {
    this.run(
      `INSERT INTO cloudlink_webhook_keys (tenant_id, key_sealed, created_at) VALUES (@tenantId, @keySealed, @at)
       ON CONFLICT (tenant_id) DO NOTHING`,
      { tenantId, keySealed, at },
    );
    const r = this.one('SELECT key_sealed FROM cloudlink_webhook_keys WHERE tenant_id = @tenantId', {
      tenantId,
    });
    return String(r?.key_sealed);
  }

  async listCloudLinkSubscriptions(tenantId: string): Promise<CloudLinkSubscriptionRecord[]> {
    return this.all('SELECT * FROM cloudlink_subscriptions WHERE tenant_id = @tenantId ORDER BY topic', {
      tenantId,
    }).map(toCloudLinkSubscription);
  }

  async putCloudLinkSubscription(s: CloudLinkSubscriptionRecord): Promise<void> {
    this.run(
      `INSERT INTO cloudlink_subscriptions (tenant_id, topic, subscription_id, subject_filter, created_at)
       VALUES (@tenantId, @topic, @subscriptionId, @subjectFilter, @createdAt)
       ON CONFLICT (tenant_id, topic) DO UPDATE SET subscription_id = excluded.subscription_id,
         subject_filter = excluded.subject_filter, created_at = excluded.created_at`,
      {
        tenantId: s.tenantId,
        topic: s.topic,
        subscriptionId: s.subscriptionId,
        subjectFilter: s.subjectFilter,
        createdAt: s.createdAt,
      },
    );
  }

  async deleteCloudLinkSubscription(tenantId: string, topic: string): Promise<void> {
    this.run('DELETE FROM cloudlink_subscriptions WHERE tenant_id = @tenantId AND topic = @topic', {
      tenantId,
      topic,
    });
  }

  // --- admin jobs ---

  async putJob(j: JobRecord): Promise<void> {
    this.run(
      `INSERT INTO jobs (tenant_id, job_id, kind, state, done, total, steps, summary, error, started_by, started_at,
         finished_at, heartbeat_at)
       VALUES (@tenantId, @jobId, @kind, @state, @done, @total, @steps, @summary, @error, @startedBy, @startedAt,
         @finishedAt, @heartbeatAt)
       ON CONFLICT (tenant_id, job_id) DO UPDATE SET kind = excluded.kind, state = excluded.state,
         done = excluded.done, total = excluded.total, steps = excluded.steps, summary = excluded.summary,
         error = excluded.error, started_by = excluded.started_by, started_at = excluded.started_at,
         finished_at = excluded.finished_at, heartbeat_at = excluded.heartbeat_at`,
      {
        tenantId: j.tenantId,
        jobId: j.jobId,
        kind: j.kind,
        state: j.state,
        done: j.done,
        total: j.total,
        steps: j.steps === null ? null : jsonText(j.steps),
        summary: j.summary,
        error: j.error,
        startedBy: j.startedBy,
        startedAt: j.startedAt,
        finishedAt: j.finishedAt,
        heartbeatAt: j.heartbeatAt,
      },
    );
  }

  async getJob(tenantId: string, jobId: string): Promise<JobRecord | undefined> {
    const r = this.one('SELECT * FROM jobs WHERE tenant_id = @tenantId AND job_id = @jobId', {
      tenantId,
      jobId,
    });
    return r && toJob(r);
  }

  async listJobs(tenantId: string, filter: { kind?: string; limit?: number } = {}): Promise<JobRecord[]> {
    return this.all(
      `SELECT * FROM jobs WHERE tenant_id = @tenantId AND (@kind IS NULL OR kind = @kind)
       ORDER BY started_at DESC, job_id LIMIT @limit`,
      { tenantId, kind: filter.kind ?? null, limit: filter.limit ?? -1 },
    ).map(toJob);
  }

  async pruneJobs(tenantId: string, keep: number): Promise<void> {
    this.run(
      `DELETE FROM jobs WHERE tenant_id = @tenantId AND state <> 'running' AND job_id NOT IN (
         SELECT job_id FROM jobs WHERE tenant_id = @tenantId AND state <> 'running'
         ORDER BY started_at DESC, job_id LIMIT @keep)`,
      { tenantId, keep },
    );
  }

  private inbox: SyncInbox | undefined;

  syncInbox(): SyncInbox {
    return (this.inbox ??= new SqliteSyncInbox(this.db));
  }

  private registry: TenantRegistry | undefined;

  tenantRegistry(): TenantRegistry {
    return (this.registry ??= new SqliteTenantRegistry(this.db));
  }
  private members: ClusterMembers | undefined;

  clusterMembers(): ClusterMembers {
    return (this.members ??= new SqliteClusterMembers(this.db));
  }
}

function reportParams(r: ProblemReport): Params {
  return {
    tenantId: r.tenantId,
    reportId: r.reportId,
    reporterId: r.reporterId,
    reporterName: r.reporterName,
    category: r.category,
    description: r.description,
    source: r.source,
    diagnostics: r.diagnostics === null ? null : jsonText(r.diagnostics),
    status: r.status,
    history: jsonText(r.history),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function leaseRecord(r: Record<string, unknown>): LeaseRecord {
  return {
    holder: String(r.holder),
    epoch: Number(r.epoch),
    expiresAt: Number(r.expires_at),
    renewedAt: r.renewed_at === null || r.renewed_at === undefined ? null : Number(r.renewed_at),
  };
}
