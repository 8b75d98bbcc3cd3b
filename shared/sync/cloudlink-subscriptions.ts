import { randomBytes } from 'node:crypto';
import { ALL_CALLS_SUBJECT_FILTER, ALL_PRESENTITIES_FILTER } from '../adapters/cloudlink/subjects';
import type { CloudLinkSubscriptionView, CodedText } from '../api/contract';
import { english, said } from '../api/texts/english';
import type { CloudLinkPort, PbxSubscription, PbxSubscriptionRequest } from '../ports/cloudlink';
import type { Store } from '../ports/store';
import type { SyncClock } from './clock';
import type { SecretSealer } from './contract';
import type { SyncLog } from './log';

type Topic = PbxSubscriptionRequest['topic'];

/**
 * What we subscribe to at CloudLink, account-wide: presence (the PBX side of the sync) and media (calls: missed-call
 * notices, call state). One subscription per topic, all posting to the same webhook with the same key.
 */
export const CLOUDLINK_FEED_TOPICS: readonly { topic: Topic; subject: string }[] = [
  { topic: 'platform-api-presence', subject: ALL_PRESENTITIES_FILTER },
  { topic: 'platform-api-media', subject: ALL_CALLS_SUBJECT_FILTER },
];

export type { SecretSealer };

export interface CloudLinkSubscriptionSettings {
  tenantId: string;
  /** The webhook URL without the key. */
  webhookUrl: string;
  /** A key fixed by configuration; otherwise the tenant's key is kept (sealed) in the store. */
  fixedKey?: string;
  /** Without it the key cannot be kept: a fresh one per process, and every older subscription is deleted. */
  sealer?: SecretSealer;
  cloudlink: CloudLinkPort;
  store: Store;
  clock: SyncClock;
  /** A topic's subscription is live under this id, or (null) gone: the presence feed follows it. */
  onLive(topic: Topic, subscriptionId: string | null): void;
  /** Counts CloudLink subscription calls for the metrics and health (op, outcome). */
  count(op: string, outcome: string): void;
  /** Subscriptions created, reused, lost, refused and leaked ones deleted (never the key). */
  log: SyncLog;
}

interface TopicState {
  subscriptionId: string | null;
  since: number | null;
  /** Why the topic has no live subscription (or why its state is unknown). */
  problem: CodedText | null;
}

/**
 * Owns our CloudLink subscriptions, which outlive our process: after a crash they go on posting to our webhook. Their
 * ids and the webhook key are kept in the store, so a start (or a repair) reuses the ones CloudLink still has,
 * deletes the ones that post to our webhook but are not ours any more (leaked by an earlier process), and creates
 * what is missing: CloudLink ends up holding exactly one subscription per topic, however many crashes came before.
 */
export class CloudLinkSubscriptions {
  private key: string | null = null;
  private readonly topics = new Map<Topic, TopicState>(
    CLOUDLINK_FEED_TOPICS.map((t) => [t.topic, { subscriptionId: null, since: null, problem: null }]),
  );
  private running: Promise<void> | null = null;

  constructor(private readonly s: CloudLinkSubscriptionSettings) {}

  /** The key webhooks must carry; null until loaded. Never log it. */
  get webhookKey(): string | null {
    return this.key;
  }

  /** Loads the tenant's key from the store (creating it once), unless configuration fixes it. */
  async loadKey(): Promise<string> {
    if (this.key) return this.key;
    const fresh = () => randomBytes(24).toString('base64url');
    if (this.s.fixedKey) this.key = this.s.fixedKey;
    else if (this.s.sealer) {
      const sealed = await this.s.store.initCloudLinkWebhookKey(
        this.s.tenantId,
        this.s.sealer.seal(fresh()),
        this.s.clock.now(),
      );
      this.key = this.s.sealer.open(sealed);
    } else this.key = fresh();
    return this.key;
  }

  /**
   * Makes CloudLink hold exactly our subscriptions: the recorded ones it still has (with our current key) are kept,
   * other subscriptions posting to our webhook are deleted, and every topic without one gets a new one. Runs one at
   * a time; a call while one runs waits for it and runs again (something may have changed meanwhile).
   */
  async reconcile(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.reconcileOnce();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  /**
   * Asks CloudLink whether each live subscription still exists; re-creates every missing one. Answers whether the
   * presence subscription was there all along (so the feed's vouching can be trusted this time).
   */
  async check(): Promise<boolean> {
    let presenceOk = true;
    let repair = false;
    for (const { topic } of CLOUDLINK_FEED_TOPICS) {
      const t = this.state(topic);
      if (!t.subscriptionId) {
        repair = true;
        if (topic === 'platform-api-presence') presenceOk = false;
        continue;
      }
      try {
        if (await this.s.cloudlink.subscriptionExists(t.subscriptionId)) continue;
        this.s.count('getSubscription', 'gone');
        this.s.log.warn(
          {
            tenantId: this.s.tenantId,
            event: 'cloudlink.subscriptionLost',
            topic,
            subscriptionId: t.subscriptionId,
          },
          'CloudLink no longer has our subscription; creating it again',
        );
        this.lose(topic, said('health.cloudlinkSubscriptionRecreated'));
        repair = true;
      } catch {
        // CloudLink did not answer: keep the subscription, but do not lean on it this time.
        this.s.count('getSubscription', 'error');
      }
      if (topic === 'platform-api-presence') presenceOk = false;
    }
    if (repair) await this.reconcile();
    return presenceOk;
  }

  /** On a clean stop: deletes our subscriptions at CloudLink and forgets them. */
  async removeAll(): Promise<void> {
    for (const { topic } of CLOUDLINK_FEED_TOPICS) {
      const id = this.state(topic).subscriptionId;
      this.lose(topic, null);
      if (!id) continue;
      try {
        await this.s.cloudlink.unsubscribe(id);
        await this.s.store.deleteCloudLinkSubscription(this.s.tenantId, topic);
      } catch {
        // Left recorded: the next start finds it and reuses or deletes it.
      }
    }
  }

  /** Forgets the live subscriptions without touching CloudLink or the store (another process takes them over). */
  detach(): void {
    for (const { topic } of CLOUDLINK_FEED_TOPICS) this.lose(topic, null);
  }

  /** Whether every topic has a live subscription. */
  allLive(): boolean {
    return [...this.topics.values()].every((t) => t.subscriptionId !== null);
  }

  view(): CloudLinkSubscriptionView[] {
    return CLOUDLINK_FEED_TOPICS.map(({ topic }) => {
      const t = this.state(topic);
      return {
        topic,
        subscriptionId: t.subscriptionId,
        state: t.subscriptionId ? 'active' : t.problem ? 'failed' : 'none',
        since: t.since === null ? null : new Date(t.since).toISOString(),
        problem: t.problem && english(t.problem),
        ...(t.problem && { problemText: t.problem }),
      };
    });
  }

  private state(topic: Topic): TopicState {
    return this.topics.get(topic) as TopicState;
  }

  private lose(topic: Topic, problem: CodedText | null): void {
    const t = this.state(topic);
    const had = t.subscriptionId !== null;
    Object.assign(t, { subscriptionId: null, since: null, problem });
    if (had) this.s.onLive(topic, null);
  }

  private live(topic: Topic, subscriptionId: string): void {
    const t = this.state(topic);
    if (t.subscriptionId === subscriptionId) return;
    Object.assign(t, { subscriptionId, since: this.s.clock.now(), problem: null });
    this.s.onLive(topic, subscriptionId);
  }

  private target(): string {
    const url = this.s.webhookUrl;
    return `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(this.key ?? '')}`;
  }

  private async reconcileOnce(): Promise<void> {
    await this.loadKey();
    const { cloudlink, store, tenantId } = this.s;
    const target = this.target();
    const recorded = await store.listCloudLinkSubscriptions(tenantId);
    let listed: PbxSubscription[] | null = null;
    try {
      listed = await cloudlink.listSubscriptions();
      this.s.count('listSubscriptions', 'ok');
    } catch {
      this.s.count('listSubscriptions', 'error');
    }
    const keep = new Set<string>();
    for (const { topic, subject } of CLOUDLINK_FEED_TOPICS) {
      const rec = recorded.find((r) => r.topic === topic);
      // A key made up by this process (none kept) means no earlier subscription can carry it.
      const reusable = !!(this.s.fixedKey || this.s.sealer);
      if (rec && reusable && (await this.stillThere(rec.subscriptionId, listed, target))) {
        keep.add(rec.subscriptionId);
        this.live(topic, rec.subscriptionId);
        this.s.log.info(
          { tenantId, event: 'cloudlink.subscriptionReused', topic, subscriptionId: rec.subscriptionId },
          'CloudLink subscription kept from before',
        );
        continue;
      }
      // Ours but not reusable (another key, a webhook URL that moved): delete it, or it posts to nobody forever.
      if (rec) await cloudlink.unsubscribe(rec.subscriptionId).catch(() => undefined);
      try {
        const { subscriptionId } = await cloudlink.subscribe({ topic, subject, url: target });
        keep.add(subscriptionId);
        await store.putCloudLinkSubscription({
          tenantId,
          topic,
          subscriptionId,
          subjectFilter: subject,
          createdAt: this.s.clock.now(),
        });
        this.live(topic, subscriptionId);
        this.s.count('subscribe', 'ok');
        this.s.log.info(
          { tenantId, event: 'cloudlink.subscriptionCreated', topic, subscriptionId },
          'CloudLink subscription created',
        );
      } catch (e) {
        // The periodic resync tries again; the failure shows in the metrics and the health view.
        this.s.count('subscribe', 'error');
        this.s.log.warn(
          { tenantId, event: 'cloudlink.subscribeFailed', topic, err: e },
          'CloudLink refused our subscription; the next resync tries again',
        );
        this.lose(
          topic,
          said('health.cloudlinkSubscriptionRefused', { detail: e instanceof Error ? e.message : String(e) }),
        );
      }
    }
    // Leaked: posting to our webhook (any key) but not one we keep, e.g. made by a process that crashed.
    for (const sub of listed ?? []) {
      if (keep.has(sub.subscriptionId) || !sameEndpoint(sub.url, this.s.webhookUrl)) continue;
      try {
        await cloudlink.unsubscribe(sub.subscriptionId);
        this.s.count('deleteLeaked', 'ok');
        this.s.log.info(
          { tenantId, event: 'cloudlink.subscriptionLeakDeleted', subscriptionId: sub.subscriptionId },
          'deleted a CloudLink subscription an earlier process left posting to our webhook',
        );
      } catch {
        this.s.count('deleteLeaked', 'error');
      }
    }
  }

  /** Whether CloudLink still has the subscription, posting with our current key. */
  private async stillThere(id: string, listed: PbxSubscription[] | null, target: string): Promise<boolean> {
    if (listed) return listed.some((s) => s.subscriptionId === id && s.url === target);
    try {
      return await this.s.cloudlink.subscriptionExists(id);
    } catch {
      return true; // unknown: keep it rather than risk a second subscription doubling every event
    }
  }
}

/** The same webhook, whatever key its query carries. */
export function sameEndpoint(url: string, webhookUrl: string): boolean {
  const strip = (u: string) => {
    try {
      const parsed = new URL(u);
      parsed.searchParams.delete('key');
      return `${parsed.origin}${parsed.pathname}?${parsed.searchParams.toString()}`;
    } catch {
      return u;
    }
  };
  return strip(url) === strip(webhookUrl);
}
