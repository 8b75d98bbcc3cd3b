import type { Clock } from '../common/clock';
import type { Directory } from '../common/directory';
import type { Deliverer } from './delivery';
import { MINUTE } from './duration';
import { encryptResource, type SubscriberCertificate, type ValidationTokenSigner } from './encryption';
import { presenceJson } from './presence-routes';
import type { PresenceSnapshot } from './presence-store';

/**
 * The live presence subscriptions: their lifetimes, reauthorization challenges, lifecycle events, and the fan-out
 * of presence changes to the subscribers (encrypted when they asked for resource data). The HTTP side (create with
 * the validation handshake, renew, reauthorize, delete) is in subscription-routes.ts.
 */

/** Graph challenges for reauthorization ahead of the token (or subscription) expiry, then every 15 minutes. */
export const CHALLENGE_AHEAD_MS = 15 * MINUTE;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface Subscription {
  id: string;
  tenantId: string;
  appId: string;
  creatorId: string;
  resource: string;
  userIds: Set<string>;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expiresAt: number;
  includeResourceData: boolean;
  certificate?: SubscriberCertificate;
  encryptionCertificate?: string;
  /** When the token that created, renewed or reauthorized it expires; notifications pause from then on. */
  tokenExpiresAt: number;
  /** Set by a reauthorizationRequired raised through the control API (access revoked): notifications pause. */
  revoked: boolean;
  /** When the last reauthorizationRequired challenge went out (challenges repeat at most every 15 minutes). */
  challengedAt?: number;
  /** Change notifications lost while paused (Graph does not replay them; the app must resync). */
  lost: number;
}

/** `/communications/presences/{id}` or `/communications/presences?$filter=id in ('a','b')`; the user ids it names. */
export function parsePresenceResource(resource: string): string[] | undefined {
  const r = resource.trim().replace(/^\//, '');
  const single = /^communications\/presences\/([^/?]+)$/i.exec(r);
  if (single) return [decodeURIComponent(single[1] as string)];
  const many = /^communications\/presences\?\$filter=id\s+in\s+\((.*)\)$/i.exec(decodeURIComponent(r));
  if (!many) return undefined;
  const ids = (many[1] as string).split(',').map((s) => /^\s*'([^']*)'\s*$/.exec(s)?.[1]);
  if (ids.some((i) => i === undefined)) return undefined;
  return ids as string[];
}

export class SubscriptionService {
  private readonly subs = new Map<string, Subscription>();
  /** creator|app keys of creations still in their validation handshake, so a racing second create also gets 409. */
  private readonly pending = new Set<string>();
  private readonly stopTick: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly directory: Directory,
    private readonly deliverer: Deliverer,
    private readonly signer: ValidationTokenSigner,
  ) {
    this.stopTick = clock.every(1000, () => this.checkTime());
  }

  close(): void {
    this.stopTick();
  }

  list(): Subscription[] {
    this.checkTime();
    return [...this.subs.values()];
  }

  get(id: string): Subscription | undefined {
    this.checkTime();
    return this.subs.get(id);
  }

  /**
   * Expires subscriptions (deleted, as Graph does) and sends reauthorizationRequired when the token behind one, or
   * the subscription itself, is 15 minutes or less from expiry (again every 15 minutes while that holds).
   */
  checkTime(): void {
    const now = this.clock.now();
    for (const s of this.subs.values()) {
      if (now >= s.expiresAt) {
        this.subs.delete(s.id);
        continue;
      }
      const due = Math.min(s.tokenExpiresAt, s.expiresAt) - now <= CHALLENGE_AHEAD_MS;
      const quiet = s.challengedAt === undefined || now - s.challengedAt >= CHALLENGE_AHEAD_MS;
      if (due && quiet) void this.lifecycle(s, 'reauthorizationRequired');
    }
  }

  /** Notifications flow while the token behind the subscription is valid and access was not revoked. */
  paused(s: Subscription): boolean {
    return s.revoked || this.clock.now() >= s.tokenExpiresAt;
  }

  /**
   * Sends a lifecycle event. The control API uses it too: a reauthorizationRequired from there stands for revoked
   * access and pauses notifications until reauthorized; subscriptionRemoved deletes the subscription.
   */
  async lifecycle(s: Subscription, event: LifecycleEvent, options: { revoke?: boolean } = {}): Promise<void> {
    if (event === 'reauthorizationRequired') {
      s.challengedAt = this.clock.now();
      if (options.revoke) s.revoked = true;
    }
    if (event === 'subscriptionRemoved') this.subs.delete(s.id);
    if (!s.lifecycleNotificationUrl) return;
    const body = {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: new Date(s.expiresAt).toISOString(),
          tenantId: s.tenantId,
          clientState: s.clientState ?? null,
          lifecycleEvent: event,
        },
      ],
    };
    await this.deliverer.deliver(s.id, 'lifecycle', s.lifecycleNotificationUrl, body);
  }

  /** Fans a presence change out to every live subscription that covers the user. */
  onPresenceChange(snap: PresenceSnapshot): void {
    const now = this.clock.now();
    for (const s of this.subs.values()) {
      if (!s.userIds.has(snap.userId.toLowerCase()) || now >= s.expiresAt) continue;
      // A subscription sees only users of its own tenant, whatever ids it names.
      if (!this.directory.tenants.get(s.tenantId)?.users.has(snap.userId)) continue;
      if (this.paused(s)) {
        s.lost += 1;
        continue;
      }
      void this.notify(s, snap);
    }
  }

  private async notify(s: Subscription, snap: PresenceSnapshot): Promise<void> {
    const resource = `communications/presences('${snap.userId}')`;
    const item: Record<string, unknown> = {
      subscriptionId: s.id,
      clientState: s.clientState ?? null,
      changeType: 'updated',
      resource,
      subscriptionExpirationDateTime: new Date(s.expiresAt).toISOString(),
      tenantId: s.tenantId,
      resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': resource, id: snap.userId },
    };
    const body: Record<string, unknown> = { value: [item] };
    if (s.includeResourceData && s.certificate) {
      item.encryptedContent = encryptResource(
        { '@odata.type': '#Microsoft.Graph.presence', ...presenceJson(snap) },
        s.certificate,
      );
      body.validationTokens = [await this.signer.sign(s.tenantId, s.appId)];
    }
    await this.deliverer.deliver(s.id, 'change', s.notificationUrl, body);
  }

  json(s: Subscription, serviceRoot: string): Record<string, unknown> {
    return {
      '@odata.context': `${serviceRoot}/$metadata#subscriptions/$entity`,
      id: s.id,
      resource: s.resource,
      applicationId: s.appId,
      changeType: s.changeType,
      clientState: s.clientState ?? null,
      notificationUrl: s.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(s.expiresAt).toISOString(),
      creatorId: s.creatorId,
      includeResourceData: s.includeResourceData,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: s.encryptionCertificate ?? null,
      encryptionCertificateId: s.certificate?.id ?? null,
      notificationUrlAppId: null,
    };
  }

  /** True while the user already holds (or is creating) a presence subscription for this app. */
  holds(tenantId: string, appId: string, userId: string): boolean {
    const key = `${tenantId}|${appId}|${userId}`;
    return (
      this.pending.has(key) ||
      [...this.subs.values()].some((s) => `${s.tenantId}|${s.appId}|${s.creatorId}` === key)
    );
  }

  /** Reserves the user's one subscription slot while the validation handshake runs; returns the release. */
  reserve(tenantId: string, appId: string, userId: string): () => void {
    const key = `${tenantId}|${appId}|${userId}`;
    this.pending.add(key);
    return () => this.pending.delete(key);
  }

  add(s: Subscription): void {
    this.subs.set(s.id, s);
  }

  remove(id: string): void {
    this.subs.delete(id);
  }
}
