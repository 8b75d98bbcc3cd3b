import type { PbxStatus } from '../../domain/presence';
import {
  CloudLinkError,
  type CallRecord,
  type CallRecordPage,
  type CallRecordQuery,
  type CloudLinkPort,
  type PbxSubscription,
  type PbxSubscriptionRequest,
  type PbxUser,
  type PbxWebhookReading,
  type PbxWriteReceipt,
} from '../../ports/cloudlink';
import { CloudLinkHttp, type CloudLinkRequest, type CloudLinkResponse } from './http';
import type { CloudLinkAdapterOptions } from './options';
import { CloudLinkTokens } from './tokens';
import { readCloudLinkWebhook } from './webhook';

/** The most records or users CloudLink returns per page; a larger $top is refused, so the adapter caps it. */
export const CLOUDLINK_MAX_TOP = 100;
/** A safety bound on user paging: 200 pages of 100 is well above the largest PBX (5,000 users). */
const MAX_USER_PAGES = 200;

interface HalList<T> {
  count?: number;
  _embedded?: { items?: T[] };
  _links?: { next?: { href?: string } };
}

interface WireUser {
  userId: string;
  name?: string;
  email?: string | null;
  extension?: string | null;
}

interface WireSubscription {
  subscriptionId?: string;
  topic?: string;
  subjectFilter?: string;
  deviceId?: string;
}

/** A presentity: a status (`dnd` is the one that matters here) and a reason. Calls are not in presence. */
interface WirePresentity {
  status?: string;
  reason?: string | null;
  /** When the presentity last changed, by CloudLink's clock (as its presence events carry it). */
  updatedOn?: string;
}

/**
 * CloudLinkPort over HTTP: one instance per linked CloudLink account. Paths: admin `/accounts/{id}/users`,
 * media `/users/{userId}/calls/records`, presence `/presentities/{id}`, notifications `/subscriptions`.
 */
export class CloudLinkClient implements CloudLinkPort {
  private readonly http: CloudLinkHttp;
  private readonly tokens: CloudLinkTokens;

  constructor(private readonly options: CloudLinkAdapterOptions) {
    this.http = new CloudLinkHttp(options);
    this.tokens = new CloudLinkTokens(this.http, options);
  }

  async listCallRecords(query: CallRecordQuery): Promise<CallRecordPage> {
    const top = Math.min(query.top ?? CLOUDLINK_MAX_TOP, CLOUDLINK_MAX_TOP);
    const skip = query.skip ?? 0;
    const res = await this.call({
      op: 'listCallRecords',
      service: 'media',
      method: 'GET',
      path: `/users/${encodeURIComponent(query.principalId)}/calls/records`,
      query: { $top: top, $skip: skip, $filter: query.filter },
    });
    const list = res.body as HalList<CallRecord>;
    const records = list._embedded?.items ?? [];
    // CloudLink documents $top/$skip paging and nothing that says "last page" (no next link or continuation is
    // promised), so a full page means there may be more and a short one is the end: at worst one empty read.
    const hasMore = records.length >= top;
    return { records, ...(list.count !== undefined && { count: list.count }), hasMore };
  }

  async listUsers(): Promise<PbxUser[]> {
    const users: PbxUser[] = [];
    for (let page = 0; page < MAX_USER_PAGES; page++) {
      const res = await this.call({
        op: 'listUsers',
        service: 'admin',
        method: 'GET',
        path: `/accounts/${encodeURIComponent(this.options.accountId)}/users`,
        query: { $top: CLOUDLINK_MAX_TOP, $skip: page * CLOUDLINK_MAX_TOP },
      });
      const list = res.body as HalList<WireUser>;
      const items = list._embedded?.items ?? [];
      for (const u of items) {
        users.push({
          principalId: u.userId,
          name: u.name ?? '',
          email: u.email ?? null,
          extension: u.extension ?? null,
        });
      }
      if (!list._links?.next || items.length === 0) return users;
    }
    return users;
  }

  async getPresence(principalId: string): Promise<PbxStatus> {
    const res = await this.call({
      op: 'getPresence',
      service: 'presence',
      method: 'GET',
      path: `/presentities/${encodeURIComponent(principalId)}`,
    });
    const p = res.body as WirePresentity;
    return { dnd: p.status === 'dnd', statusText: p.reason ?? null };
  }

  async setDnd(principalId: string, dnd: boolean, statusText: string | null): Promise<PbxWriteReceipt> {
    const res = await this.call({
      op: 'setDnd',
      service: 'presence',
      method: 'PUT',
      path: `/presentities/${encodeURIComponent(principalId)}`,
      body: { status: dnd ? 'dnd' : 'available', reason: statusText },
    });
    // The answer's presentity, when it comes back, dates our write by CloudLink's clock; without it the sync dates the
    // write by its first echo.
    const updatedOn = Date.parse((res.body as WirePresentity | null)?.updatedOn ?? '');
    return { updatedOn: Number.isNaN(updatedOn) ? null : updatedOn };
  }

  readWebhook(body: unknown): PbxWebhookReading {
    return readCloudLinkWebhook(body);
  }

  async subscribe(request: PbxSubscriptionRequest): Promise<{ subscriptionId: string }> {
    const res = await this.call({
      op: 'subscribe',
      service: 'notifications',
      method: 'POST',
      path: '/subscriptions',
      body: {
        applicationId: this.options.applicationId ?? this.options.clientId,
        deviceId: request.url,
        transport: 'webhook',
        topic: request.topic,
        subjectFilter: request.subject,
      },
    });
    const id = (res.body as { subscriptionId?: unknown })?.subscriptionId;
    if (typeof id !== 'string')
      throw new CloudLinkError(
        res.status,
        'InvalidResponse',
        'The subscription has no subscriptionId.',
        res.requestId,
      );
    return { subscriptionId: id };
  }

  /** Idempotent: a subscription CloudLink no longer has (404) is already gone. */
  async unsubscribe(subscriptionId: string): Promise<void> {
    await this.call({
      op: 'unsubscribe',
      service: 'notifications',
      method: 'DELETE',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      allow: [404],
    });
  }

  async subscriptionExists(subscriptionId: string): Promise<boolean> {
    const res = await this.call({
      op: 'getSubscription',
      service: 'notifications',
      method: 'GET',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      allow: [404],
    });
    return res.status !== 404;
  }

  async listSubscriptions(): Promise<PbxSubscription[]> {
    const all: PbxSubscription[] = [];
    for (let page = 0; page < MAX_USER_PAGES; page++) {
      const res = await this.call({
        op: 'listSubscriptions',
        service: 'notifications',
        method: 'GET',
        path: '/subscriptions',
        query: { $top: CLOUDLINK_MAX_TOP, $skip: page * CLOUDLINK_MAX_TOP },
      });
      const list = res.body as HalList<WireSubscription>;
      const items = list._embedded?.items ?? [];
      for (const s of items) {
        if (typeof s.subscriptionId !== 'string') continue;
        all.push({
          subscriptionId: s.subscriptionId,
          topic: s.topic ?? '',
          subjectFilter: s.subjectFilter ?? '',
          url: s.deviceId ?? '',
        });
      }
      if (!list._links?.next || items.length === 0) return all;
    }
    return all;
  }

  /** An authenticated call; a 401 (token revoked early) gets one fresh token and one more try. */
  private async call(req: Omit<CloudLinkRequest, 'bearer'>): Promise<CloudLinkResponse> {
    const token = await this.tokens.get();
    try {
      return await this.http.request({ ...req, bearer: token });
    } catch (e) {
      if (!(e instanceof CloudLinkError) || e.status !== 401) throw e;
      this.tokens.invalidate(token);
      return this.http.request({ ...req, bearer: await this.tokens.get() });
    }
  }
}
