import { randomUUID } from 'node:crypto';
import { GraphFailure } from './errors';

/**
 * Before creating a subscription Graph proves the subscriber owns the URL: it POSTs to
 * `url?validationToken=<url-encoded token>` and expects, within 10 seconds, 200 with `Content-Type: text/plain` and
 * the decoded token as the whole body. Anything else and the subscription is not created.
 */
export async function validateEndpoint(url: string, timeoutMs: number): Promise<void> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const failed = (detail: string) =>
    new GraphFailure(400, 'ValidationError', `Subscription validation request failed. ${detail}`);
  try {
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: '',
        signal: abort.signal,
      });
    } catch {
      if (abort.signal.aborted)
        throw new GraphFailure(400, 'ValidationError', 'Subscription validation request timed out.');
      throw failed('Notification endpoint must respond with 200 OK to validation request.');
    }
    let text: string;
    try {
      text = await res.text();
    } catch {
      throw new GraphFailure(400, 'ValidationError', 'Subscription validation request timed out.');
    }
    if (res.status !== 200) {
      throw failed(
        `HTTP status code is '${res.status}'. Notification endpoint must respond with 200 OK to validation request.`,
      );
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('text/plain')) {
      throw failed(
        "Response must be of type 'text/plain' and exactly match validationToken query parameter.",
      );
    }
    if (text !== token) throw failed('Response must exactly match validationToken query parameter.');
  } finally {
    clearTimeout(timer);
  }
}
