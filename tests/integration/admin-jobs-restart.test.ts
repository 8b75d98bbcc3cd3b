import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERRUPTED_SUMMARY, JobRegistry } from '../../bot/services/jobs';
import { english, said } from '../../shared/api/texts/english';
import { silentLogger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { eventually } from './real-time';

/**
 * Issue 10: admin jobs (configuration check, sync all) are kept in the store, so a restart does not lose them, and a
 * job whose process died shows as interrupted instead of running forever. Each "process" is a JobRegistry on its own
 * connection to the same SQLite file.
 */
describe('admin jobs across a restart', () => {
  const T = 'tenant-1';
  let dir: string;
  let stores: Store[];
  let t: number;
  const now = () => t;
  const open = async () => {
    const s = await openStore(`sqlite:${join(dir, 'switchboard.sqlite')}`);
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobs-test-'));
    stores = [];
    t = Date.UTC(2026, 11, 2, 9, 0, 0);
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a finished job, with its steps, result and who started it, is still there after a restart', async () => {
    const before = new JobRegistry(silentLogger(), now, await open());
    const job = await before.start(
      T,
      'configurationCheck',
      async (j) => {
        j.steps([
          { id: 'token', title: 'App token', state: 'passed' },
          { id: 'graph', title: 'Graph permissions granted', state: 'failed', fix: 'Grant admin consent.' },
        ]);
        return '1 of 2 steps failed';
      },
      'admin-1',
    );
    await eventually(async () => expect((await before.get(T, job.jobId))?.state).toBe('succeeded'));
    before.close();

    const after = new JobRegistry(silentLogger(), now, await open());
    const seen = await after.get(T, job.jobId);
    expect(seen).toMatchObject({
      jobId: job.jobId,
      kind: 'configurationCheck',
      state: 'succeeded',
      done: 2,
      total: 2,
      summary: '1 of 2 steps failed',
      startedBy: 'admin-1',
      steps: [
        { id: 'token', state: 'passed' },
        { id: 'graph', state: 'failed', fix: 'Grant admin consent.' },
      ],
    });
    expect(seen?.finishedAt).not.toBeNull();
    expect(await after.latest(T, 'configurationCheck')).toMatchObject({ jobId: job.jobId });
    expect(await after.get('another-tenant', job.jobId)).toBeUndefined();
  });

  it("keeps a check's coded summary and step texts across a restart, so another process answers them in German too", async () => {
    const before = new JobRegistry(silentLogger(), now, await open());
    const fix = said('check.fix.permissions');
    const job = await before.start(T, 'configurationCheck', async (j) => {
      j.steps([
        { id: 'permissions', title: 'Graph permissions', state: 'failed', fix: english(fix), fixText: fix },
      ]);
      return said('check.summary.failed', { failed: 1, total: 1 });
    });
    await eventually(async () => expect((await before.get(T, job.jobId))?.state).toBe('succeeded'));
    before.close();

    const after = new JobRegistry(silentLogger(), now, await open());
    expect(await after.get(T, job.jobId)).toMatchObject({
      summary: '1 of 1 checks failed; each names its fix.',
      summaryText: { code: 'check.summary.failed', params: { failed: 1, total: 1 } },
      steps: [{ id: 'permissions', fix: english(fix), fixText: { code: 'check.fix.permissions' } }],
    });
  });

  it('a job running when its process died shows as failed (interrupted), not forever running', async () => {
    const dying = new JobRegistry(silentLogger(), now, await open(), { progressWriteMs: 10 });
    const job = await dying.start(T, 'resyncAll', async (j) => {
      j.progress(650, 2000);
      return new Promise<string>(() => undefined); // never finishes: the process dies first
    });
    const other = new JobRegistry(silentLogger(), now, await open());
    // Progress reaches the store while the job runs; another process sees it running.
    await eventually(async () =>
      expect(await other.get(T, job.jobId)).toMatchObject({ state: 'running', done: 650 }),
    );
    // A second "sync all" while it runs answers the running one, even from another process.
    expect((await other.start(T, 'resyncAll', async () => 'second')).jobId).toBe(job.jobId);
    dying.close(); // kill -9: the heartbeat stops

    t += 61_000; // longer than a heartbeat can be late
    const restarted = new JobRegistry(silentLogger(), now, await open());
    expect(await restarted.get(T, job.jobId)).toMatchObject({
      state: 'failed',
      summary: INTERRUPTED_SUMMARY,
      summaryText: { code: 'job.interrupted' },
      done: 650,
      total: 2000,
    });
    // And a new one can be started.
    const next = await restarted.start(T, 'resyncAll', async () => 'done');
    expect(next.jobId).not.toBe(job.jobId);
    await eventually(async () => expect((await restarted.get(T, next.jobId))?.state).toBe('succeeded'));
  });

  it('a running job whose process is alive keeps its heartbeat and is not taken for interrupted', async () => {
    const alive = new JobRegistry(silentLogger(), now, await open(), { heartbeatMs: 20 });
    let finish: (s: string) => void = () => undefined;
    const job = await alive.start(T, 'resyncAll', () => new Promise<string>((resolve) => (finish = resolve)));
    const other = new JobRegistry(silentLogger(), now, await open());
    const beat = (await stores[0].getJob(T, job.jobId))?.heartbeatAt;
    t += 50_000;
    await eventually(async () =>
      expect((await stores[1].getJob(T, job.jobId))?.heartbeatAt).toBeGreaterThan(beat!),
    );
    t += 50_000; // 100 s after the start, but the heartbeat is fresh
    expect(await other.get(T, job.jobId)).toMatchObject({ state: 'running' });
    finish('all resynced');
    await eventually(async () => expect(await other.get(T, job.jobId)).toMatchObject({ state: 'succeeded' }));
    alive.close();
  });
});
