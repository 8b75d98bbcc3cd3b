import { z } from 'zod';
import { sameSecret } from '../platform/same-secret';
import type { PbxEvent, PbxWebhookReading } from '../ports/cloudlink';

/**
 * The one shape of a webhook between the HTTP edge and the sync layer. The edge (bot/http/webhook-routes.ts, or a
 * test's bare receiver) reads a Graph post once with `readGraphPost`: a handshake it answers itself, or well-formed
 * notification items it hands to `SyncService.receiveGraphNotifications`. A CloudLink post goes on unread with the
 * `key` its address carried (`receiveCloudLinkPost`): only a post with our key is read, by the CloudLink adapter. The
 * handlers only check and enqueue, and answer at once: Graph wants a 2xx within 3 s, so the work happens after.
 */

/** One item of a Graph change or lifecycle notification's `value`; a lifecycle item names its `lifecycleEvent`. */
export interface GraphNotification {
  subscriptionId: string;
  clientState?: string | null;
  changeType?: string;
  resource?: string;
  resourceData?: { id?: string } & Record<string, unknown>;
  lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' | string;
  /** Graph names the tenant of the resource; hosted mode checks it against the subscription's tenant. */
  tenantId?: string;
}

/** What a sync webhook handler answers: the HTTP status, and for a refusal a short reason for the sender. */
export interface WebhookAnswer {
  status: number;
  problem?: string;
}

/** A CloudLink answer of 202 names the event the post carried, for listeners beside the sync (missed-call notices). */
export interface CloudLinkAnswer extends WebhookAnswer {
  event?: PbxEvent;
}

/** A CloudLink post as it arrived: the `key` its address carried, and the body not yet read. */
export interface CloudLinkPost {
  key: string;
  body: unknown;
}

/** What the edge makes of a Graph post. */
export type GraphPost =
  /** The subscription handshake: echo the token as text/plain (200). */
  | { kind: 'handshake'; validationToken: string }
  | { kind: 'notifications'; items: GraphNotification[] }
  /** Answer 400 with the problem. */
  | { kind: 'refused'; problem: string };

/** The longest validationToken echoed (Graph's are about a hundred characters). */
export const MAX_VALIDATION_TOKEN = 1024;

/**
 * The fields the sync reads of an item, checked for type; the rest passes through untouched (hosted routing reads
 * `tenantId`, the inbox keeps the item as Graph sent it).
 */
const notificationItem = z
  .object({
    subscriptionId: z.string(),
    clientState: z.string().nullable().optional(),
    changeType: z.string().optional(),
    resource: z.string().optional(),
    resourceData: z.object({ id: z.string().optional() }).passthrough().optional(),
    lifecycleEvent: z.string().optional(),
    tenantId: z.string().optional(),
  })
  .passthrough();

const notificationCollection = z.object({ value: z.array(z.unknown()) });

/**
 * Reads a Graph change or lifecycle post. A `validationToken` query is the handshake (bounded, since it is echoed).
 * Otherwise the body must be a notification collection; items that are not well-formed are left out, and a post
 * with none left is refused.
 */
export function readGraphPost(
  query: Record<string, string | string[] | undefined>,
  body: unknown,
): GraphPost {
  const token = first(query.validationToken);
  if (token !== undefined) {
    if (token.length > MAX_VALIDATION_TOKEN) return { kind: 'refused', problem: 'validationToken too long' };
    return { kind: 'handshake', validationToken: token };
  }
  const collection = notificationCollection.safeParse(body);
  if (!collection.success) return { kind: 'refused', problem: 'expected a notification collection' };
  const items: GraphNotification[] = [];
  for (const value of collection.data.value) {
    const item = notificationItem.safeParse(value);
    if (item.success) items.push(item.data);
  }
  if (items.length === 0) return { kind: 'refused', problem: 'no notifications' };
  return { kind: 'notifications', items };
}

/**
 * CloudLink webhooks: only posts carrying our secret `key` are read, by the CloudLink adapter (`read`, the port's
 * `readWebhook`: the one parse of the envelope). A post it refuses answers 400; any other goes to `accept`, as its event
 * or null when the sync does not follow it (still a sign the feed is alive).
 */
export function acceptCloudLinkPost(
  post: CloudLinkPost,
  secret: string,
  read: (body: unknown) => PbxWebhookReading,
  accept: (event: PbxEvent | null) => void,
): CloudLinkAnswer {
  if (!sameSecret(post.key, secret)) return { status: 401, problem: 'unknown webhook key' };
  const reading = read(post.body);
  if (!reading.ok) return { status: 400, problem: reading.problem };
  accept(reading.event);
  return reading.event ? { status: 202, event: reading.event } : { status: 202 };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
