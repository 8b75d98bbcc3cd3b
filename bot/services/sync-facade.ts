import type {
  AddMonitorRequest,
  CheckStep,
  GroupSearchResponse,
  HealthView,
  MonitorView,
  PhoneResetResult,
  SyncStatus,
  UserDiagnostics,
} from '../../shared/api/contract';

/**
 * The slice of the sync service the bot and the API use. The sync engine (shared/sync) provides it; the
 * composition root adapts it to this shape, so the HTTP and bot code never depend on the engine's internals.
 */
export interface SyncFacade {
  status(tenantId: string, userId: string): Promise<SyncStatus>;
  resyncUser(tenantId: string, userId: string): Promise<void>;
  /**
   * Clears what Switchboard set for this user: our Teams session, and a phone DND we set (by this process or another),
   * never the user's own; answers the status after and what it did.
   */
  resetPhoneStatus(tenantId: string, userId: string): Promise<PhoneResetResult>;
  /** undefined when the tenant has no such user. */
  userDiagnostics(tenantId: string, userId: string): Promise<UserDiagnostics | undefined>;
  /**
   * Resyncs every selected user, reporting progress; resolves a one-line summary. The PBX side is read only where
   * the live CloudLink feed cannot vouch for it, unless `readEveryPbx`.
   */
  resyncAll(
    tenantId: string,
    progress: (done: number, total: number) => void,
    options?: { readEveryPbx?: boolean },
  ): Promise<string>;
  /** Runs every configuration check step, reporting the steps as they change; resolves the final steps. */
  configurationCheck(tenantId: string, progress: (steps: CheckStep[]) => void): Promise<CheckStep[]>;
  health(tenantId: string): Promise<HealthView>;
  /** Directory groups by name, for choosing the synced group (Graph's $search, with the app's permissions). */
  searchGroups(tenantId: string, text: string): Promise<GroupSearchResponse>;
  /** Re-applies the user selection after the admin changed it. */
  applySelection(tenantId: string): Promise<void>;
  /** The admin saved the tenant link: the next request uses it (and a newly linked CloudLink starts the sync). */
  linkChanged(tenantId: string): Promise<void>;
  monitors: {
    add(tenantId: string, request: AddMonitorRequest): Promise<MonitorView>;
    /** Signs the monitor in again and recreates its subscription (after "update required" or a failure). */
    authorize(tenantId: string, monitorId: string): Promise<MonitorView>;
    renew(tenantId: string, monitorId: string): Promise<MonitorView>;
    remove(tenantId: string, monitorId: string): Promise<void>;
  };
}

/**
 * A webhook handler the sync service exposes without any web framework: the server hands it what arrived and
 * sends back what it answers (Graph's validation handshake answers text/plain, so the content type is its choice).
 */
export type WebhookHandler = (request: {
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
}) => Promise<{ status: number; body?: unknown; contentType?: string }>;

export interface WebhookHandlers {
  graph: WebhookHandler;
  graphLifecycle: WebhookHandler;
  cloudlink: WebhookHandler;
}
