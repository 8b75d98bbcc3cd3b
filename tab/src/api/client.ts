import type {
  AdminClickToCall,
  AddMonitorRequest,
  AdminUsersResponse,
  CallFilter,
  CallsResponse,
  DialRules,
  ClientType,
  CreateReportRequest,
  DiagnosticsPreview,
  HealthView,
  OperatorEventsResponse,
  PhoneResetResult,
  JobView,
  MappingTable,
  MeResponse,
  MonitorPasswordRequest,
  MonitorsResponse,
  MonitorView,
  MySettings,
  ReportStatus,
  ReportSummary,
  ReportsResponse,
  SyncStatus,
  TenantLinkUpdate,
  TenantLinkView,
  UpdateReportRequest,
  UserDiagnostics,
  UserOverrideRequest,
  UserOverridesResponse,
  UserSelection,
  GroupSearchResponse,
} from '../../../shared/api/contract';
import type { OperatorTenantsResponse } from '../../../shared/api/operator';
import { ApiRequestError } from './errors';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The typed client for the Switchboard API. Every call carries the Teams SSO token as a bearer token; the server
 * derives who the user is from it, never from anything else the tab sends.
 */
export class ApiClient {
  constructor(
    private readonly getToken: () => Promise<string>,
    private readonly baseUrl = '',
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  private readonly consentListeners = new Set<(e: ApiRequestError) => void>();

  /**
   * Any call may find that the server's on-behalf-of exchange needs the user's consent (it is decided per Graph
   * permission, not at sign-in); the shell listens once instead of every page handling it.
   */
  onConsentRequired(listener: (e: ApiRequestError) => void): () => void {
    this.consentListeners.add(listener);
    return () => this.consentListeners.delete(listener);
  }

  me = () => this.get<MeResponse>('/api/me');
  /** The first page of the call history, or the next one after the cursor the previous page gave. */
  calls = (q: { filter: CallFilter; q?: string; top: number } | { cursor: string }) =>
    this.get<CallsResponse>(
      `/api/me/calls?${params('cursor' in q ? { cursor: q.cursor } : { filter: q.filter, q: q.q || undefined, top: q.top })}`,
    );
  syncStatus = () => this.get<SyncStatus>('/api/me/sync');
  syncNow = () => this.send<SyncStatus>('POST', '/api/me/sync');
  saveSettings = (s: MySettings) => this.send<MySettings>('PUT', '/api/me/settings', s);
  myReports = () => this.get<ReportsResponse>('/api/me/reports');
  diagnosticsPreview = (client: { type: ClientType | 'unknown'; version?: string }) =>
    this.get<DiagnosticsPreview>(
      `/api/me/reports/diagnostics-preview?${params({ clientType: client.type, clientVersion: client.version })}`,
    );
  createReport = (r: CreateReportRequest) => this.send<ReportSummary>('POST', '/api/me/reports', r);
  /** Hosted mode, the provider's operators only: every organisation with its health. */
  operatorTenants = () => this.get<OperatorTenantsResponse>('/api/operator/tenants');

  admin = {
    tenant: () => this.get<TenantLinkView>('/api/admin/tenant'),
    saveTenant: (u: TenantLinkUpdate) => this.send<TenantLinkView>('PUT', '/api/admin/tenant', u),
    monitors: () => this.get<MonitorsResponse>('/api/admin/monitors'),
    addMonitor: (m: AddMonitorRequest) => this.send<MonitorView>('POST', '/api/admin/monitors', m),
    authorizeMonitor: (id: string) =>
      this.send<MonitorView>('POST', `/api/admin/monitors/${enc(id)}/authorize`),
    renewMonitor: (id: string) => this.send<MonitorView>('POST', `/api/admin/monitors/${enc(id)}/renew`),
    setMonitorPassword: (id: string, p: MonitorPasswordRequest) =>
      this.send<MonitorView>('PUT', `/api/admin/monitors/${enc(id)}/password`, p),
    deleteMonitor: (id: string) => this.send<void>('DELETE', `/api/admin/monitors/${enc(id)}`),
    mapping: () => this.get<MappingTable>('/api/admin/mapping'),
    saveMapping: (m: MappingTable) => this.send<MappingTable>('PUT', '/api/admin/mapping', m),
    selection: () => this.get<UserSelection>('/api/admin/selection'),
    saveSelection: (s: UserSelection) => this.send<UserSelection>('PUT', '/api/admin/selection', s),
    searchGroups: (q: string) => this.get<GroupSearchResponse>(`/api/admin/groups?${params({ q })}`),
    clickToCall: () => this.get<AdminClickToCall>('/api/admin/click-to-call'),
    dialRules: () => this.get<DialRules>('/api/admin/dial-rules'),
    saveDialRules: (r: DialRules) => this.send<DialRules>('PUT', '/api/admin/dial-rules', r),
    saveClickToCall: (c: AdminClickToCall) =>
      this.send<AdminClickToCall>('PUT', '/api/admin/click-to-call', c),
    users: (query: { q?: string; skip?: number; top?: number }) =>
      this.get<AdminUsersResponse>(
        `/api/admin/users?${params({ q: query.q || undefined, skip: query.skip || undefined, top: query.top })}`,
      ),
    overrides: () => this.get<UserOverridesResponse>('/api/admin/users/overrides'),
    setOverride: (o: UserOverrideRequest) =>
      this.send<UserOverridesResponse>('PUT', '/api/admin/users/overrides', o),
    removeOverride: (pbxPrincipalId: string) =>
      this.send<UserOverridesResponse>('DELETE', `/api/admin/users/overrides/${enc(pbxPrincipalId)}`),
    diagnostics: (userId: string) => this.get<UserDiagnostics>(`/api/admin/users/${enc(userId)}/diagnostics`),
    resyncUser: (userId: string) => this.send<SyncStatus>('POST', `/api/admin/users/${enc(userId)}/resync`),
    resetPhone: (userId: string) =>
      this.send<PhoneResetResult>('POST', `/api/admin/users/${enc(userId)}/reset-phone`),
    startCheck: () => this.send<JobView>('POST', '/api/admin/check'),
    startResyncAll: (options: { readEveryPbx?: boolean } = {}) =>
      this.send<JobView>('POST', '/api/admin/resync-all', options),
    job: (id: string) => this.get<JobView>(`/api/admin/jobs/${enc(id)}`),
    health: () => this.get<HealthView>('/api/admin/health'),
    problems: () => this.get<OperatorEventsResponse>('/api/admin/problems?limit=50'),
    reports: (status?: ReportStatus) => this.get<ReportsResponse>(`/api/admin/reports?${params({ status })}`),
    /** One report with the diagnostics attached to it (the list carries no diagnostics). */
    report: (id: string) =>
      this.get<{ reportId: string; diagnostics: Record<string, unknown> | null }>(
        `/api/admin/reports/${enc(id)}`,
      ),
    updateReport: (id: string, u: UpdateReportRequest) =>
      this.send<ReportSummary>('PATCH', `/api/admin/reports/${enc(id)}`, u),
  };

  private get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.getToken();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const answer: unknown = res.ok ? await res.json() : await res.json().catch(() => null);
    // 202 `sync_queued`: the process that runs the sync still works on the call, so the body is no answer to it.
    if (!res.ok || isQueued(answer)) {
      const error = ApiRequestError.fromBody(res.status, res.statusText, answer);
      if (error.needsConsent) this.consentListeners.forEach((listener) => listener(error));
      throw error;
    }
    return answer as T;
  }
}

function isQueued(body: unknown): boolean {
  return (body as { error?: { code?: unknown } } | null)?.error?.code === 'sync_queued';
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function params(values: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}
