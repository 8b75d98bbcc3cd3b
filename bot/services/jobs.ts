import { randomUUID } from 'node:crypto';
import type { CheckStep, CodedText, JobView } from '../../shared/api/contract';
import { english, said } from '../../shared/api/texts/english';
import { storedText, textFromStore } from '../../shared/api/texts/stored-text';
import type { Logger } from '../../shared/platform/logger';
import type { JobRecord, Store } from '../../shared/ports/store';

/**
 * Long admin operations (configuration check, resync all) run in the background; the tab polls the job for its
 * progress. With a store, each job's state, progress and result are kept there, so a restart does not lose them
 * (and any process sharing the database can answer for them). While a job runs, its process refreshes the job's
 * heartbeat; a job still marked running whose heartbeat stopped belonged to a process that died, and shows as failed
 * (interrupted) instead of running forever. At most one job of each kind runs per tenant at a time.
 * Without a store (tests), jobs live in this process's memory only.
 */
interface JobEntry {
  tenantId: string;
  view: JobView;
  startedBy: string | null;
  /** Writes of this job go out one after the other, so an older state never lands after a newer one. */
  writing: Promise<void>;
  flushTimer: NodeJS.Timeout | null;
}

export interface JobRegistryOptions {
  /** How often a running job's heartbeat is written (default 15 s). */
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this was interrupted (default 60 s). */
  staleMs?: number;
  /** Progress is written at most this often while a job runs (default 1 s); the end is written at once. */
  progressWriteMs?: number;
}

const KEEP_FINISHED = 20;

const INTERRUPTED = said('job.interrupted');
export const INTERRUPTED_SUMMARY = english(INTERRUPTED);

export class JobRegistry {
  private readonly jobs = new Map<string, JobEntry>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly progressWriteMs: number;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly store?: Store,
    options: JobRegistryOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.staleMs = options.staleMs ?? 60_000;
    this.progressWriteMs = options.progressWriteMs ?? 1000;
  }

  /**
   * Starts `run` unless a job of that kind is already running for the tenant (here or, with a shared store, in
   * another live process), in which case that job is answered.
   */
  async start(
    tenantId: string,
    kind: JobView['kind'],
    run: (job: {
      progress(done: number, total: number): void;
      steps(steps: CheckStep[]): void;
    }) => Promise<CodedText | string>,
    startedBy: string | null = null,
  ): Promise<JobView> {
    const running = this.runningHere(tenantId, kind) ?? (await this.runningElsewhere(tenantId, kind));
    if (running) return running;
    // Checked again: another request may have started one while the store answered.
    const raced = this.runningHere(tenantId, kind);
    if (raced) return raced;
    const view: JobView = {
      jobId: randomUUID(),
      kind,
      state: 'running',
      done: 0,
      total: 0,
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
      startedBy,
    };
    const entry: JobEntry = { tenantId, view, startedBy, writing: Promise.resolve(), flushTimer: null };
    this.jobs.set(view.jobId, entry);
    await this.write(entry);
    this.beat();
    const handle = {
      progress: (done: number, total: number) => {
        Object.assign(view, { done, total });
        this.writeSoon(entry);
      },
      steps: (steps: CheckStep[]) => {
        Object.assign(view, {
          steps: steps.map((s) => ({ ...s })),
          done: steps.filter((s) => s.state !== 'pending' && s.state !== 'running').length,
          total: steps.length,
        });
        this.writeSoon(entry);
      },
    };
    void run(handle).then(
      (summary) =>
        typeof summary === 'string'
          ? this.finish(entry, 'succeeded', summary)
          : this.finish(entry, 'succeeded', english(summary), summary),
      (e: unknown) => {
        this.logger.warn({ err: e, kind, tenantId }, 'admin job failed');
        // The error's own words: the tab frames them ("did not finish: …"), they are not a sentence of ours.
        return this.finish(entry, 'failed', e instanceof Error ? e.message : String(e));
      },
    );
    this.prune(tenantId);
    return { ...view };
  }

  async get(tenantId: string, jobId: string): Promise<JobView | undefined> {
    const entry = this.jobs.get(jobId);
    if (entry) return entry.tenantId === tenantId ? { ...entry.view } : undefined;
    const stored = await this.store?.getJob(tenantId, jobId);
    return stored && (await this.fromStore(stored));
  }

  /** The newest job of a kind for the tenant (a report attaches the last configuration check). */
  async latest(tenantId: string, kind: JobView['kind']): Promise<JobView | undefined> {
    const here = [...this.jobs.values()]
      .filter((j) => j.tenantId === tenantId && j.view.kind === kind)
      .map((j) => ({ ...j.view }));
    const stored = this.store ? await this.store.listJobs(tenantId, { kind, limit: 1 }) : [];
    const views = [...here];
    for (const r of stored) if (!this.jobs.has(r.jobId)) views.push(await this.fromStore(r));
    return views.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  }

  /** Stops the heartbeat timer (jobs still running are then seen as interrupted once their heartbeat is stale). */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private runningHere(tenantId: string, kind: JobView['kind']): JobView | undefined {
    const j = [...this.jobs.values()].find(
      (e) => e.tenantId === tenantId && e.view.kind === kind && e.view.state === 'running',
    );
    return j && { ...j.view };
  }

  private async runningElsewhere(tenantId: string, kind: JobView['kind']): Promise<JobView | undefined> {
    if (!this.store) return undefined;
    for (const r of await this.store.listJobs(tenantId, { kind, limit: 5 })) {
      if (r.state !== 'running' || this.jobs.has(r.jobId)) continue;
      const view = await this.fromStore(r);
      if (view.state === 'running') return view;
    }
    return undefined;
  }

  /** A stored job as the API shows it; a running one whose heartbeat stopped is recorded as interrupted. */
  private async fromStore(r: JobRecord): Promise<JobView> {
    if (r.state === 'running' && this.now() - r.heartbeatAt > this.staleMs) {
      const interrupted: JobRecord = {
        ...r,
        state: 'failed',
        summary: storedText(INTERRUPTED),
        error: 'interrupted',
        finishedAt: r.heartbeatAt,
      };
      await this.store?.putJob(interrupted).catch(() => undefined);
      r = interrupted;
    }
    return {
      jobId: r.jobId,
      kind: r.kind as JobView['kind'],
      state: r.state,
      done: r.done,
      total: r.total,
      startedAt: new Date(r.startedAt).toISOString(),
      finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
      startedBy: r.startedBy,
      ...(r.steps && { steps: r.steps as unknown as CheckStep[] }),
      ...(r.summary !== null && summaryFromStore(r.summary)),
    };
  }

  private async finish(
    entry: JobEntry,
    state: 'succeeded' | 'failed',
    summary: string,
    summaryText?: CodedText,
  ): Promise<void> {
    const view = entry.view;
    view.state = state;
    view.summary = summary;
    if (summaryText) view.summaryText = summaryText;
    view.finishedAt = new Date(this.now()).toISOString();
    if (state === 'succeeded' && view.total === 0) view.total = view.done;
    if (entry.flushTimer) clearTimeout(entry.flushTimer);
    entry.flushTimer = null;
    await this.write(entry);
    if (![...this.jobs.values()].some((j) => j.view.state === 'running')) this.close();
  }

  private record(entry: JobEntry): JobRecord {
    const v = entry.view;
    return {
      tenantId: entry.tenantId,
      jobId: v.jobId,
      kind: v.kind,
      state: v.state,
      done: v.done,
      total: v.total,
      steps: v.steps ? (v.steps.map((s) => ({ ...s })) as unknown as Record<string, unknown>[]) : null,
      summary: v.summaryText ? storedText(v.summaryText) : (v.summary ?? null),
      error: v.state === 'failed' ? (v.summary ?? null) : null,
      startedBy: entry.startedBy,
      startedAt: Date.parse(v.startedAt),
      finishedAt: v.finishedAt === null ? null : Date.parse(v.finishedAt),
      heartbeatAt: this.now(),
    };
  }

  /** Queues a write of the job as it is now; resolves when it (and every earlier one) is done. */
  private write(entry: JobEntry): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const record = this.record(entry);
    entry.writing = entry.writing.then(() =>
      store
        .putJob(record)
        .catch((err: unknown) =>
          this.logger.warn(
            { err, tenantId: entry.tenantId, jobId: record.jobId },
            'saving an admin job failed',
          ),
        ),
    );
    return entry.writing;
  }

  private writeSoon(entry: JobEntry): void {
    if (!this.store || entry.flushTimer || entry.view.state !== 'running') return;
    entry.flushTimer = setTimeout(() => {
      entry.flushTimer = null;
      if (entry.view.state === 'running') void this.write(entry);
    }, this.progressWriteMs);
    entry.flushTimer.unref();
  }

  private beat(): void {
    if (!this.store || this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const e of this.jobs.values()) if (e.view.state === 'running') void this.write(e);
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private prune(tenantId: string): void {
    const finished = [...this.jobs.values()].filter((j) => j.view.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(old.view.jobId);
    void this.store?.pruneJobs(tenantId, KEEP_FINISHED).catch(() => undefined);
  }
}

/** A stored summary: coded (JSON) since codes exist, plain English before; both read back with their English. */
function summaryFromStore(stored: string): Pick<JobView, 'summary' | 'summaryText'> {
  const { english: summary, text } = textFromStore(stored);
  return text ? { summary, summaryText: text } : { summary };
}
