import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import { type ApiCall, ApiRoutes, objectBody } from './api';
import { type Caller, hasAny, PERMISSIONS } from './auth';
import { MINUTE } from './duration';
import { parseCertificate, type SubscriberCertificate } from './encryption';
import { badRequest, GraphFailure, subscriptionFailure } from './errors';
import { MAX_PRESENCE_IDS } from './presence-routes';
import { parsePresenceResource, type Subscription, type SubscriptionService } from './subscriptions';
import { validateEndpoint } from './validation-handshake';

/**
 * POST/GET/PATCH/DELETE /subscriptions and POST /subscriptions/{id}/reauthorize, for presence only, with what Graph
 * allows there: delegated Presence.Read.All, changeType `updated`, at most 60 minutes, at most 650 ids, clientState
 * of at most 128 characters, one presence subscription per user per app (409), and the validation handshake with
 * the notification and lifecycle URLs before anything is created.
 */

export const MAX_LIFETIME_MS = 60 * MINUTE;
export const MAX_CLIENT_STATE = 128;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SubscriptionRouteOptions {
  /** How long a subscriber has to echo the validation token (Graph: 10 s). */
  validationTimeoutMs: number;
}

function isoOrUndefined(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export class SubscriptionRoutes {
  constructor(
    private readonly service: SubscriptionService,
    private readonly clock: Clock,
    private options: SubscriptionRouteOptions,
  ) {}

  configure(options: Partial<SubscriptionRouteOptions>): void {
    this.options = { ...this.options, ...options };
  }

  private owned(call: ApiCall, operation: string): Subscription {
    const s = this.service.get(call.params.id as string);
    const c = call.caller;
    if (
      !s ||
      s.tenantId !== c.tenant.id ||
      s.appId !== c.appId ||
      (c.delegated && s.creatorId !== c.userId)
    ) {
      throw subscriptionFailure(404, operation, `The object was not found.`);
    }
    return s;
  }

  private checkExpiration(value: unknown, operation: string): number {
    const at = isoOrUndefined(value);
    if (at === undefined)
      throw subscriptionFailure(
        400,
        operation,
        "The property 'expirationDateTime' is required and must be an ISO 8601 date-time.",
      );
    const now = this.clock.now();
    if (at <= now)
      throw subscriptionFailure(400, operation, 'Subscription expiration time must be in the future.');
    if (at - now > MAX_LIFETIME_MS) {
      throw new GraphFailure(
        400,
        'InvalidRequest',
        'Subscription expiration can only be 60 minutes in the future.',
      );
    }
    return at;
  }

  private requirePresenceAccess(c: Caller, operation: string): void {
    // Presence subscriptions take delegated Presence.Read.All only; an app-only token is refused outright.
    if (!c.delegated || !hasAny(c, PERMISSIONS.subscribePresence)) {
      throw subscriptionFailure(
        403,
        operation,
        'The request is not authorized for this user or application.',
      );
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
    if (!ids)
      throw subscriptionFailure(
        400,
        op,
        `The resource '${resource}' is not supported. Only presence resources are emulated.`,
      );
    this.requirePresenceAccess(c, op);
    if (body.changeType !== 'updated') {
      throw subscriptionFailure(
        400,
        op,
        `ChangeType '${String(body.changeType)}' is not supported for presence; use 'updated'.`,
      );
    }
    if (ids.length === 0 || ids.length > MAX_PRESENCE_IDS) {
      throw subscriptionFailure(
        400,
        op,
        `The number of presence ids must be between 1 and ${MAX_PRESENCE_IDS}.`,
      );
    }
    const badId = ids.find((i) => !GUID.test(i));
    if (badId) throw subscriptionFailure(400, op, `Invalid user id '${badId}' in resource.`);
    const expiresAt = this.checkExpiration(body.expirationDateTime, op);
    const clientState = body.clientState;
    if (
      clientState !== undefined &&
      clientState !== null &&
      (typeof clientState !== 'string' || clientState.length > MAX_CLIENT_STATE)
    ) {
      throw badRequest(
        `clientState must be a string of at most ${MAX_CLIENT_STATE} characters.`,
        'InvalidRequest',
      );
    }
    const notificationUrl = this.checkUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
        ? undefined
        : this.checkUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const includeResourceData = body.includeResourceData === true;
    const certificate = includeResourceData ? this.certificateOf(body) : undefined;
    if (this.service.holds(c.tenant.id, c.appId, c.userId as string)) {
      throw subscriptionFailure(
        409,
        op,
        'A presence subscription for this user and application already exists.',
      );
    }
    const release = this.service.reserve(c.tenant.id, c.appId, c.userId as string);
    try {
      await validateEndpoint(notificationUrl, this.options.validationTimeoutMs);
      if (lifecycleNotificationUrl)
        await validateEndpoint(lifecycleNotificationUrl, this.options.validationTimeoutMs);
    } finally {
      release();
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
      revoked: false,
      lost: 0,
    };
    this.service.add(s);
    return { status: 201, body: this.service.json(s, call.serviceRoot) };
  }

  /** The encryption certificate a create or update names; both properties are required together. */
  private certificateOf(body: Record<string, unknown>): SubscriberCertificate {
    const certText = body.encryptionCertificate;
    const certId = body.encryptionCertificateId;
    if (typeof certText !== 'string' || !certText || typeof certId !== 'string' || !certId) {
      throw badRequest(
        'encryptionCertificate and encryptionCertificateId are required when includeResourceData is true.',
        'InvalidRequest',
      );
    }
    const certificate = parseCertificate(certText, certId);
    if (typeof certificate === 'string') throw badRequest(certificate, 'InvalidRequest');
    return certificate;
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

  /** Reauthorize or PATCH: the caller's token now stands behind the subscription; changes lost meanwhile stay lost. */
  private reauthorized(s: Subscription, c: Caller): void {
    s.tokenExpiresAt = c.tokenExpiresAt;
    s.revoked = false;
  }

  register(routes: ApiRoutes): void {
    routes.on('POST', '/subscriptions', (call) => this.create(call));
    routes.on('GET', '/subscriptions', (call) => {
      const c = call.caller;
      const mine = this.service
        .list()
        .filter(
          (s) =>
            s.tenantId === c.tenant.id && s.appId === c.appId && (!c.delegated || s.creatorId === c.userId),
        );
      return {
        status: 200,
        body: {
          '@odata.context': `${call.serviceRoot}/$metadata#subscriptions`,
          value: mine.map((s) => this.service.json(s, call.serviceRoot)),
        },
      };
    });
    routes.on('GET', '/subscriptions/:id', (call) => ({
      status: 200,
      body: this.service.json(this.owned(call, 'Get'), call.serviceRoot),
    }));
    routes.on('PATCH', '/subscriptions/:id', async (call) => {
      const s = this.owned(call, 'Update');
      this.requirePresenceAccess(call.caller, 'Update');
      const body = objectBody(call.req);
      const updatable = ['expirationDateTime', 'encryptionCertificate', 'encryptionCertificateId'];
      const unknown = Object.keys(body).find((k) => !updatable.includes(k));
      if (unknown) {
        throw subscriptionFailure(
          400,
          'Update',
          `The property '${unknown}' cannot be updated on a presence subscription.`,
        );
      }
      const expiresAt = this.checkExpiration(body.expirationDateTime, 'Update');
      // Key rotation rides on renewal: a new certificate replaces the old one for the notifications that follow.
      if (body.encryptionCertificate !== undefined || body.encryptionCertificateId !== undefined) {
        if (!s.includeResourceData) {
          throw badRequest(
            'encryptionCertificate applies only to subscriptions with includeResourceData.',
            'InvalidRequest',
          );
        }
        s.certificate = this.certificateOf(body);
        s.encryptionCertificate = body.encryptionCertificate as string;
      }
      s.expiresAt = expiresAt;
      // A renewal with a fresh token also counts as reauthorization, as in Graph.
      this.reauthorized(s, call.caller);
      return { status: 200, body: this.service.json(s, call.serviceRoot) };
    });
    routes.on('POST', '/subscriptions/:id/reauthorize', async (call) => {
      const s = this.owned(call, 'Reauthorize');
      this.requirePresenceAccess(call.caller, 'Reauthorize');
      this.reauthorized(s, call.caller);
      return { status: 204 };
    });
    routes.on('DELETE', '/subscriptions/:id', (call) => {
      const s = this.owned(call, 'Delete');
      this.service.remove(s.id);
      return { status: 204 };
    });
  }
}
