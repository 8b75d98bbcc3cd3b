import { randomBytes } from 'node:crypto';
import type { PbxEvent, PbxWebhookReading } from '../ports/cloudlink';
import type { Store } from '../ports/store';
import { InboxFullError, type InboxKind, type SyncInbox } from '../ports/sync-inbox';
import { isClientStateOf } from './client-state';
import type { SyncClock } from './clock';
import type { SecretSealer } from './contract';
import type { SyncLog } from './log';
import {
  acceptCloudLinkPost,
  type CloudLinkAnswer,
  type CloudLinkPost,
  type GraphNotification,
  type WebhookAnswer,
} from './webhooks';

/** Rows a tenant's inbox may hold before posts are refused (503, so Graph and CloudLink deliver them again later). */
export const INBOX_CAP = 10_000;
/** The largest event kept for the owner; Graph batches and CloudLink events are a few kilobytes. */
export const MAX_INBOX_PAYLOAD_BYTES = 256 * 1024;
/** After a refused CloudLink key, the stored key is read again at most this often (it may have been created since). */
const KEY_REREAD_MS = 5000;

export interface WebhookHandoffSettings {
  tenantId: string;
  inbox: SyncInbox;
  store: Store;
  clock: SyncClock;
  log: SyncLog;
  /** The CloudLink key fixed by configuration; otherwise the tenant's key sealed in the store. */
  fixedKey?: string;
  sealer?: SecretSealer;
  /** The CloudLink adapter's reader of webhook posts (CloudLinkPort.readWebhook). */
  readWebhook: (body: unknown) => PbxWebhookReading;
  cap?: number;
  maxPayloadBytes?: number;
}

const TRY_AGAIN: WebhookAnswer = { status: 503, problem: 'try again' };

/**
 * What a process that does not run the tenant's sync does with a webhook (issue 12): it authenticates the post
 * against the store (the current Graph clientState of the subscription named, the tenant's sealed CloudLink key), not
 * against an engine's memory, and writes what passes to the sync inbox for the owner. The answer says whether the row
 * is stored: 202, or 503 when the store did not take it (the sender delivers it again later).
 */
export class WebhookHandoff {
  private key: { value: string; readAt: number } | null = null;

  constructor(private readonly s: WebhookHandoffSettings) {}

  /** Change and lifecycle items alike: the owner tells them apart by each item's `lifecycleEvent`. */
  async graph(items: GraphNotification[]): Promise<WebhookAnswer> {
    let ours: GraphNotification[];
    try {
      ours = await this.authenticGraph(items);
    } catch (err) {
      this.s.log.error(
        { err, tenantId: this.s.tenantId, event: 'inbox.authFailed', source: 'graph' },
        'could not read the Graph subscriptions from the store to check a notification; Graph delivers it again',
      );
      return TRY_AGAIN;
    }
    if (ours.length < items.length) {
      // Like the owner's engine: a forged or outdated clientState is dropped, answered 202 so it is not resent.
      this.s.log.warn(
        {
          tenantId: this.s.tenantId,
          event: 'graph.clientStateRefused',
          refused: items.length - ours.length,
          subscriptionIds: [...new Set(items.filter((n) => !ours.includes(n)).map((n) => n.subscriptionId))],
        },
        'Graph notifications with a clientState that is not the current one of their subscription were dropped',
      );
    }
    if (ours.length === 0) return { status: 202 };
    return this.enqueue('graph', { items: ours });
  }

  async cloudlink(post: CloudLinkPost): Promise<CloudLinkAnswer> {
    let key: string | null;
    try {
      key = await this.cloudLinkKey(false);
    } catch (err) {
      this.s.log.error(
        { err, tenantId: this.s.tenantId, event: 'inbox.authFailed', source: 'cloudlink' },
        'could not read the CloudLink webhook key from the store; CloudLink delivers the event again',
      );
      return TRY_AGAIN;
    }
    if (key === null) return { status: 503, problem: "this process cannot check this tenant's webhook key" };
    // The owner gets the event as the CloudLink adapter read it here (null: a post the sync does not follow).
    let event: PbxEvent | null | undefined;
    const capture = (e: PbxEvent | null) => (event = e);
    const read = this.s.readWebhook;
    let answer = acceptCloudLinkPost(post, key, read, capture);
    if (answer.status === 401) {
      // Read again (at most every few seconds): the store's key is the truth, whatever this process read before.
      const stored = await this.cloudLinkKey(true).catch(() => key);
      if (stored !== null && stored !== key) answer = acceptCloudLinkPost(post, stored, read, capture);
    }
    if (answer.status !== 202 || event === undefined) return answer;
    const stored = await this.enqueue('cloudlink', { pbx: event });
    return stored.status === 202 && answer.event ? { ...stored, event: answer.event } : stored;
  }

  private async enqueue(kind: InboxKind, payload: Record<string, unknown>): Promise<WebhookAnswer> {
    const { tenantId, inbox, clock, log } = this.s;
    if (JSON.stringify(payload).length > (this.s.maxPayloadBytes ?? MAX_INBOX_PAYLOAD_BYTES)) {
      log.warn(
        { tenantId, event: 'inbox.tooLarge', kind },
        'a webhook event too large to hand over was refused',
      );
      return { status: 413, problem: 'event too large' };
    }
    try {
      await inbox.enqueue(tenantId, kind, payload, clock.now(), this.s.cap ?? INBOX_CAP);
      return { status: 202 };
    } catch (err) {
      if (err instanceof InboxFullError)
        log.error(
          { tenantId, event: 'inbox.full', kind, cap: err.cap },
          'the sync inbox is full: no process has run this tenant’s sync for long; webhooks are refused (503) ' +
            'until an owner drains it',
        );
      else
        log.error(
          { err, tenantId, event: 'inbox.enqueueFailed', kind },
          'could not hand a webhook event to the owner through the store; the sender delivers it again',
        );
      return TRY_AGAIN;
    }
  }

  /** The notifications whose clientState is, right now in the store, the one of the subscription they name. */
  private async authenticGraph(items: GraphNotification[]): Promise<GraphNotification[]> {
    const states = new Map<string, string | null>();
    for (const id of new Set(items.map((n) => n.subscriptionId))) {
      const m = await this.s.store.findMonitorBySubscription(this.s.tenantId, id);
      states.set(id, m && m.state !== 'deleted' ? m.clientState : null);
    }
    return items.filter((n) => {
      const expected = states.get(n.subscriptionId);
      return isClientStateOf(n.clientState, expected);
    });
  }

  /**
   * The tenant's CloudLink key. It is created once (by whichever process starts first) and never replaced, so it is
   * read from the store once; after a refused post it is read again, at most every few seconds. Null when this
   * process cannot know it (no sealer and no fixed key: each process then makes up its own).
   */
  private async cloudLinkKey(reread: boolean): Promise<string | null> {
    if (this.s.fixedKey) return this.s.fixedKey;
    const sealer = this.s.sealer;
    if (!sealer) return null;
    const now = this.s.clock.now();
    if (this.key && !(reread && now - this.key.readAt >= KEY_REREAD_MS)) return this.key.value;
    // Stores a key only when the tenant has none yet, like the owner's start does: the first process wins.
    const sealed = await this.s.store.initCloudLinkWebhookKey(
      this.s.tenantId,
      sealer.seal(randomBytes(24).toString('base64url')),
      now,
    );
    this.key = { value: sealer.open(sealed), readAt: now };
    return this.key.value;
  }
}
