import { TenantNames, type OrganizationReader } from '../../bot/services/tenant-names';
import { createLogger } from '../../shared/platform/logger';
import { GraphError } from '../../shared/ports/graph';
import type { RegisteredTenant, TenantRegistry } from '../../shared/ports/tenant-registry';

/**
 * Reading a hosted tenant's name (bot/services/tenant-names.ts) on fake timers: what Graph must answer for a name to
 * be recorded, and how often a failing read is tried again.
 */
const TENANT = '3e1a5c7d-9b2f-4d6e-8a1c-5f7b9d3e1a20';
const RETRY_MS = 1_000;
const HOUR = 3_600_000;

function world(answers: (() => Promise<{ id: string; displayName: string } | undefined>)[]) {
  const names = new Map<string, string>([[TENANT, TENANT]]);
  const registry = {
    get: async (id: string) =>
      names.has(id) ? ({ displayName: names.get(id) } as RegisteredTenant) : undefined,
    rename: async (id: string, name: string) => names.has(id) && !!names.set(id, name),
  } as unknown as TenantRegistry;
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
  let reads = 0;
  const graph: OrganizationReader = {
    organization: () => {
      const answer = answers[Math.min(reads, answers.length - 1)]!;
      reads++;
      return answer();
    },
  };
  const service = new TenantNames({ registry, logger, retryMs: RETRY_MS });
  return {
    service,
    graph,
    reads: () => reads,
    name: () => names.get(TENANT),
    waits: () => lines.filter((l) => l.event === 'tenant.nameReadFailed').map((l) => l.retryInMs),
    lines,
  };
}

const refused = () =>
  Promise.reject(new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges'));

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('tenant names', () => {
  it('records the name Graph gives for this tenant, and logs it once', async () => {
    const w = world([async () => ({ id: TENANT.toUpperCase(), displayName: 'Northwind Traders' })]);
    await w.service.name(TENANT, w.graph);
    expect(w.name()).toBe('Northwind Traders');
    await w.service.name(TENANT, w.graph);
    expect(w.lines.filter((l) => l.event === 'tenant.named')).toEqual([
      expect.objectContaining({ tenantId: TENANT, displayName: 'Northwind Traders', previous: TENANT }),
    ]);
  });

  it("takes no name of another organisation's, nor an empty answer", async () => {
    const w = world([
      async () => ({ id: '8c2e4a6f-1d3b-4f5a-9e7c-2b4d6f8a0c30', displayName: 'Fabrikam' }),
      async () => undefined,
    ]);
    await w.service.name(TENANT, w.graph);
    await jest.advanceTimersByTimeAsync(RETRY_MS);
    expect(w.reads()).toBe(2);
    expect(w.name()).toBe(TENANT);
    expect(w.waits()).toEqual([RETRY_MS, RETRY_MS * 2]);
    w.service.close();
  });

  it('tries again less often each time, at most hourly, until Graph answers', async () => {
    let failing = true;
    const w = world([
      () => (failing ? refused() : Promise.resolve({ id: TENANT, displayName: 'Northwind' })),
    ]);
    await w.service.name(TENANT, w.graph);
    for (let i = 0; i < 14; i++) await jest.advanceTimersByTimeAsync((w.waits().at(-1) as number) ?? 0);
    expect(w.waits().slice(0, 4)).toEqual([RETRY_MS, 2 * RETRY_MS, 4 * RETRY_MS, 8 * RETRY_MS]);
    expect(Math.max(...(w.waits() as number[]))).toBe(HOUR);
    expect(w.waits().slice(-2)).toEqual([HOUR, HOUR]);
    expect(w.lines.find((l) => l.event === 'tenant.nameReadFailed')).toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    failing = false;
    const reads = w.reads();
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(w.name()).toBe('Northwind');
    expect(w.reads()).toBe(reads + 1);
    // Named: nothing more to try.
    await jest.advanceTimersByTimeAsync(10 * HOUR);
    expect(w.reads()).toBe(reads + 1);
  });

  it('stops trying for a tenant that closed, even when its read fails after it closed', async () => {
    let fail!: (e: unknown) => void;
    const w = world([() => new Promise((_resolve, reject) => (fail = reject))]);
    const reading = w.service.name(TENANT, w.graph);
    w.service.forget(TENANT);
    fail(new GraphError(503, 'ServiceUnavailable', 'down'));
    await reading;
    await jest.advanceTimersByTimeAsync(10 * HOUR);
    expect(w.reads()).toBe(1);
    expect(w.waits()).toEqual([]);
  });
});
