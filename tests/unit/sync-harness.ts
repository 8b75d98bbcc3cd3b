/** Builds a SyncService over the in-memory fakes, a throwaway SQLite store and a VirtualClock. */
import type { MappingTable, UserSelection } from '../../shared/api/contract';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { GraphError } from '../../shared/ports/graph';
import type { Store, UserRecord } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { VirtualClock } from '../../shared/sync/clock';
import { createSyncService, type SyncDeps, type SyncOptions, type SyncService } from '../../shared/sync';
import { callEvent, FakeCloudLink, FakeGraph, FakeSubscriptions } from './sync-fakes';

export const TENANT = '11111111-1111-1111-1111-111111111111';

export interface Harness {
  clock: VirtualClock;
  graph: FakeGraph;
  cloudlink: FakeCloudLink;
  subs: FakeSubscriptions;
  store: Store;
  service: SyncService;
  selection: UserSelection;
  mapping: MappingTable | undefined;
  /** Builds a fresh service over the same store, fakes and clock (a restart). */
  restart(): Promise<SyncService>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function userRecord(n: number, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    tenantId: TENANT,
    entraUserId: `u${n}`,
    upn: `u${n}@contoso.com`,
    displayName: `User ${n}`,
    pbxPrincipalId: `pbx-u${n}`,
    extension: String(1000 + n),
    sendToTeams: null,
    getFromTeams: null,
    selected: true,
    updatedAt: 0,
    ...extra,
  };
}

export async function harness(
  opts: {
    users?: number;
    mode?: 'notifications' | 'polling';
    options?: Partial<SyncOptions>;
    store?: Store;
    onStoreError?: SyncDeps['onStoreError'];
    log?: SyncDeps['log'];
  } = {},
): Promise<Harness> {
  const clock = new VirtualClock();
  const store = opts.store ?? (await openStore('sqlite::memory:'));
  const graph = new FakeGraph(clock, () => h.service.beforeGraphRequest('presence'));
  const cloudlink = new FakeCloudLink();
  const subs = new FakeSubscriptions(clock);
  const users = Array.from({ length: opts.users ?? 1 }, (_, i) => userRecord(i + 1));
  await store.putUsers(users);
  for (const u of users) {
    graph.addUser(u.entraUserId);
    cloudlink.add(u.pbxPrincipalId as string);
  }
  const mode = opts.mode ?? 'notifications';
  if (mode === 'notifications') {
    await store.putMonitor({
      tenantId: TENANT,
      monitorId: 'm1',
      username: 'monitor1@contoso.com',
      passwordSealed: 'sealed',
      passwordExpiresAt: null,
      state: 'new',
      subscriptionId: null,
      subscriptionExpiresAt: null,
      userIds: [],
      clientState: null,
      lastError: null,
      updatedAt: 0,
    });
  }
  const build = () =>
    createSyncService(
      {
        tenantId: TENANT,
        clientId: '22222222-2222-2222-2222-222222222222',
        mode,
        notificationUrl: 'https://switchboard.example/api/notifications/graph',
        lifecycleNotificationUrl: 'https://switchboard.example/api/notifications/graph/lifecycle',
        pollIntervalMs: 5000,
        resyncIntervalMs: 0,
        ...opts.options,
      },
      {
        graph,
        subscriptions: subs,
        cloudlink,
        store,
        clock,
        monitorCredentials: (username) => ({ username, password: 'pw' }),
        mapping: () => h.mapping ?? DEFAULT_MAPPING,
        selection: () => h.selection,
        onStoreError: opts.onStoreError,
        log: opts.log,
      },
    );
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
    service: build(),
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
      h.service = build();
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
  return h;
}

export const throttled = (retryAfterMs = 2000) =>
  new GraphError(429, 'TooManyRequests', 'throttled', undefined, retryAfterMs);
export const serverError = () => new GraphError(503, 'ServiceUnavailable', 'try later');
