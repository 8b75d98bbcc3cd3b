/**
 * The HTTP API between the tab and the server, as types both sides compile against. The server (bot/) validates
 * every request body with zod before trusting it; these types describe the shapes on the wire. Paths are relative
 * to the server's origin. Every /api/me and /api/admin call carries `Authorization: Bearer <Teams SSO token>`.
 * Errors are always `ApiError` with a 4xx/5xx status.
 */

import type { CodedText } from './texts/coded-text';

export type { CodedText, TextParam } from './texts/coded-text';

export interface ApiError {
  error: {
    code: string;
    message: string;
    /** e.g. consent_required: the tab must ask the user to consent */ action?: string;
    /**
     * With `tenant_not_onboarded` (hosted mode): where the organisation's admin signs it up (admin consent). The
     * tab shows it as a link for the admin.
     */
    onboardUrl?: string;
  };
  requestId?: string;
}

export type ClientType = 'desktop' | 'web' | 'ios' | 'android';

/** GET /api/me */
export interface MeResponse {
  user: {
    id: string;
    displayName: string;
    upn: string;
    tenantId: string;
    isAdmin: boolean;
    /** Hosted mode: a Switchboard.Operator of the hosting provider's tenant; the tab shows the Operator page. */
    isOperator: boolean;
    /**
     * False for the hosting provider's own tenant when it is not also an onboarded customer: the tab then shows the
     * Operator page only (no calls, sync, settings or admin pages, which would be refused).
     */
    customerTenant: boolean;
  };
  settings: MySettings;
  /** How this user's click-to-call link is built per client type, after admin default and user override. */
  clickToCall: ClickToCallConfig;
  /** The company's dialling rules: the tab reads and dials numbers by them, never by the Teams UI language. */
  dialRules: DialRules;
}

/**
 * GET/PUT /api/admin/dial-rules, per tenant. `country`: ISO 3166-1 alpha-2 region national numbers are read in
 * (null until the admin sets it); `outsidePrefix`: the PBX's outside-line prefix ("0", "9") or ""; `dialWithPrefix`:
 * dial outside numbers as prefix + number instead of E.164. Meaning in shared/domain/dialing.ts and the admin guide.
 */
export interface DialRules {
  country: string | null;
  outsidePrefix: string;
  dialWithPrefix: boolean;
}

export interface ClickToCallConfig {
  /** For each client type: 'tel' or a custom scheme template containing {number}, e.g. "micollab://dial?number={number}". */
  byClient: Record<ClientType, string>;
}

export interface MySettings {
  missedCallNotice: boolean;
  clickToCall?: Partial<Record<ClientType, string>>;
}

/** PUT /api/me/settings: body MySettings, answers MySettings. */

export type CallFilter = 'all' | 'missed' | 'incoming' | 'outgoing';

/**
 * GET /api/me/calls?filter=&q=&top= for the first page, GET /api/me/calls?cursor= for each next one. A page holds the
 * matches among the records of one CloudLink read, so it may be short (even empty) while `nextCursor` is present.
 */
export interface CallsResponse {
  items: CallItem[];
  /** Opaque, sealed by the server and bound to the user; absent after the oldest call the PBX keeps. */
  nextCursor?: string;
}

export interface CallItem {
  callId: string;
  direction: 'inbound' | 'outbound';
  missed: boolean;
  /** The other party. */
  number: string;
  name: string | null;
  startedAt: string;
  endedAt: string | null;
  /** seconds talked (billingTime) */
  durationSeconds: number;
  ringSeconds: number;
}

/** GET /api/me/sync */
export interface SyncStatus {
  teams: { availability: string; activity: string; at: string | null } | null;
  pbx: {
    callState: 'idle' | 'ringing' | 'connected';
    dnd: boolean;
    statusText: string | null;
    at: string | null;
  } | null;
  /** What Switchboard last wrote, on which side, and when. */
  lastAssertion: { side: 'teams' | 'pbx'; what: string; at: string } | null;
  lastSyncAt: string | null;
  /** Whether this user is synced at all, and per direction. */
  enabled: { toTeams: boolean; fromTeams: boolean };
  /** In words, with what to do; null when all is well. */
  problem: Problem | null;
}

/**
 * A problem in words and what to do about it. `message` and `fix` are the server's English (kept for API clients and
 * older tabs); `messageText` and `fixText` name the same sentences by code (shared/api/texts/), so the tab can word
 * them in the reader's language. Absent for a problem stored before codes existed: its English is all there is.
 */
export interface Problem {
  message: string;
  fix: string;
  messageText?: CodedText;
  fixText?: CodedText;
}

/** What "reset phone status" did, so the admin is told (POST /api/admin/users/:id/reset-phone). */
export interface PhoneResetOutcome {
  /** Our Teams session was cleared. */
  teamsSessionCleared: boolean;
  /** The phone's DND turned off, with its status text: one Switchboard set (this process, another, or an earlier run). */
  phoneDndCleared: { statusText: string | null } | null;
  /** A phone DND left alone because it is the user's own (its text is none Switchboard writes). */
  phoneDndKept: { statusText: string | null } | null;
  /** Calls we believed in that the phone system never said had ended (forged, or their end lost): forgotten. */
  callsForgotten: number;
}

export interface PhoneResetResult extends SyncStatus {
  reset: PhoneResetOutcome;
}

export type ReportCategory = 'presence' | 'callHistory' | 'clickToCall' | 'signIn' | 'other';
export const REPORT_STATUSES = ['new', 'acknowledged', 'needsInfo', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** POST /api/me/reports */
export interface CreateReportRequest {
  category: ReportCategory;
  description: string;
  includeDiagnostics: boolean;
  client: { type: ClientType | 'unknown'; version?: string; locale?: string };
}

/** GET /api/me/reports/diagnostics-preview: exactly what a report would attach. */
export type DiagnosticsPreview = Record<string, unknown>;

export interface ReportSummary {
  reportId: string;
  category: ReportCategory;
  description: string;
  status: ReportStatus;
  createdAt: string;
  updatedAt: string;
  reporterName: string;
  source: 'bot' | 'tab';
  history: { at: string; by: string; status: ReportStatus; note?: string }[];
}

/** GET /api/me/reports and GET /api/admin/reports */
export interface ReportsResponse {
  items: ReportSummary[];
}

/** PATCH /api/admin/reports/:id */
export interface UpdateReportRequest {
  status: ReportStatus;
  note?: string;
}

// ---------------- admin ----------------

/** GET/PUT /api/admin/tenant. Secrets are write-only: GET answers whether one is set and when it expires. */
export interface TenantLinkView {
  tenantId: string;
  clientId: string;
  clientSecretSet: boolean;
  clientSecretExpiresAt: string | null;
  cloudlink: { accountId: string; clientId: string; clientSecretSet: boolean } | null;
  /**
   * Hosted mode: the app registration is the hosting partner's, not the customer's to change (a PUT naming client id,
   * secret or expiry answers 403 app_registration_managed); only the CloudLink link is shown for editing.
   */
  appManaged?: true;
}
export interface TenantLinkUpdate {
  clientId?: string;
  clientSecret?: string;
  clientSecretExpiresAt?: string;
  cloudlink?: { accountId: string; clientId: string; clientSecret?: string };
}

export interface MonitorView {
  monitorId: string;
  username: string;
  /** `standby`: a spare whose sign-in worked; no user needs it now. */
  state: 'new' | 'active' | 'renewing' | 'standby' | 'failed' | 'updateRequired' | 'deleted';
  userCount: number;
  subscriptionExpiresAt: string | null;
  passwordExpiresAt: string | null;
  lastError: string | null;
  /** The last error by code, beside its English (see Problem); absent for one stored before codes existed. */
  lastErrorText?: CodedText;
}
/** GET /api/admin/monitors */
export interface MonitorsResponse {
  items: MonitorView[];
  /** ceil(synced users / 650) */
  needed: number;
  syncedUsers: number;
}
/** POST /api/admin/monitors */
export interface AddMonitorRequest {
  username: string;
  password: string;
  passwordExpiresAt?: string;
}
/**
 * PUT /api/admin/monitors/{id}/password: the account's new password, and when it expires (absent: no date, since the
 * old password's date says nothing about the new one). Switchboard signs the monitor in with it at once.
 */
export interface MonitorPasswordRequest {
  password: string;
  passwordExpiresAt?: string;
}

/** One row of the admin's mapping table, Teams → PBX. */
export interface TeamsToPbxRule {
  availability: string;
  /** '*' matches any activity */
  activity: string;
  dnd: 'on' | 'off' | 'unchanged';
  statusText: string | null;
}
/** One row of the mapping table, PBX → Teams. */
export interface PbxToTeamsRule {
  pbxState: 'ringing' | 'connected' | 'dnd';
  /** null: do not show this PBX state in Teams */
  teams: { availability: string; activity: string } | null;
}
/** GET/PUT /api/admin/mapping */
export interface MappingTable {
  teamsToPbx: TeamsToPbxRule[];
  pbxToTeams: PbxToTeamsRule[];
}

/** GET/PUT /api/admin/selection */
export interface UserSelection {
  mode: 'allWithBlockList' | 'groupWithAllowList';
  blockList: string[];
  groupId: string | null;
  /** The group's name as the admin chose it (shown instead of the id); the id is what the sync uses. */
  groupName?: string | null;
  allowList: string[];
  sendToTeams: boolean;
  getFromTeams: boolean;
}

/** GET /api/admin/groups?q=: directory groups whose name has words starting with the words of `q`. */
export interface GroupSearchResponse {
  items: { id: string; displayName: string; description: string | null }[];
}

/**
 * GET/PUT /api/admin/click-to-call: body and answer ClickToCallConfig, the tenant's default per client type (every
 * type required; each 'tel' or a template the rule in shared/api/click-to-call.ts accepts). /api/me's clickToCall
 * is this, with the user's own overrides applied.
 */
export type AdminClickToCall = ClickToCallConfig;

/**
 * An admin call a standby handed to the process that runs the sync (a user's resync, phone reset, user refresh),
 * read at GET /api/admin/sync-requests/:id after the call was answered 202 `sync_queued`.
 */
export interface HandedRequestView {
  id: string;
  op: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** The call's answer once done (what the call would have answered), or { message } once failed. */
  result: unknown;
  finishedAt: string | null;
}

export interface JobView {
  jobId: string;
  kind: 'configurationCheck' | 'resyncAll';
  state: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  /** For configuration checks: one entry per step. */
  steps?: CheckStep[];
  summary?: string;
  /** The summary by code (shared/api/texts/check.ts), so the tab words it in the admin's language. */
  summaryText?: CodedText;
  /** The Entra user id of the admin who started it, when known. */
  startedBy?: string | null;
}

/** The configuration check's steps, in the order they run (bot/services/config-check.ts); the tab titles each one. */
export const CHECK_STEP_IDS = [
  'token',
  'permissions',
  'monitors',
  'subscriptions',
  'notificationUrl',
  'cloudlink',
  'secretExpiry',
  'adminNotices',
  'callHistoryLink',
] as const;
export type CheckStepId = (typeof CHECK_STEP_IDS)[number];

export interface CheckStep {
  id: string;
  title: string;
  state: 'pending' | 'running' | 'passed' | 'failed' | 'warning' | 'skipped';
  detail?: string;
  /** What the admin should do when the step failed. */
  fix?: string;
  /**
   * The detail and the fix by code, beside their English (see Problem). A detail that is a provider's own words
   * (an error message) has no code: it is shown as it came.
   */
  detailText?: CodedText;
  fixText?: CodedText;
}

/** GET /api/admin/users/:id/diagnostics */
export interface UserDiagnostics {
  user: {
    entraUserId: string;
    upn: string;
    displayName: string;
    pbxPrincipalId: string | null;
    extension: string | null;
  };
  sync: SyncStatus;
  teamsRaw: unknown;
  pbxRaw: unknown;
  trace: { at: string; kind: string; detail: Record<string, unknown> }[];
}

/** GET /api/admin/health */
export interface HealthView {
  latency: {
    direction: 'toTeams' | 'fromTeams';
    buckets: { le: number; count: number }[];
    p50: number | null;
    p95: number | null;
    p99: number | null;
  }[];
  queueDepth: number;
  errorsLastHour: number;
  subscriptions: Record<string, number>;
  throttledWaitsLastHour: number;
  secretExpiresAt: string | null;
  /** Secrets of the tenant link that were refused, with the fix; empty when every secret in use works. */
  credentialProblems?: CredentialProblem[];
  /** Our CloudLink subscriptions, one per topic (presence, media), and whether each is live. */
  cloudlinkSubscriptions?: CloudLinkSubscriptionView[];
  /**
   * Whether this process runs the tenant's sync engine: `owner`, or `standby` when another process holds the
   * tenant's sync lease (this one serves the API, tab and bot and takes over if the lease comes free).
   */
  syncOwnership?: { state: 'owner' | 'standby' | 'stopped'; detail: string | null; detailText?: CodedText };
  /** How Teams presence reaches us, and what the hybrid reads cost of the tenant's Graph presence budget. */
  teamsReads?: TeamsReadsView;
}

/** The Teams → PBX source: change notifications, polling, or both (hybrid: notifications plus budgeted reads). */
export interface TeamsReadsView {
  mode: 'notifications' | 'polling' | 'hybrid';
  /** How long one read of every user takes now (hybrid: as the spare budget allows; polling: the interval). */
  intervalMs: number | null;
  /** Hybrid: read requests in the last 30 s, and their share of the presence ceiling (1,350 per 30 s). */
  readsPer30s: number | null;
  budgetShare: number | null;
}

/** One of our CloudLink subscriptions, as the health view shows it. */
export interface CloudLinkSubscriptionView {
  topic: string;
  subscriptionId: string | null;
  /** `active`: CloudLink has it; `failed`: we could not (re)create it (see problem); `none`: not subscribed. */
  state: 'active' | 'failed' | 'none';
  since: string | null;
  problem: string | null;
  /** The problem by code, beside its English (see Problem). */
  problemText?: CodedText;
}

/** GET /api/admin/problems: the warnings and errors the server logged for the tenant, newest first. */
export interface OperatorEventsResponse {
  items: {
    at: string;
    level: 'warn' | 'error';
    /** A stable code such as outbound.refused, config.changed; null for lines without one. */
    event: string | null;
    message: string;
    /** The line's other fields (service, operation, status, code, requestId ...). Never a secret. */
    detail: Record<string, unknown>;
  }[];
}

/** A secret of the tenant link that Entra ID or CloudLink refused (a rotation gone wrong, a deleted secret). */
export interface CredentialProblem {
  service: 'entra' | 'cloudlink';
  /** The provider's code, e.g. AADSTS7000215. */
  code: string;
  /** When the refused secret was saved (ISO), if known. */
  secretSavedAt: string | null;
  /** When the refusal was first seen (ISO). */
  since: string;
  /** "The secret saved on 2026-12-01 was refused by Entra ID: AADSTS7000215." */
  message: string;
  fix: string;
  /** The message and the fix by code, beside their English (see Problem). */
  messageText?: CodedText;
  fixText?: CodedText;
}

/**
 * GET /api/admin/users?q=&skip=&top=: every Teams user, and every PBX user without a Teams match, sorted by name;
 * `q` searches name, UPN, PBX mail and extension; paged on the server (`top` 1–200, default 50).
 */
export interface AdminUsersResponse {
  items: AdminUserRow[];
  /** Rows matching `q` across all pages. */
  total: number;
  skip: number;
  top: number;
  /** When the directories were last read; `problem`: the last read failed (the list shows what was read before). */
  directory: {
    entraReadAt: string | null;
    pbxReadAt: string | null;
    /** `messageText`: the message by code, beside its English (see Problem), when a service refused or failed. */
    problem: { at: string; message: string; messageText?: CodedText } | null;
  };
}

/**
 * matched: paired by mail/UPN (or kept after a rename); manual: paired by the admin's override; noPbx: a Teams user
 * no PBX user is paired with. The others are PBX users without a Teams match: noMail (the PBX user has no mail),
 * notMatched (the mail names no Teams user), ambiguous (it fits several), contested (another PBX user claims or
 * holds the same Teams user).
 */
export type AdminUserStatus =
  'matched' | 'manual' | 'noPbx' | 'noMail' | 'notMatched' | 'ambiguous' | 'contested';

export interface AdminUserRow {
  /** Unique per row: the Entra object id, or `pbx:{principalId}` for a PBX user without a Teams match. */
  key: string;
  /** null for a PBX user without a Teams match. */
  entraUserId: string | null;
  upn: string | null;
  displayName: string;
  extension: string | null;
  selected: boolean;
  matched: boolean;
  status: AdminUserStatus;
  /** The row's PBX user: the one paired, or the one without a match. */
  pbx: { principalId: string; name: string; email: string | null; extension: string | null } | null;
  /** ambiguous: the Teams users the mail fits; contested: the Teams user claimed. */
  candidates: { entraUserId: string; upn: string; displayName: string }[];
  /** contested: the other PBX users claiming or holding the same Teams user. */
  rivals: { principalId: string; name: string }[];
}

/**
 * The admin's hand-made pairings, which win over mail/UPN matching. GET /api/admin/users/overrides lists them;
 * PUT /api/admin/users/overrides `{pbxPrincipalId, entraUserId}` sets one (replacing that PBX user's earlier one;
 * 409 when the Teams user is already overridden to another PBX user); DELETE /api/admin/users/overrides/:pbxPrincipalId
 * removes one. Both answer UserOverridesResponse after the users were paired again.
 */
export interface UserOverrideRequest {
  pbxPrincipalId: string;
  entraUserId: string;
}
export interface UserOverrideView extends UserOverrideRequest {
  pbxName: string | null;
  upn: string | null;
  /** The PBX or Teams user is gone or disabled, or the pair could not be applied. */
  stale: boolean;
}
export interface UserOverridesResponse {
  items: UserOverrideView[];
}
