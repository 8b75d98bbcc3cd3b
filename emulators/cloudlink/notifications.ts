import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import { MAX_LOG_ENTRIES } from './gate';
import type { PbxEvent } from './pbx-types';
import { latencySampler, type LatencyModel, type LatencySample } from '../common/latency';

/**
 * The notifications service: webhook subscriptions per account and the delivery of PBX events to them.
 * A subscription (Mitel's samples: applicationId, deviceId = the webhook URL, transport "webhook", topic,
 * subjectFilter, optional publicationFilter) receives the events of its account whose topic matches and whose
 * subject matches subjectFilter, read as a regular expression the way Mitel's examples write it
 * ("/presentities/[^/]+$"). Deliveries are queued and posted asynchronously with a few retries, so a slow or broken
 * subscriber never holds up the PBX.
 */

export interface Subscription {
  subscriptionId: string;
  accountId: string;
  applicationId: string;
  deviceId: string;
  transport: 'webhook';
  topic: string;
  subjectFilter: string;
  createdOn: string;
}

export interface Delivery {
  subscriptionId: string;
  url: string;
  body: WebhookBody;
  attempts: number;
  /** The last HTTP status; 0 for a network failure or timeout. */
  status: number;
  delivered: boolean;
}

export interface WebhookBody {
  id: string;
  subscriptionId: string;
  applicationId: string;
  topic: string;
  method: string;
  subject: string;
  publishedOn: string;
  content: Record<string, unknown>;
}

export interface DeliveryOptions {
  /** Real-time waits before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
  /**
   * Time from a PBX change to the first attempt at its webhook (and the share never sent). CloudLink documents no
   * figure, so the default is none; the demo and the benchmark set one.
   */
  latency?: LatencyModel;
  /** Seed for `latency`, so a run replays. Default 1. */
  latencySeed?: number;
}

/** Assumption: CloudLink's retry policy is undocumented; three retries within ~6 s keep tests quick. */
export const DEFAULT_DELIVERY: DeliveryOptions = { retryDelaysMs: [200, 1000, 5000], timeoutMs: 5000 };

export const TOPICS = ['platform-api-media', 'platform-api-presence'] as const;

export class NotificationHub {
  private readonly subscriptions = new Map<string, Subscription & { pattern: RegExp }>();
  readonly deliveries: Delivery[] = [];
  options: DeliveryOptions = { ...DEFAULT_DELIVERY, retryDelaysMs: [...DEFAULT_DELIVERY.retryDelaysMs] };
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly clock: Clock) {}

  add(input: Omit<Subscription, 'subscriptionId' | 'createdOn'>): Subscription {
    const sub: Subscription = {
      ...input,
      subscriptionId: randomUUID(),
      createdOn: new Date(this.clock.now()).toISOString(),
    };
    this.subscriptions.set(sub.subscriptionId, { ...sub, pattern: new RegExp(sub.subjectFilter) });
    return sub;
  }

  get(accountId: string, subscriptionId: string): Subscription | undefined {
    const s = this.subscriptions.get(subscriptionId);
    return s && s.accountId === accountId ? strip(s) : undefined;
  }

  list(accountId: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.accountId === accountId).map(strip);
  }

  remove(accountId: string, subscriptionId: string): boolean {
    if (!this.get(accountId, subscriptionId)) return false;
    return this.subscriptions.delete(subscriptionId);
  }

  publish(event: PbxEvent): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.accountId !== event.accountId || sub.topic !== event.topic || !sub.pattern.test(event.subject))
        continue;
      const delivery: Delivery = {
        subscriptionId: sub.subscriptionId,
        url: sub.deviceId,
        attempts: 0,
        status: 0,
        delivered: false,
        body: {
          id: randomUUID(),
          subscriptionId: sub.subscriptionId,
          applicationId: sub.applicationId,
          topic: event.topic,
          method: event.method,
          subject: event.subject,
          publishedOn: new Date(this.clock.now()).toISOString(),
          content: event.content,
        },
      };
      this.deliveries.push(delivery);
      if (this.deliveries.length > MAX_LOG_ENTRIES)
        this.deliveries.splice(0, this.deliveries.length - MAX_LOG_ENTRIES);
      const p = this.deliver(delivery).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Resolves when every queued delivery has succeeded or given up (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private latencyFor: { options: DeliveryOptions; sample: () => LatencySample } | null = null;

  /** The configured time before a first attempt; the sampler restarts from its seed when the options change. */
  private latency(): LatencySample {
    if (!this.options.latency) return 0;
    if (this.latencyFor?.options !== this.options)
      this.latencyFor = {
        options: this.options,
        sample: latencySampler(this.options.latency, this.options.latencySeed ?? 1),
      };
    return this.latencyFor.sample();
  }

  private async deliver(d: Delivery): Promise<void> {
    const latency = this.latency();
    if (latency === 'lost') return;
    // Let the PBX finish its change before the first attempt.
    if (latency > 0) await new Promise<void>((resolve) => setTimeout(resolve, latency).unref());
    else await new Promise<void>((resolve) => setImmediate(resolve));
    for (let attempt = 0; ; attempt++) {
      d.attempts++;
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(d.body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        d.status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          d.delivered = true;
          return;
        }
      } catch {
        d.status = 0;
      }
      const wait = this.options.retryDelaysMs[attempt];
      if (wait === undefined) return;
      await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
    }
  }
}

function strip(s: Subscription): Subscription {
  return {
    subscriptionId: s.subscriptionId,
    accountId: s.accountId,
    applicationId: s.applicationId,
    deviceId: s.deviceId,
    transport: s.transport,
    topic: s.topic,
    subjectFilter: s.subjectFilter,
    createdOn: s.createdOn,
  };
}
