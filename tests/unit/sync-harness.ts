/**
 * Builds a SyncService over the in-memory fakes, a throwaway SQLite store and a VirtualClock, the same way every sync
 * set-up builds it (tests/support/sync-setup.ts).
 */
import type { MappingTable, UserSelection } from '../../shared/api/contract';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { GraphError } from '../../shared/ports/graph';
import type { Store, UserRecord } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import {
  TenantBudget,
  type SyncDeps,
  type SyncOptions,
  type SyncService,
  type TenantBudgetOptions,
} from '../../shared/sync';
import { buildSyncService, matchedUser, seedMonitors } from '../support/sync-setup';
import { VirtualClock } from '../support/virtual-clock';
import { callEvent, FakeCloudLink, FakeGraph, FakeSubscriptions } from './sync-fakes';

export const TENANT = '11111111-1111-1111-1111-111111111111';

export interface Harness {
  clock: VirtualClock;
  graph: FakeGraph;
  cloudlink: FakeCloudLink;
  subs: FakeSubscriptions;
  store: Store;
  service: SyncService;
  /** The tenant's budget and metrics the service and the fake Graph meter through (a new one at each restart). */
  budget: TenantBudget;
  selection: UserSelection;
  mapping: MappingTable | undefined;
  /** Builds a fresh service over the same store, fakes and clock (a restart). */
  restart(): Promise<SyncService>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function userRecord(n: number, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    ...matchedUser(TENANT, {
      entraUserId: `u${n}`,
      upn: `u${n}@contoso.com`,
      displayName: `User ${n}`,
      pbxPrincipalId: `pbx-u${n}`,
      extension: String(1000 + n),
    }),
    ...extra,
  };
}

export async function harness(
  opts: {
    users?: number;
    mode?: 'notifications' | 'polling';
    options?: Partial<SyncOptions>;
    /** The tenant budget's rates (pbxReadsPerSecond, graphRatePerSecond). */
    budget?: Omit<TenantBudgetOptions, 'tenantId' | 'clock'>;
    store?: Store;
    onStoreError?: SyncDeps['onStoreError'];
    log?: SyncDeps['log'];
    resyncTurn?: SyncDeps['resyncTurn'];
  } = {},
): Promise<Harness> {
  const clock = new VirtualClock();
  const store = opts.store ?? (await openStore('sqlite::memory:'));
  const graph = new FakeGraph(clock, () => h.budget.graph.beforeRequest('presence'));
  const cloudlink = new FakeCloudLink();
  const subs = new FakeSubscriptions(clock);
  const users = Array.from({ length: opts.users ?? 1 }, (_, i) => userRecord(i + 1));
  await store.putUsers(users);
  for (const u of users) {
    graph.addUser(u.entraUserId);
    cloudlink.add(u.pbxPrincipalId as string);
  }
  const mode = opts.mode ?? 'notifications';
  if (mode === 'notifications')
    await seedMonitors(store, TENANT, [
      { monitorId: 'm1', username: 'monitor1@contoso.com', passwordSealed: 'sealed' },
    ]);
  // The fakes take Graph's and CloudLink's notifications straight to the service: nothing posts to the URLs.
  // A new process has a new budget; the set-up builds it first, as the composition root does.
  const newBudget = () => new TenantBudget({ tenantId: TENANT, clock, ...opts.budget });
  const build = (budget: TenantBudget) =>
    buildSyncService({
      tenantId: TENANT,
      clientId: '22222222-2222-2222-2222-222222222222',
      mode,
      webhookBase: 'https://switchboard.example/api/notifications',
      cloudLinkWebhooks: false,
      options: { pollIntervalMs: 5000, ...opts.options },
      monitorCredentials: (username) => ({ username, password: 'pw' }),
      deps: {
        budget,
        graph,
        subscriptions: subs,
        cloudlink,
        store,
        clock,
        mapping: () => h.mapping ?? DEFAULT_MAPPING,
        selection: () => h.selection,
        onStoreError: opts.onStoreError,
        log: opts.log,
        resyncTurn: opts.resyncTurn,
      },
    });
  // Graph notifies the subscription that covers the user; CloudLink posts an event naming the presentity.
  graph.onChange = (userId) => {
    for (const [id, s] of subs.live) {
      if (s.request.userIds.includes(userId)) {
        void h.service.onGraphNotifications([
          {
            subscriptionId: id,
            clientState: s.request.clientState,
            changeType: 'updated',
            resource: `communications/presences('${userId}')`,
          },
        ]);
      }
    }
  };
  cloudlink.onChange = (principalId) => {
    void h.service.onPbxEvent({ kind: 'presence', principalId, status: null, at: null });
  };
  // Calls reach the service as media events, one per call state change (presence says nothing of calls).
  cloudlink.onCall = (principalId, callId, stage) => {
    void h.service.onPbxEvent(callEvent(principalId, callId, stage, null));
  };
  const h: Harness = {
    clock,
    graph,
    cloudlink,
    subs,
    store,
    budget: newBudget(),
    service: undefined as unknown as SyncService,
    selection: {
      mode: 'allWithBlockList',
      blockList: [],
      groupId: null,
      allowList: [],
      sendToTeams: true,
      getFromTeams: true,
    },
    mapping: undefined,
    async restart() {
      await h.service.stop();
      h.budget = newBudget();
      h.service = build(h.budget);
      await h.service.start();
      await h.settle();
      return h.service;
    },
    /** Lets in-flight work finish; moves the clock 60 ms so rate-limiter waits (a few ms) can pass. */
    async settle() {
      for (let i = 0; i < 3; i++) await clock.advance(20, 10);
    },
    async close() {
      await h.service.stop();
      await store.close();
    },
  };
  h.service = build(h.budget);
  return h;
}

export const throttled = (retryAfterMs = 2000) =>
  new GraphError(429, 'TooManyRequests', 'throttled', undefined, retryAfterMs);
export const serverError = () => new GraphError(503, 'ServiceUnavailable', 'try later');
