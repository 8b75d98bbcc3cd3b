import { EntraError } from '../../shared/adapters/entra/entra-error';
import { CloudLinkError } from '../../shared/ports/cloudlink';
import { GraphError } from '../../shared/ports/graph';
import { english } from '../../shared/api/texts/english';
import { classify, REFUSED_WRITE_RETRY_MS } from '../../shared/sync/errors';
import type { SyncLog } from '../../shared/sync';
import { tenantLog } from '../../shared/sync/log';
import { createLogger } from '../../shared/platform/logger';
import { harness, TENANT, type Harness } from './sync-harness';

const MIN = 60_000;
const busy = { availability: 'Busy', activity: 'InACall' };

/** A log that keeps what the sync layer reported at error level. */
function recordingLog(): SyncLog & { errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  return { errors, error: (obj) => void errors.push(obj as Record<string, unknown>), warn() {}, info() {} };
}

/** The same bug every time it is called: one throw site, one kind. */
function readUserIdOf(user: { id: string } | undefined): string {
  return (user as { id: string }).id;
}
function aBug(): TypeError {
  try {
    readUserIdOf(undefined);
  } catch (e) {
    return e as TypeError;
  }
  throw new Error('unreachable');
}

const connectionReset = () =>
  new GraphError(0, 'NetworkError', 'setPresence: fetch failed (ECONNRESET)', undefined, undefined, {
    kind: 'connection',
    cause: 'ECONNRESET',
  });

describe('classify: decided by type and field, a bug surfaces as a bug', () => {
  it('does not take a TypeError from a port for a network failure: logged once per kind with its stack', () => {
    const log = recordingLog();
    const f = classify(aBug(), log);
    expect(f).toMatchObject({ retry: false, healAfterMs: REFUSED_WRITE_RETRY_MS });
    expect(english(f.message)).toMatch(/internal error \(TypeError\).*logged/);
    expect(log.errors).toEqual([
      expect.objectContaining({
        event: 'sync.bug',
        error: expect.objectContaining({ name: 'TypeError', stack: expect.stringContaining('readUserIdOf') }),
      }),
    ]);

    classify(aBug(), log); // the same bug again: already in the log
    expect(log.errors).toHaveLength(1);
    classify(new RangeError('Invalid array length'), log); // another kind
    expect(log.errors.map((e) => (e.error as { name: string }).name)).toEqual(['TypeError', 'RangeError']);
  });

  it('recognises an Entra refusal by its typed code when the message has no AADSTS in it', () => {
    const refused = EntraError.fromResponse(
      401,
      JSON.stringify({
        error: 'invalid_client',
        error_description: 'The provided client secret is not valid.',
        error_codes: [7000215],
      }),
    );
    expect(refused.message).not.toMatch(/AADSTS/);
    const log = recordingLog();
    expect(classify(refused, log)).toMatchObject({
      retry: false,
      fix: { code: 'fix.signIn.appCredentials' },
    });
    expect(log.errors).toEqual([]);
  });

  it('retries what the network did to Graph, CloudLink and Entra, naming the kind', () => {
    const log = recordingLog();
    const reset = classify(connectionReset(), log);
    expect(reset.retry).toBe(true);
    expect(english(reset.message)).toBe('Microsoft Graph did not answer (connection failed: ECONNRESET)');
    const timedOut = new CloudLinkError(0, 'Timeout', 'getPresence: timed out', undefined, undefined, {
      kind: 'timeout',
    });
    const timeout = classify(timedOut, log);
    expect(timeout.retry).toBe(true);
    expect(english(timeout.message)).toBe('CloudLink did not answer (timed out)');
    const entraDown = new EntraError({
      status: 0,
      error: 'network_error',
      description: 'fetch failed (ECONNREFUSED)',
      network: { kind: 'connection', cause: 'ECONNREFUSED' },
    });
    expect(classify(entraDown, log)).toMatchObject({ retry: true });
    expect(log.errors).toEqual([]);
  });
});

describe("a tenant's sync log", () => {
  it('names the tenant on every line, once, also where the line named it already', () => {
    const lines: string[] = [];
    const log = tenantLog(
      createLogger('info', { write: (line: string) => void lines.push(line) }),
      'tenant-a',
    );
    log.error({ event: 'sync.bug', kind: 'TypeError at x' }, 'a bug');
    log.warn({ tenantId: 'tenant-a', event: 'sync.off' }, 'off');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.match(/"tenantId"/g)).toHaveLength(1);
      expect(JSON.parse(line)).toMatchObject({ tenantId: 'tenant-a' });
    }
  });
});

describe('the engine on a bug and on a network failure', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('a bug in a Teams write shows an internal error, logs it once, and is tried again only every 15 minutes', async () => {
    const log = recordingLog();
    h = await harness({ log });
    await h.service.start();
    await h.settle(); // the first read of everyone's Teams presence, after subscribing
    h.graph.failures = [aBug(), aBug()];
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.clock.advance(10 * MIN);
    await h.settle();

    const status = await h.service.statusOf('u1');
    expect(status.problem?.message).toMatch(/internal error.*logged/);
    expect(status.problem?.fix).toMatch(/tries again every 15 minutes/);
    expect(h.graph.writes()).toHaveLength(1); // no retry loop

    await h.clock.advance(6 * MIN); // 16 minutes: the slow retry, which meets the same bug
    await h.settle();
    expect(h.graph.writes()).toHaveLength(2);
    // The line names the tenant, though the code that found the bug knows none.
    expect(log.errors.filter((e) => e.event === 'sync.bug')).toEqual([
      expect.objectContaining({ tenantId: TENANT }),
    ]);

    await h.clock.advance(15 * MIN); // the bug has passed: the user heals without a restart
    await h.settle();
    expect(h.graph.writes()).toHaveLength(3);
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    expect((await h.service.statusOf('u1')).problem).toBeNull();
  });

  it('a connection reset on a Teams write is retried with backoff until it goes through, with no bug logged', async () => {
    const log = recordingLog();
    h = await harness({ log });
    await h.service.start();
    await h.settle();
    h.graph.failures = [connectionReset(), connectionReset(), connectionReset()];
    h.cloudlink.call('pbx-u1', 'connected');
    await h.settle();
    await h.clock.advance(10_000, 500);
    await h.settle();
    expect(h.graph.writes()).toHaveLength(4);
    expect(h.graph.presenceOf('u1')).toMatchObject(busy);
    expect((await h.service.statusOf('u1')).problem).toBeNull();
    expect(log.errors.filter((e) => e.event === 'sync.bug')).toEqual([]);
  });
});
