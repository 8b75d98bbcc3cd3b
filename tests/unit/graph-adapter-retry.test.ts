import {
  backoffDelay,
  networkFailureOf,
  parseRetryAfter,
  sendWithRetry,
} from '../../shared/adapters/http/retry';
import type { AttemptOutcome } from '../../shared/ports/outcomes';

/** The retry policy the Graph adapter (and any other cloud adapter) relies on, without sockets. */
describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially, with jitter, never past the cap', () => {
    expect(backoffDelay(0, 500, 8000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 8000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 8000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 8000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 500, 8000, () => 0)).toBe(4000);
  });

  const response = (status: number, headers: Record<string, string> = {}) =>
    new Response(status === 204 ? null : 'x', { status, headers });

  it('returns the first final answer and reports every attempt', async () => {
    const answers = [response(500), response(429, { 'retry-after': '2' }), response(404)];
    const sleeps: number[] = [];
    const outcomes: AttemptOutcome[] = [];
    const final = await sendWithRetry(
      async () => answers.shift()!,
      { maxRetries: 5, sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
      (o) => outcomes.push(o),
    );
    expect(final.status).toBe(404);
    expect(sleeps).toEqual([250, 2000]);
    expect(outcomes.map((o) => [o.attempt, o.status, o.retryAfterMs])).toEqual([
      [0, 500, undefined],
      [1, 429, 2000],
      [2, 404, undefined],
    ]);
  });

  it('treats an attempt that outlives its time limit as a network failure and retries it', async () => {
    let calls = 0;
    const final = await sendWithRetry(
      (signal) => {
        calls++;
        if (calls > 1) return Promise.resolve(response(204));
        return new Promise<Response>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      { maxRetries: 1, timeoutMs: 20, sleep: async () => undefined },
    );
    expect(final.status).toBe(204);
    expect(calls).toBe(2);
  });

  it('rethrows a failure that is not the network’s without retrying', async () => {
    let calls = 0;
    const boom = new Error('token refused');
    await expect(
      sendWithRetry(
        async () => {
          calls++;
          throw boom;
        },
        { maxRetries: 3, sleep: async () => undefined },
      ),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it('rethrows a TypeError of our own (a bug) at once: only fetch’s own TypeError is the network’s', async () => {
    let calls = 0;
    const bug = new TypeError("Cannot read properties of undefined (reading 'token')");
    await expect(
      sendWithRetry(
        async () => {
          calls++;
          throw bug;
        },
        { maxRetries: 3, sleep: async () => undefined },
      ),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
    expect(networkFailureOf(bug)).toBeUndefined();
  });

  it('retries a connection reset with growing backoff, and names it as a connection failure', async () => {
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    const sleeps: number[] = [];
    let calls = 0;
    const final = await sendWithRetry(
      async () => {
        if (++calls <= 3) throw reset;
        return response(204);
      },
      { maxRetries: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
    );
    expect(final.status).toBe(204);
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(networkFailureOf(reset)).toEqual({ kind: 'connection', cause: 'ECONNRESET' });
    expect(networkFailureOf(new DOMException('timed out', 'TimeoutError'))).toEqual({ kind: 'timeout' });
  });
});
