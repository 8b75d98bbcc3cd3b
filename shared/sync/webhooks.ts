import { sameSecret } from '../platform/same-secret';
import type { PbxEvent, PbxWebhookReading } from '../ports/cloudlink';

/**
 * Framework-free webhook handlers: bot/ hands over the parsed query and JSON body and sends back what they answer.
 * They only check and enqueue, and answer at once: Graph wants a 2xx within 3 s, so the work happens after.
 */
export interface WebhookRequest {
  query: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One item of a Graph change or lifecycle notification's `value`. */
export interface GraphNotification {
  subscriptionId: string;
  clientState?: string | null;
  changeType?: string;
  resource?: string;
  resourceData?: { id?: string } & Record<string, unknown>;
  lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' | string;
}

const text = (status: number, body = ''): WebhookResponse => ({
  status,
  // Graph's handshake echoes a caller's text: no browser may sniff it into HTML.
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  body,
});

/** The longest validationToken echoed (Graph's are about a hundred characters). */
export const MAX_VALIDATION_TOKEN = 1024;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Graph change and lifecycle notifications. A `validationToken` query is the subscription handshake: echo it as
 * text/plain. Otherwise every well-formed item goes to `accept` (which checks clientState) and the answer is 202.
 */
export function handleGraphNotification(
  req: WebhookRequest,
  accept: (items: GraphNotification[]) => void,
): WebhookResponse {
  const token = first(req.query.validationToken);
  if (token !== undefined) {
    // Echoed verbatim, so bounded: Graph's tokens are about a hundred characters; nobody else's need echoing.
    if (token.length > MAX_VALIDATION_TOKEN) return text(400, 'validationToken too long');
    return text(200, token);
  }
  const value = (req.body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) return text(400, 'expected a notification collection');
  const items = value.filter(
    (v): v is GraphNotification =>
      typeof v === 'object' && v !== null && typeof (v as GraphNotification).subscriptionId === 'string',
  );
  if (items.length === 0) return text(400, 'no notifications');
  accept(items);
  return text(202);
}

/** What the CloudLink handler answers, with the event it accepted (for listeners beside the sync: missed-call notices). */
export interface CloudLinkWebhookResponse extends WebhookResponse {
  event?: PbxEvent;
}

/**
 * CloudLink webhooks: only posts carrying our secret `key` are read, by the CloudLink adapter (`read`, the port's
 * `readWebhook`: the one parse of the envelope). A post it refuses answers 400; any other goes to `accept`, as its event
 * or null when the sync does not follow it (still a sign the feed is alive).
 */
export function handleCloudLinkWebhook(
  req: WebhookRequest,
  secret: string,
  read: (body: unknown) => PbxWebhookReading,
  accept: (event: PbxEvent | null) => void,
): CloudLinkWebhookResponse {
  const key = first(req.query.key) ?? '';
  if (!sameSecret(key, secret)) return text(401, 'unknown webhook key');
  const reading = read(req.body);
  if (!reading.ok) return text(400, reading.problem);
  accept(reading.event);
  return reading.event ? { ...text(202), event: reading.event } : text(202);
}
