import { randomUUID } from 'node:crypto';
import type { CheckStep, JobView } from '../../shared/api/contract';
import type { Logger } from '../../shared/platform/logger';

/**
 * Long admin operations (configuration check, resync all) run in the background; the tab polls the job for its
 * progress. Jobs live in this process's memory: they are minutes long and only their progress matters, so a job
 * lost with its process is simply run again. At most one job of each kind runs per tenant at a time.
 */
interface JobEntry {
  tenantId: string;
  view: JobView;
}

const KEEP_FINISHED = 20;

export class JobRegistry {
  private readonly jobs = new Map<string, JobEntry>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `run` unless a job of that kind is already running for the tenant, in which case that job is answered. */
  start(
    tenantId: string,
    kind: JobView['kind'],
    run: (job: {
      progress(done: number, total: number): void;
      steps(steps: CheckStep[]): void;
    }) => Promise<string>,
  ): JobView {
    const running = [...this.jobs.values()].find(
      (j) => j.tenantId === tenantId && j.view.kind === kind && j.view.state === 'running',
    );
    if (running) return running.view;
    const view: JobView = {
      jobId: randomUUID(),
      kind,
      state: 'running',
      done: 0,
      total: 0,
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
    };
    this.jobs.set(view.jobId, { tenantId, view });
    const handle = {
      progress: (done: number, total: number) => Object.assign(view, { done, total }),
      steps: (steps: CheckStep[]) =>
        Object.assign(view, {
          steps: steps.map((s) => ({ ...s })),
          done: steps.filter((s) => s.state !== 'pending' && s.state !== 'running').length,
          total: steps.length,
        }),
    };
    void run(handle).then(
      (summary) => this.finish(view, 'succeeded', summary),
      (e: unknown) => {
        this.logger.warn({ err: e, kind, tenantId }, 'admin job failed');
        this.finish(view, 'failed', e instanceof Error ? e.message : String(e));
      },
    );
    this.prune();
    return view;
  }

  get(tenantId: string, jobId: string): JobView | undefined {
    const entry = this.jobs.get(jobId);
    return entry && entry.tenantId === tenantId ? entry.view : undefined;
  }

  /** The newest job of a kind for the tenant (a report attaches the last configuration check). */
  latest(tenantId: string, kind: JobView['kind']): JobView | undefined {
    return [...this.jobs.values()]
      .filter((j) => j.tenantId === tenantId && j.view.kind === kind)
      .map((j) => j.view)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  }

  private finish(view: JobView, state: 'succeeded' | 'failed', summary: string): void {
    view.state = state;
    view.summary = summary;
    view.finishedAt = new Date(this.now()).toISOString();
    if (state === 'succeeded' && view.total === 0) view.total = view.done;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.view.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(old.view.jobId);
  }
}
