import { randomUUID } from 'node:crypto';
import type {
  AddMonitorRequest,
  CheckStep,
  CodedText,
  CredentialProblem,
  GroupSearchResponse,
  HealthView,
  MonitorPasswordRequest,
  MonitorView,
  PhoneResetResult,
  SyncStatus,
  UserDiagnostics,
} from '../../shared/api/contract';
import { said } from '../../shared/api/texts/english';
import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { CloudLinkPort } from '../../shared/ports/cloudlink';
import { GraphError, type GraphGroup, type GraphPort } from '../../shared/ports/graph';
import {
  adminChangedMonitor,
  newMonitorRecord,
  type MonitorRecord,
  type Store,
} from '../../shared/ports/store';
import type { SyncService } from '../../shared/sync';
import { toMonitorView } from './monitor-view';
import { refuseKnownMonitor } from './monitor-names';
import { notFound, ServiceRefusal } from './refusal';
import { runConfigurationCheck, type ConfigCheckDeps } from './config-check';

/**
 * The slice of the sync service the bot and the API use, for any tenant: `syncFacade` below adapts the per-tenant
 * sync services (shared/sync) to it, so the HTTP and bot code never depend on the engine's internals.
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
  ): Promise<CodedText>;
  /** Runs every configuration check step, reporting the steps as they change; resolves the final steps. */
  configurationCheck(tenantId: string, progress: (steps: CheckStep[]) => void): Promise<CheckStep[]>;
  health(tenantId: string): Promise<HealthView>;
  /** Directory groups by name, for choosing the synced group (Graph's $search, with the app's permissions). */
  searchGroups(tenantId: string, text: string): Promise<GroupSearchResponse>;
  /**
   * The directory group with this id, or undefined when Graph knows none (a typo, a deleted group): checked before a
   * selection naming it is saved.
   */
  findGroup(tenantId: string, groupId: string): Promise<GraphGroup | undefined>;
  /** Re-applies the user selection after the admin changed it. */
  applySelection(tenantId: string): Promise<void>;
  /** The admin saved the mapping table: the next presence decision in this process uses it. */
  applyMapping(tenantId: string): Promise<void>;
  /** The admin saved the tenant link: the next request uses it (and a newly linked CloudLink starts the sync). */
  linkChanged(tenantId: string): Promise<void>;
  monitors: {
    add(tenantId: string, request: AddMonitorRequest): Promise<MonitorView>;
    /** Signs the monitor in again and recreates its subscription (after "update required" or a failure). */
    authorize(tenantId: string, monitorId: string): Promise<MonitorView>;
    renew(tenantId: string, monitorId: string): Promise<MonitorView>;
    /**
     * Gives the monitor a new password (sealed, with its expiry date or none) and signs it in with it: the way out for
     * a monitor whose password Entra refused or that expired.
     */
    setPassword(tenantId: string, monitorId: string, request: MonitorPasswordRequest): Promise<MonitorView>;
    remove(tenantId: string, monitorId: string): Promise<void>;
  };
}

/** One linked tenant's running sync service and the adapters it was built with. */
export interface TenantSync {
  service: SyncService;
  graph: GraphPort;
  cloudlink: CloudLinkPort;
  check: Omit<ConfigCheckDeps, 'monitorsNeeded'>;
}

const TRACE_IN_DIAGNOSTICS = 100;
/** A name picker shows a short list; a longer one means the admin should type more. */
const GROUPS_PER_SEARCH = 20;

/**
 * Adapts the per-tenant sync services (shared/sync) to what the API and the bot ask for. Monitor management goes
 * through the store and a user refresh, which makes the sync service reconcile its monitors and subscriptions.
 */
export function syncFacade(deps: {
  tenants: (tenantId: string) => TenantSync | undefined;
  store: Store;
  secretBox: SecretBox;
  logger: Logger;
  now: () => number;
  /** Re-reads the admin's documents (selection, mapping) so a change applies before users are refreshed. */
  reloadDocuments?: (tenantId: string) => Promise<void>;
  /** Makes the tenant's adapters use the link as it is stored now. */
  linkChanged?: (tenantId: string) => Promise<void>;
  /** Secrets of the tenant link that were refused, for the health page. */
  credentialProblems?: (tenantId: string) => CredentialProblem[];
}): SyncFacade {
  const { store } = deps;
  const tenant = (tenantId: string): TenantSync => {
    const t = deps.tenants(tenantId);
    if (!t)
      throw new ServiceRefusal(
        'conflict',
        'tenant_not_linked',
        'Switchboard is not linked to your tenant yet: an admin has to complete the tenant link first.',
      );
    return t;
  };
  const reconcile = async (tenantId: string) => {
    try {
      await tenant(tenantId).service.refreshUsers();
    } catch (e) {
      deps.logger.warn({ err: e, tenantId }, 'refreshing users after a monitor change failed');
    }
  };
  const monitorView = async (tenantId: string, monitorId: string): Promise<MonitorView> => {
    const m = await store.getMonitor(tenantId, monitorId);
    if (!m) throw notFound(`Monitor ${monitorId}`);
    return toMonitorView(m);
  };
  /**
   * 'new' with a newer updatedAt is how the sync learns that the admin acted: it takes the stored record over its own
   * and signs the monitor in again, even one whose refused sign-in waits for the admin (shared/sync/monitors.ts).
   */
  const restart = async (
    tenantId: string,
    monitorId: string,
    changes: Pick<Partial<MonitorRecord>, 'passwordSealed' | 'passwordExpiresAt'> = {},
  ): Promise<MonitorView> => {
    const m = await store.getMonitor(tenantId, monitorId);
    if (!m) throw notFound(`Monitor ${monitorId}`);
    await store.putMonitor(adminChangedMonitor(m, { ...changes, state: 'new', lastError: null }, deps.now()));
    await reconcile(tenantId);
    return monitorView(tenantId, monitorId);
  };

  return {
    status: (tenantId, userId) => tenant(tenantId).service.statusOf(userId),
    resyncUser: async (tenantId, userId) => void (await tenant(tenantId).service.resyncUser(userId)),
    resetPhoneStatus: (tenantId, userId) => tenant(tenantId).service.resetPhoneStatus(userId),
    async userDiagnostics(tenantId, userId): Promise<UserDiagnostics | undefined> {
      const t = tenant(tenantId);
      const user = await store.getUser(tenantId, userId);
      if (!user) return undefined;
      const failed = (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) });
      const [sync, teamsRaw, pbxRaw, trace] = await Promise.all([
        t.service.statusOf(userId),
        t.graph.getPresence(userId).catch(failed),
        user.pbxPrincipalId
          ? t.cloudlink.getPresence(user.pbxPrincipalId).catch(failed)
          : Promise.resolve(null),
        store.listTrace(tenantId, userId, TRACE_IN_DIAGNOSTICS),
      ]);
      return {
        user: {
          entraUserId: user.entraUserId,
          upn: user.upn,
          displayName: user.displayName,
          pbxPrincipalId: user.pbxPrincipalId,
          extension: user.extension,
        },
        sync,
        teamsRaw,
        pbxRaw,
        trace: trace.map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, detail: e.detail })),
      };
    },
    async resyncAll(tenantId, progress, options) {
      const result = await tenant(tenantId).service.resyncAll((p) => progress(p.done, p.total), options);
      progress(result.done, result.total);
      const { done, total } = result;
      return result.pbxReads === done
        ? said('resync.summaryEveryPhone', { done, total })
        : said('resync.summarySomePhones', { done, total, reads: result.pbxReads });
    },
    configurationCheck: (tenantId, progress: (steps: CheckStep[]) => void) => {
      const t = tenant(tenantId);
      return runConfigurationCheck(
        { ...t.check, monitorsNeeded: () => t.service.monitorsNeeded() },
        progress,
      );
    },
    async health(tenantId) {
      const view = tenant(tenantId).service.health();
      // The sync service does not know the tenant link; the secret's expiry is kept with it in the store.
      const expiresAt = (await store.getTenant(tenantId))?.clientSecretExpiresAt ?? null;
      return {
        ...view,
        secretExpiresAt:
          view.secretExpiresAt ?? (expiresAt === null ? null : new Date(expiresAt).toISOString()),
        credentialProblems: deps.credentialProblems?.(tenantId) ?? [],
      };
    },
    async searchGroups(tenantId, text): Promise<GroupSearchResponse> {
      try {
        return { items: await tenant(tenantId).graph.searchGroups(text, GROUPS_PER_SEARCH) };
      } catch (e) {
        throw groupsRefusal(e, 'search groups');
      }
    },
    async findGroup(tenantId, groupId) {
      try {
        return await tenant(tenantId).graph.getGroup(groupId);
      } catch (e) {
        throw groupsRefusal(e, 'read the group');
      }
    },
    linkChanged: (tenantId) => deps.linkChanged?.(tenantId) ?? Promise.resolve(),
    async applyMapping(tenantId) {
      // Without this the saving process waited for its periodic re-read (up to 10 s) while the page said "Saved.";
      // other processes still pick the change up on theirs.
      await deps.reloadDocuments?.(tenantId);
    },
    async applySelection(tenantId) {
      const t = tenant(tenantId);
      await deps.reloadDocuments?.(tenantId);
      await t.service.refreshUsers();
    },
    monitors: {
      async add(tenantId, request: AddMonitorRequest) {
        tenant(tenantId);
        const now = deps.now();
        const monitorId = randomUUID();
        // Before anything is stored: the sign-in below is what must not happen twice.
        await refuseKnownMonitor(store, tenantId, request.username);
        await store.putMonitor(
          newMonitorRecord(
            {
              tenantId,
              monitorId,
              username: request.username,
              passwordSealed: deps.secretBox.seal(request.password),
              passwordExpiresAt: request.passwordExpiresAt ? Date.parse(request.passwordExpiresAt) : null,
            },
            now,
          ),
        );
        await reconcile(tenantId);
        return monitorView(tenantId, monitorId);
      },
      authorize: (tenantId, monitorId) => restart(tenantId, monitorId),
      renew: (tenantId, monitorId) => restart(tenantId, monitorId),
      async setPassword(tenantId, monitorId, request) {
        tenant(tenantId);
        return restart(tenantId, monitorId, {
          passwordSealed: deps.secretBox.seal(request.password),
          passwordExpiresAt: request.passwordExpiresAt ? Date.parse(request.passwordExpiresAt) : null,
        });
      },
      async remove(tenantId, monitorId) {
        const m = await store.getMonitor(tenantId, monitorId);
        if (!m) throw notFound(`Monitor ${monitorId}`);
        await store.putMonitor(adminChangedMonitor(m, { state: 'deleted' }, deps.now()));
        await reconcile(tenantId);
      },
    },
  };
}

/** A failed Graph group read in words the admin can act on; the adapter has logged the call itself. */
function groupsRefusal(e: unknown, what: string): unknown {
  if (e instanceof GraphError && e.status === 403)
    return new ServiceRefusal(
      'upstream_failed',
      'graph_permission_missing',
      'Microsoft Graph refused to list groups: the app registration needs the GroupMember.Read.All ' +
        'application permission, with admin consent.',
    );
  if (e instanceof GraphError)
    return new ServiceRefusal(
      'upstream_failed',
      'graph_failed',
      `Microsoft Graph could not ${what} (${e.status ? `${e.status} ${e.code}` : e.code}); try again.`,
    );
  return e;
}
