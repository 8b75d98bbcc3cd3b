import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import type { Directory } from '../common/directory';
import { type ApiCall, ApiRoutes, objectBody } from './api';
import { type Caller, hasAny, PERMISSIONS } from './auth';
import type { Deliverer } from './delivery';
import { MINUTE } from './duration';
import { encryptResource, parseCertificate, type SubscriberCertificate, type ValidationTokenSigner } from './encryption';
import { badRequest, GraphFailure, subscriptionFailure } from './errors';
import { MAX_PRESENCE_IDS, presenceJson } from './presence-routes';
import type { PresenceSnapshot } from './presence-store';
import { validateEndpoint } from './validation-handshake';

/**
 * Presence change-notification subscriptions: create (with the validation handshake), read, renew (PATCH),
 * reauthorize, delete; lifecycle events; and fan-out of presence changes to the subscribers. Only what Graph
 * allows for presence: delegated Presence.Read.All, changeType `updated`, at most 60 minutes, at most 650 ids, one
 * presence subscription per user per app.
 */

export const MAX_LIFETIME_MS = 60 * MINUTE;
export const MAX_CLIENT_STATE = 128;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  /** When the token that created, renewed or reauthorized it expires; reauthorization is required from then on. */
  tokenExpiresAt: number;
  reauthorizationRequired: boolean;
  /** Change notifications held back while reauthorization was required (answered with a `missed` event). */
  withheld: number;
}

export interface SubscriptionOptions {
  validationTimeoutMs: number;
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

function isoOrUndefined(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
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
    private options: SubscriptionOptions,
  ) {
    this.stopTick = clock.every(1000, () => this.checkTime());
  }

  configure(options: Partial<SubscriptionOptions>): void {
    this.options = { ...this.options, ...options };
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

  /** Expires subscriptions (deleted, as Graph does) and raises reauthorizationRequired when a token lapses. */
  checkTime(): void {
    const now = this.clock.now();
    for (const s of this.subs.values()) {
      if (now >= s.expiresAt) {
        this.subs.delete(s.id);
        continue;
      }
      if (!s.reauthorizationRequired && now >= s.tokenExpiresAt) void this.lifecycle(s, 'reauthorizationRequired');
    }
  }

  /** Sends a lifecycle event (also the control API's way to trigger one). subscriptionRemoved deletes the subscription. */
  async lifecycle(s: Subscription, event: LifecycleEvent): Promise<void> {
    if (event === 'reauthorizationRequired') s.reauthorizationRequired = true;
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
      if (s.reauthorizationRequired) {
        s.withheld += 1;
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
      item.encryptedContent = encryptResource({ '@odata.type': '#Microsoft.Graph.presence', ...presenceJson(snap) }, s.certificate);
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

  private owned(call: ApiCall, operation: string): Subscription {
    const s = this.get(call.params.id as string);
    const c = call.caller;
    if (!s || s.tenantId !== c.tenant.id || s.appId !== c.appId || (c.delegated && s.creatorId !== c.userId)) {
      throw subscriptionFailure(404, operation, `The object was not found.`);
    }
    return s;
  }

  private checkExpiration(value: unknown, operation: string): number {
    const at = isoOrUndefined(value);
    if (at === undefined) throw subscriptionFailure(400, operation, "The property 'expirationDateTime' is required and must be an ISO 8601 date-time.");
    const now = this.clock.now();
    if (at <= now) throw subscriptionFailure(400, operation, 'Subscription expiration time must be in the future.');
    if (at - now > MAX_LIFETIME_MS) {
      throw new GraphFailure(400, 'InvalidRequest', 'Subscription expiration can only be 60 minutes in the future.');
    }
    return at;
  }

  private requirePresenceAccess(c: Caller, operation: string): void {
    // Presence subscriptions take delegated Presence.Read.All only; an app-only token is refused outright.
    if (!c.delegated || !hasAny(c, PERMISSIONS.subscribePresence)) {
      throw subscriptionFailure(403, operation, 'The request is not authorized for this user or application.');
    }
  }

  private async create(call: ApiCall) {
    const c = call.caller;
    const body = objectBody(call.req);
    const op = 'Create';
    for (const name of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
      if (typeof body[name] !== 'string' || (body[name] as string).length === 0) {
        throw badRequest(`The property '${name}' is required.`, 'InvalidRequest');
      }
    }
    const resource = body.resource as string;
    const ids = parsePresenceResource(resource);
    if (!ids) throw subscriptionFailure(400, op, `The resource '${resource}' is not supported. Only presence resources are emulated.`);
    this.requirePresenceAccess(c, op);
    if (body.changeType !== 'updated') {
      throw subscriptionFailure(400, op, `ChangeType '${String(body.changeType)}' is not supported for presence; use 'updated'.`);
    }
    if (ids.length === 0 || ids.length > MAX_PRESENCE_IDS) {
      throw subscriptionFailure(400, op, `The number of presence ids must be between 1 and ${MAX_PRESENCE_IDS}.`);
    }
    const badId = ids.find((i) => !GUID.test(i));
    if (badId) throw subscriptionFailure(400, op, `Invalid user id '${badId}' in resource.`);
    const expiresAt = this.checkExpiration(body.expirationDateTime, op);
    const clientState = body.clientState;
    if (clientState !== undefined && clientState !== null && (typeof clientState !== 'string' || clientState.length > MAX_CLIENT_STATE)) {
      throw badRequest(`clientState must be a string of at most ${MAX_CLIENT_STATE} characters.`, 'InvalidRequest');
    }
    const notificationUrl = this.checkUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
        ? undefined
        : this.checkUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const includeResourceData = body.includeResourceData === true;
    let certificate: SubscriberCertificate | undefined;
    if (includeResourceData) {
      const certText = body.encryptionCertificate;
      const certId = body.encryptionCertificateId;
      if (typeof certText !== 'string' || !certText || typeof certId !== 'string' || !certId) {
        throw badRequest('encryptionCertificate and encryptionCertificateId are required when includeResourceData is true.', 'InvalidRequest');
      }
      certificate = parseCertificate(certText, certId);
      if (!certificate) throw badRequest('encryptionCertificate is not a valid base64-encoded X.509 certificate with an RSA key.', 'InvalidRequest');
    }
    const key = `${c.tenant.id}|${c.appId}|${c.userId}`;
    const taken = [...this.subs.values()].some((s) => `${s.tenantId}|${s.appId}|${s.creatorId}` === key);
    if (taken || this.pending.has(key)) {
      throw subscriptionFailure(409, op, 'A presence subscription for this user and application already exists.');
    }
    this.pending.add(key);
    try {
      await validateEndpoint(notificationUrl, this.options.validationTimeoutMs);
      if (lifecycleNotificationUrl) await validateEndpoint(lifecycleNotificationUrl, this.options.validationTimeoutMs);
    } finally {
      this.pending.delete(key);
    }
    const s: Subscription = {
      id: randomUUID(),
      tenantId: c.tenant.id,
      appId: c.appId,
      creatorId: c.userId as string,
      resource,
      userIds: new Set(ids.map((i) => i.toLowerCase())),
      changeType: 'updated',
      notificationUrl,
      lifecycleNotificationUrl,
      clientState: typeof clientState === 'string' ? clientState : undefined,
      expiresAt,
      includeResourceData,
      certificate,
      encryptionCertificate: includeResourceData ? (body.encryptionCertificate as string) : undefined,
      tokenExpiresAt: c.tokenExpiresAt,
      reauthorizationRequired: false,
      withheld: 0,
    };
    this.subs.set(s.id, s);
    return { status: 201, body: this.json(s, call.serviceRoot) };
  }

  private checkUrl(value: unknown, name: string): string {
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw badRequest(`The ${name} is not a valid absolute URL.`, 'InvalidRequest');
    }
    // Graph requires HTTPS. The emulator also takes plain HTTP to loopback hosts, where local test servers live.
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw badRequest(`The ${name} must use the https scheme.`, 'InvalidRequest');
    }
    return url.toString();
  }

  private async reauthorized(s: Subscription, c: Caller): Promise<void> {
    s.tokenExpiresAt = c.tokenExpiresAt;
    const missed = s.reauthorizationRequired && s.withheld > 0;
    s.reauthorizationRequired = false;
    s.withheld = 0;
    if (missed) await this.lifecycle(s, 'missed');
  }

  register(routes: ApiRoutes): void {
    routes.on('POST', '/subscriptions', (call) => this.create(call));
    routes.on('GET', '/subscriptions', (call) => {
      const c = call.caller;
      const mine = this.list().filter(
        (s) => s.tenantId === c.tenant.id && s.appId === c.appId && (!c.delegated || s.creatorId === c.userId),
      );
      return {
        status: 200,
        body: { '@odata.context': `${call.serviceRoot}/$metadata#subscriptions`, value: mine.map((s) => this.json(s, call.serviceRoot)) },
      };
    });
    routes.on('GET', '/subscriptions/:id', (call) => ({ status: 200, body: this.json(this.owned(call, 'Get'), call.serviceRoot) }));
    routes.on('PATCH', '/subscriptions/:id', async (call) => {
      const s = this.owned(call, 'Update');
      this.requirePresenceAccess(call.caller, 'Update');
      const body = objectBody(call.req);
      const unknown = Object.keys(body).find((k) => k !== 'expirationDateTime');
      if (unknown) throw subscriptionFailure(400, 'Update', `Only expirationDateTime can be updated on a presence subscription ('${unknown}').`);
      s.expiresAt = this.checkExpiration(body.expirationDateTime, 'Update');
      // A renewal with a fresh token also counts as reauthorization, as in Graph.
      await this.reauthorized(s, call.caller);
      return { status: 200, body: this.json(s, call.serviceRoot) };
    });
    routes.on('POST', '/subscriptions/:id/reauthorize', async (call) => {
      const s = this.owned(call, 'Reauthorize');
      this.requirePresenceAccess(call.caller, 'Reauthorize');
      await this.reauthorized(s, call.caller);
      return { status: 204 };
    });
    routes.on('DELETE', '/subscriptions/:id', (call) => {
      const s = this.owned(call, 'Delete');
      this.subs.delete(s.id);
      return { status: 204 };
    });
  }
}
