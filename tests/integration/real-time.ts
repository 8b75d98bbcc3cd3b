import { createServer } from 'node:net';

/**
 * Helpers for integration tests that run the real server on real time (no virtual clock): a free loopback port
 * picked before the server listens (its public URL must be known first), and a wait for asynchronous effects.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Retries `check` every `intervalMs` until it stops throwing; after `timeoutMs`, its last failure is the test's. Checks
 * that call the server's API poll slower, under its per-caller rate limit.
 */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 4000,
  intervalMs = 50,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
