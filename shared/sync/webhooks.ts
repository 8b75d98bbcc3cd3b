import { sameSecret } from '../platform/same-secret';

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

function decodable(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

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

/** CloudLink webhooks: only posts carrying our secret `key` count; the event goes to `accept`. */
export function handleCloudLinkWebhook(
  req: WebhookRequest,
  secret: string,
  accept: (event: {
    topic: string;
    method: string;
    subject: string;
    content: Record<string, unknown>;
    publishedOn?: string;
  }) => void,
): WebhookResponse {
  const key = first(req.query.key) ?? '';
  if (!sameSecret(key, secret)) return text(401, 'unknown webhook key');
  const b = req.body as Record<string, unknown> | null;
  if (!b || typeof b.topic !== 'string' || typeof b.subject !== 'string')
    return text(400, 'expected topic and subject');
  // Subjects carry URL-encoded ids (/presentities/{id}); a bad % escape would make every decode of it throw.
  if (!decodable(b.subject)) return text(400, 'malformed subject (an invalid % escape)');
  accept({
    topic: b.topic,
    method: typeof b.method === 'string' ? b.method : '',
    subject: b.subject,
    content:
      typeof b.content === 'object' && b.content !== null ? (b.content as Record<string, unknown>) : {},
    ...(typeof b.publishedOn === 'string' && { publishedOn: b.publishedOn }),
  });
  return text(202);
}
