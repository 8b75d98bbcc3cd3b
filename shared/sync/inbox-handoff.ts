import type { PhoneResetResult, SyncStatus } from '../api/contract';
import type { PbxWebhookReading } from '../ports/cloudlink';
import type { SyncInbox } from '../ports/sync-inbox';
import type { SyncClock } from './clock';
import type { OwnableSyncService, ResyncOptions, ResyncProgress, ResyncResult, SyncLog } from './contract';
import { DelegatingSyncService } from './delegating-service';
import { InboxDrain } from './inbox-drain';
import { OwnerCalls, type OwnerCallPayload } from './owner-calls';
import type { SecretSealer } from './contract';
import { WebhookHandoff } from './webhook-handoff';
import type { CloudLinkAnswer, CloudLinkPost, GraphNotification, WebhookAnswer } from './webhooks';

/** How long a user's resync or phone reset asked on a standby waits for the owner before answering 202. */
export const OWNER_CALL_WAIT_MS = 20_000;

/**
 * What a standby uses instead of the engine it does not run (OwnedSyncService): webhooks are checked against the
 * store and handed over through the sync inbox; admin calls are queued for the owner.
 */
export class StandbyHandoff {
  constructor(
    private readonly webhooks: WebhookHandoff,
    private readonly calls: OwnerCalls,
  ) {}

  receiveGraphNotifications(items: GraphNotification[]): Promise<WebhookAnswer> {
    return this.webhooks.graph(items);
  }

  receiveCloudLinkPost(post: CloudLinkPost): Promise<CloudLinkAnswer> {
    return this.webhooks.cloudlink(post);
  }

  /** Waits as long as the owner takes: the admin job around it shows its progress and can be read from any process. */
  async resyncAll(
    progress?: (p: ResyncProgress) => void,
    options: ResyncOptions = {},
  ): Promise<ResyncResult> {
    const result = (await this.calls.call(
      { op: 'resyncAll', options: { ...options } },
      { waitMs: null, progress: (done, total) => progress?.({ done, total }) },
    )) as ResyncResult;
    // The row may be read finished before its last progress write: the result has the final numbers.
    progress?.({ done: result.done, total: result.total });
    return result;
  }

  async resyncUser(entraUserId: string): Promise<SyncStatus> {
    return (await this.calls.call(
      { op: 'resyncUser', userId: entraUserId },
      { waitMs: OWNER_CALL_WAIT_MS },
    )) as SyncStatus;
  }

  async resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult> {
    return (await this.calls.call(
      { op: 'resetPhoneStatus', userId: entraUserId },
      { waitMs: OWNER_CALL_WAIT_MS },
    )) as PhoneResetResult;
  }

  async refreshUsers(): Promise<Awaited<ReturnType<OwnableSyncService['refreshUsers']>>> {
    return (await this.calls.call({ op: 'refreshUsers' }, { waitMs: OWNER_CALL_WAIT_MS })) as Awaited<
      ReturnType<OwnableSyncService['refreshUsers']>
    >;
  }
}

/**
 * The engine as the owner runs it with a sync inbox: its start() also starts draining the inbox (LISTEN and the
 * fallback poll), and a stop or halt stops that first. Everything else is the engine's.
 */
export class DrainingSyncService extends DelegatingSyncService {
  constructor(
    inner: OwnableSyncService,
    readonly drain: InboxDrain,
  ) {
    super(inner);
  }

  override async start(): Promise<void> {
    await this.inner.start();
    // After the engine loaded its users: what waits in the inbox (a takeover's backlog) is applied to them.
    await this.drain.start();
  }

  override async stop(): Promise<void> {
    await this.drain.stop();
    await this.inner.stop();
  }

  override async halt(): Promise<void> {
    await this.drain.stop();
    await this.inner.halt();
  }
}

/**
 * Runs a call handed over by a standby on the owner's engine. Async, so a row it cannot run (no user id, an unknown
 * op) fails as a rejected promise into the call's row, never as a throw out of the drain.
 */
async function runCall(
  engine: OwnableSyncService,
  call: OwnerCallPayload,
  progress: (done: number, total: number) => void,
): Promise<unknown> {
  const user = () => {
    if (typeof call.userId !== 'string') throw new Error(`${call.op} needs a user id`);
    return call.userId;
  };
  switch (call.op) {
    case 'resyncAll':
      return engine.resyncAll((p) => progress(p.done, p.total), (call.options ?? {}) as ResyncOptions);
    case 'resyncUser':
      return engine.resyncUser(user());
    case 'resetPhoneStatus':
      return engine.resetPhoneStatus(user());
    case 'refreshUsers':
      return engine.refreshUsers();
    default:
      throw new Error(`unknown admin call ${String(call.op)}`);
  }
}

export interface InboxHandoffSettings {
  tenantId: string;
  inbox: SyncInbox;
  clock: SyncClock;
  log: SyncLog;
  fixedKey?: string;
  sealer?: SecretSealer;
  pollMs?: number;
  /** The CloudLink adapter's reader of webhook posts (CloudLinkPort.readWebhook). */
  readWebhook: (body: unknown) => PbxWebhookReading;
}

/**
 * Wires the sync inbox around one tenant's engine: the owner side (the engine that drains) and the standby side
 * (what OwnedSyncService uses while another process owns the tenant). See docs/architecture.md, "Webhooks land
 * anywhere".
 */
export function withSyncInbox(
  engine: OwnableSyncService,
  s: InboxHandoffSettings & { store: import('../ports/store').Store },
): { engine: DrainingSyncService; standby: StandbyHandoff } {
  const drain = new InboxDrain(
    { tenantId: s.tenantId, inbox: s.inbox, clock: s.clock, log: s.log, pollMs: s.pollMs },
    {
      onGraphNotifications: (items) => engine.onGraphNotifications(items),
      onPbxEvent: (event) => engine.onPbxEvent(event),
      readWebhook: s.readWebhook,
      runCall: (call, progress) => runCall(engine, call, progress),
    },
  );
  const standby = new StandbyHandoff(
    new WebhookHandoff({
      tenantId: s.tenantId,
      inbox: s.inbox,
      store: s.store,
      clock: s.clock,
      log: s.log,
      fixedKey: s.fixedKey,
      sealer: s.sealer,
      readWebhook: s.readWebhook,
    }),
    new OwnerCalls({ tenantId: s.tenantId, inbox: s.inbox, clock: s.clock, log: s.log }),
  );
  return { engine: new DrainingSyncService(engine, drain), standby };
}
