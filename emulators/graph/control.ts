import type { JSONWebKeySet, JWTPayload } from 'jose';
import type { Directory, DirectoryUser } from '../common/directory';
import type { UserDeltaTracker } from './users-delta';
import type { Deliverer, DeliveryOptions, DeliveryRecord } from './delivery';
import type { ValidationTokenSigner } from './encryption';
import type { Faults, FaultSettings, RequestLogEntry } from './faults';
import type { PresenceSession, PreferredPresence } from './presence-model';
import type { PresenceSnapshot, PresenceStore } from './presence-store';
import type { SubscriptionRoutes } from './subscription-routes';
import type { LifecycleEvent, SubscriptionService } from './subscriptions';
import type { TeamsActivity, TeamsClientName, TeamsClients } from './teams-clients';
import type { TeamsDisplay } from './teams-display';
import type { ThrottleLimit, PresenceThrottle } from './throttling';

/**
 * The test-only handle on the emulated Graph: what users do in Teams, what the presence state is behind the API,
 * throttle limits, faults, the request log, subscriptions, deliveries and lifecycle events. The same operations are
 * offered over HTTP under /_control (see control-routes.ts) for tests that run the product in another process.
 */

export interface SubscriptionView {
  id: string;
  tenantId: string;
  appId: string;
  creatorId: string;
  resource: string;
  userIds: string[];
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
  includeResourceData: boolean;
  /** Notifications are paused (token behind it expired, or access revoked through the control API). */
  paused: boolean;
  /** Changes not delivered while paused. */
  lostNotifications: number;
}

export interface GraphControl {
  /** A user's Teams client does something (sign in/out, idle, a Teams call, a meeting, presenting). */
  teams(userId: string, activity: TeamsActivity['action'], client?: TeamsClientName): PresenceSnapshot;
  /** The user picks a status by hand in Teams (their preferred presence); `durationMs` defaults as Graph's. */
  setManualStatus(
    userId: string,
    availability: string,
    activity?: string,
    durationMs?: number,
  ): PresenceSnapshot;
  clearManualStatus(userId: string): PresenceSnapshot;
  /** What Graph says of the user now. */
  presence(userId: string): PresenceSnapshot;
  /** What colleagues see in the Teams client: Graph's presence as of `teamsDisplayDelayMs` ago (default: now). */
  teamsDisplay(userId: string): PresenceSnapshot;
  setTeamsDisplayDelay(ms: number): void;
  sessions(userId: string): PresenceSession[];
  preferred(userId: string): PreferredPresence | undefined;
  /** Re-evaluates fading, expiry and subscription lifetimes now (after moving a ManualClock without its ticks). */
  tick(): void;

  setThrottleLimit(limit: ThrottleLimit): void;
  throttleLimit(): ThrottleLimit;
  setFaults(faults: Partial<FaultSettings>): void;
  resetFaults(): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;

  subscriptions(): SubscriptionView[];
  deliveries(): DeliveryRecord[];
  clearDeliveries(): void;
  configureDelivery(options: Partial<DeliveryOptions> & { validationTimeoutMs?: number }): void;
  /**
   * Sends a lifecycle event now. reauthorizationRequired sent this way stands for revoked access: notifications pause
   * until the app calls /reauthorize or PATCH. subscriptionRemoved also deletes the subscription.
   */
  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<void>;
  /** The JWKS that verifies `validationTokens` of encrypted notifications. */
  validationTokenKeys(): Promise<JSONWebKeySet>;
  verifyValidationToken(token: string, expected: { tenantId: string; appId: string }): Promise<JWTPayload>;

  /** The directory changes while the product runs: new hires, renames, leavers (disabled or deleted), restores. */
  addUser(
    tenantId: string,
    input: Partial<DirectoryUser> & { userPrincipalName: string; displayName: string },
  ): DirectoryUser;
  updateUser(
    tenantId: string,
    userId: string,
    patch: Partial<Pick<DirectoryUser, 'userPrincipalName' | 'mail' | 'displayName' | 'accountEnabled'>>,
  ): DirectoryUser;
  /** Soft delete (recycle bin) unless `permanent`. */
  removeUser(tenantId: string, userId: string, options?: { permanent?: boolean }): void;
  restoreUser(tenantId: string, userId: string): DirectoryUser;
  /** Graph loses its change-tracking state: every delta or skip token handed out answers 410 syncStateNotFound. */
  resetDeltaTokens(): void;
}

export interface ControlParts {
  directory: Directory;
  userDelta: UserDeltaTracker;
  store: PresenceStore;
  teams: TeamsClients;
  throttle: PresenceThrottle;
  faults: Faults;
  subscriptions: SubscriptionService;
  subscriptionRoutes: SubscriptionRoutes;
  deliverer: Deliverer;
  signer: ValidationTokenSigner;
  display: TeamsDisplay;
}

export function createControl(p: ControlParts): GraphControl {
  return {
    teams: (userId, action, client) => p.teams.act(userId, { action } as TeamsActivity, client),
    setManualStatus: (userId, availability, activity, durationMs) =>
      p.teams.setManualStatus(userId, availability, activity, durationMs),
    clearManualStatus: (userId) => p.teams.clearManualStatus(userId),
    presence: (userId) => p.store.snapshot(userId),
    teamsDisplay: (userId) => p.display.shown(userId),
    setTeamsDisplayDelay: (ms) => p.display.setDelay(ms),
    sessions: (userId) => p.store.sessions(userId),
    preferred: (userId) => p.store.preferred(userId),
    tick: () => {
      p.store.reevaluateAll();
      p.subscriptions.checkTime();
    },
    setThrottleLimit: (limit) => p.throttle.setLimit(limit),
    throttleLimit: () => p.throttle.getLimit(),
    setFaults: (f) => p.faults.set(f),
    resetFaults: () => p.faults.reset(),
    requests: () => p.faults.requests(),
    clearRequests: () => p.faults.clearRequests(),
    subscriptions: () =>
      p.subscriptions.list().map((s) => ({
        id: s.id,
        tenantId: s.tenantId,
        appId: s.appId,
        creatorId: s.creatorId,
        resource: s.resource,
        userIds: [...s.userIds],
        notificationUrl: s.notificationUrl,
        lifecycleNotificationUrl: s.lifecycleNotificationUrl,
        clientState: s.clientState,
        expirationDateTime: new Date(s.expiresAt).toISOString(),
        includeResourceData: s.includeResourceData,
        paused: p.subscriptions.paused(s),
        lostNotifications: s.lost,
      })),
    deliveries: () => p.deliverer.list(),
    clearDeliveries: () => p.deliverer.reset(),
    configureDelivery: ({ validationTimeoutMs, ...delivery }) => {
      p.deliverer.configure(delivery);
      if (validationTimeoutMs !== undefined) p.subscriptionRoutes.configure({ validationTimeoutMs });
    },
    triggerLifecycle: async (subscriptionId, event) => {
      const s = p.subscriptions.get(subscriptionId);
      if (!s) throw new Error(`no subscription ${subscriptionId}`);
      await p.subscriptions.lifecycle(s, event, { revoke: true });
    },
    validationTokenKeys: () => p.signer.keys(),
    verifyValidationToken: (token, expected) => p.signer.verify(token, expected),
    addUser: (tenantId, input) => p.directory.addUser(tenantId, input),
    updateUser: (tenantId, userId, patch) => p.directory.updateUser(tenantId, userId, patch),
    removeUser: (tenantId, userId, options) => p.directory.removeUser(tenantId, userId, options),
    restoreUser: (tenantId, userId) => p.directory.restoreUser(tenantId, userId),
    resetDeltaTokens: () => p.userDelta.reset(),
  };
}
