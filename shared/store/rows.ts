import type {
  CloudLinkSubscriptionRecord,
  ConversationRecord,
  JobRecord,
  MonitorRecord,
  ProblemReport,
  SyncStateRecord,
  OperatorEvent,
  TenantRecord,
  TraceEntry,
  UserRecord,
  MissedCall,
  MissedCallRetry,
} from '../ports/store';

/*
 * Row ⇄ record mapping shared by both stores. The drivers hand back the same columns in different clothes: SQLite
 * gives JSON as text, booleans as 0/1 and epoch ms as numbers; PostgreSQL gives JSONB as objects, real booleans and
 * BIGINT as strings (it cannot know the value fits a JS number). These helpers accept either.
 */
export type Row = Record<string, unknown>;

export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function num(value: unknown): number {
  return Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function boolOrNull(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function toTenant(r: Row): TenantRecord {
  return {
    tenantId: String(r.tenant_id),
    displayName: String(r.display_name),
    clientId: String(r.client_id),
    clientSecretSealed: strOrNull(r.client_secret_sealed),
    clientSecretExpiresAt: numOrNull(r.client_secret_expires_at),
    clientSecretSavedAt: numOrNull(r.client_secret_saved_at ?? null),
    cloudlink:
      r.cloudlink_account_id === null
        ? null
        : {
            accountId: String(r.cloudlink_account_id),
            clientId: String(r.cloudlink_client_id),
            clientSecretSealed: strOrNull(r.cloudlink_client_secret_sealed),
            clientSecretSavedAt: numOrNull(r.cloudlink_client_secret_saved_at ?? null),
          },
    settings: json(r.settings),
    updatedAt: num(r.updated_at),
  };
}

export function toMonitor(r: Row): MonitorRecord {
  return {
    tenantId: String(r.tenant_id),
    monitorId: String(r.monitor_id),
    username: String(r.username),
    passwordSealed: String(r.password_sealed),
    passwordExpiresAt: numOrNull(r.password_expires_at),
    state: String(r.state) as MonitorRecord['state'],
    subscriptionId: strOrNull(r.subscription_id),
    subscriptionExpiresAt: numOrNull(r.subscription_expires_at),
    userIds: json(r.user_ids),
    clientState: strOrNull(r.client_state),
    lastError: strOrNull(r.last_error),
    updatedAt: num(r.updated_at),
    adminVersion: num(r.admin_version),
  };
}

export function toUser(r: Row): UserRecord {
  return {
    tenantId: String(r.tenant_id),
    entraUserId: String(r.entra_user_id),
    upn: String(r.upn),
    displayName: String(r.display_name),
    pbxPrincipalId: strOrNull(r.pbx_principal_id),
    extension: strOrNull(r.extension),
    sendToTeams: boolOrNull(r.send_to_teams),
    getFromTeams: boolOrNull(r.get_from_teams),
    selected: Boolean(r.selected),
    updatedAt: num(r.updated_at),
  };
}

export function toSyncState(r: Row): SyncStateRecord {
  return {
    tenantId: String(r.tenant_id),
    entraUserId: String(r.entra_user_id),
    state: json(r.state),
    lastSyncAt: numOrNull(r.last_sync_at),
    lastError: strOrNull(r.last_error),
    version: num(r.version),
  };
}

export function toEvent(r: Row): OperatorEvent {
  return {
    tenantId: String(r.tenant_id),
    at: num(r.at),
    level: r.level === 'error' ? 'error' : 'warn',
    event: strOrNull(r.event),
    message: String(r.message),
    detail: json(r.detail),
  };
}

export function toTrace(r: Row): TraceEntry {
  return {
    tenantId: String(r.tenant_id),
    entraUserId: String(r.entra_user_id),
    at: num(r.at),
    kind: String(r.kind),
    detail: json(r.detail),
  };
}

export function toReport(r: Row): ProblemReport {
  return {
    tenantId: String(r.tenant_id),
    reportId: String(r.report_id),
    reporterId: String(r.reporter_id),
    reporterName: String(r.reporter_name),
    category: String(r.category),
    description: String(r.description),
    source: String(r.source) as ProblemReport['source'],
    diagnostics: r.diagnostics === null ? null : json(r.diagnostics),
    status: String(r.status) as ProblemReport['status'],
    history: json(r.history),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function toConversation(r: Row): ConversationRecord {
  return {
    tenantId: String(r.tenant_id),
    key: String(r.key),
    reference: json(r.reference),
    updatedAt: num(r.updated_at),
  };
}

export function toCloudLinkSubscription(r: Row): CloudLinkSubscriptionRecord {
  return {
    tenantId: String(r.tenant_id),
    topic: String(r.topic),
    subscriptionId: String(r.subscription_id),
    subjectFilter: String(r.subject_filter),
    createdAt: num(r.created_at),
  };
}

export function toJob(r: Row): JobRecord {
  return {
    tenantId: String(r.tenant_id),
    jobId: String(r.job_id),
    kind: String(r.kind),
    state: String(r.state) as JobRecord['state'],
    done: num(r.done),
    total: num(r.total),
    steps: r.steps === null || r.steps === undefined ? null : json(r.steps),
    summary: strOrNull(r.summary),
    error: strOrNull(r.error),
    startedBy: strOrNull(r.started_by),
    startedAt: num(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    heartbeatAt: num(r.heartbeat_at),
  };
}

/*
 * NUL (U+0000) at the store boundary. PostgreSQL refuses it in TEXT ("invalid byte sequence for encoding UTF8: 0x00")
 * and in JSONB ("\u0000 cannot be converted to text"); SQLite keeps it. Texts we do not control reach the store (a
 * PBX status text, a report description), so both stores drop every NUL of every text and JSON value they write:
 * the same record comes back from either, and no write fails over one character.
 */
// eslint-disable-next-line no-control-regex -- NUL is the very character this is about
const NUL = /\u0000/g;

/** The string without NUL characters. */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replace(NUL, '') : value;
}

/** Statement parameters with NUL dropped from every string (array or named). */
export function storableParams<T extends unknown[] | Record<string, unknown>>(params: T): T {
  const clean = (v: unknown) => (typeof v === 'string' ? withoutNul(v) : v);
  if (Array.isArray(params)) return params.map(clean) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = clean(v);
  return out as T;
}

/** JSON.stringify for a JSON column, with NUL dropped from every string value and key inside. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string') return withoutNul(v);
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.keys(v).some((k) => k.includes('\u0000'))
    )
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [withoutNul(k), x as unknown]));
    return v;
  });
}

/** putUsers upserts in one statement, which must not touch a row twice: keep the last record per (tenant, user). */
export function lastPerUser(users: UserRecord[]): UserRecord[] {
  const byKey = new Map<string, UserRecord>();
  for (const u of users) byKey.set(`${u.tenantId}\u0000${u.entraUserId}`, u);
  return [...byKey.values()];
}

export function toMissedCallRetry(r: Row): MissedCallRetry {
  return {
    tenantId: String(r.tenant_id),
    userId: String(r.user_id),
    call: json<MissedCall>(r.call),
    attempts: num(r.attempts),
    nextAt: num(r.next_at),
  };
}
