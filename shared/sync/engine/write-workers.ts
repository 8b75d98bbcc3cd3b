import { english, said } from '../../api/texts/english';
import { applyPbxToTeams, pbxWork, pbxWritten, teamsWork, teamsWritten } from '../../domain/sync-decision';
import { teamsKey } from '../../domain/sync-state';
import type { CloudLinkPort } from '../../ports/cloudlink';
import type { GraphPort } from '../../ports/graph';
import { eventStamp, type SyncClock } from '../clock';
import type { SyncLog } from '../log';
import { backoffMs, classify } from '../errors';
import { FencedWriteError } from '../fence';
import type { SyncMetrics } from '../metrics';
import type { Entry, SideName } from './entry';
import type { UserRegistry } from './registry';
import type { SessionRenewals } from './renewals';
import type { EngineRun, TaskCounter } from './tasks';
import type { EngineSettings, UserChanges } from './user-changes';

type WriteResult = 'written' | 'nothing' | 'retrying' | 'failed';

/** An ISO 8601 duration in whole minutes, as setPresence's expirationDuration wants it (e.g. PT1H, PT1H30M). */
export function isoDuration(ms: number): string {
  const minutes = Math.max(5, Math.round(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${hours ? `${hours}H` : ''}${rest ? `${rest}M` : ''}`;
}

/**
 * The two write queues of every user: one write in flight per user per side, the latest state wins. A write that
 * fails for a passing reason is retried with backoff; one refused (consent, licence, secret) is tried again slowly
 * (heal) and puts an error on the user; one the fence refused is dropped (the next owner writes what is needed).
 */
export class WriteWorkers {
  constructor(
    private readonly settings: EngineSettings,
    private readonly graph: GraphPort,
    private readonly cloudlink: CloudLinkPort,
    private readonly clock: SyncClock,
    private readonly metrics: SyncMetrics,
    private readonly tasks: TaskCounter,
    private readonly run: EngineRun,
    private readonly registry: UserRegistry,
    private readonly changes: UserChanges,
    private readonly renewals: SessionRenewals,
    /** Where a bug that failed a write is reported (errors.ts: once per kind, as sync.bug). */
    private readonly log: SyncLog,
  ) {}

  /** The state may call for a write on `side`: start (or wake) its worker; `receivedAt` dates the change for latency. */
  kick(e: Entry, side: SideName, receivedAt: number): void {
    const s = e[side];
    const hasWork =
      side === 'teams'
        ? !!teamsWork(e.state, this.clock.now(), this.settings.renewAheadMs)
        : !!pbxWork(e.state);
    if (!hasWork) {
      if (side === 'teams' && !s.busy) this.scheduleRenewal(e);
      return;
    }
    // A refused write waits for its slow retry; an observation that changes nothing about it must not resend it now
    // (a changed write, a new presence to set, goes at once).
    if (s.cancelHeal && s.refused !== null && s.refused === this.workKey(e, side)) return;
    if (s.since === null) s.since = receivedAt;
    if (s.busy) {
      s.again = true;
      return;
    }
    if (s.cancelRetry) return; // waiting out a backoff; the retry will pick up the newest state
    void this.runWorker(e, side);
  }

  /** A resync (periodic, "Sync all", "Resync this user") tries refused writes again at once, as the rules promise. */
  retryRefusedWrites(e: Entry): void {
    for (const side of ['teams', 'pbx'] as const) {
      if (e[side].refused === null) continue;
      e[side].refused = null;
      this.kick(e, side, this.clock.now());
    }
  }

  /** Writes in flight or waiting out a backoff for this user (0 to 2). */
  queued(e: Entry): number {
    return (e.teams.busy || e.teams.cancelRetry ? 1 : 0) + (e.pbx.busy || e.pbx.cancelRetry ? 1 : 0);
  }

  /** A write of this user is in flight. */
  writing(e: Entry): boolean {
    return e.teams.busy || e.pbx.busy;
  }

  /** The engine stops: the user's timers (renewal, retries, slow retries) are cancelled. */
  stop(e: Entry): void {
    e.cancelRenewal?.();
    for (const s of [e.teams, e.pbx]) {
      s.cancelHeal?.();
      s.cancelHeal = null;
      if (s.cancelRetry) {
        s.cancelRetry();
        s.cancelRetry = null;
        this.tasks.end();
      }
    }
  }

  private scheduleRenewal(e: Entry): void {
    this.renewals.schedule(e, () => this.kick(e, 'teams', this.clock.now()));
  }

  /** One worker per user per side: sends the newest wanted state until nothing is left to send. */
  private async runWorker(e: Entry, side: SideName): Promise<void> {
    const s = e[side];
    const term = this.run.term;
    s.busy = true;
    this.tasks.begin();
    try {
      for (;;) {
        s.again = false;
        if (this.run.stopped || term !== this.run.term) return;
        const ok = side === 'teams' ? await this.writeTeams(e) : await this.writePbx(e);
        if (ok === 'retrying' || ok === 'failed') return;
        // A write went through: nothing refused is waiting any more.
        if (ok === 'written') s.refused = null;
        if (ok === 'nothing' && !s.again) {
          if (s.since !== null) {
            this.metrics.observeLatency(
              side === 'teams' ? 'toTeams' : 'fromTeams',
              this.clock.now() - s.since,
            );
            s.since = null;
          }
          return;
        }
      }
    } finally {
      s.busy = false;
      this.tasks.end();
    }
  }

  private async writeTeams(e: Entry): Promise<WriteResult> {
    const sentAt = this.clock.now();
    const work = teamsWork(e.state, sentAt, this.settings.renewAheadMs);
    if (!work) {
      this.scheduleRenewal(e);
      return 'nothing';
    }
    try {
      if (work.kind === 'set')
        await this.graph.setPresence(e.user.entraUserId, work.presence, isoDuration(this.settings.sessionMs));
      else await this.graph.clearPresence(e.user.entraUserId);
      e.teams.attempt = 0;
      e.lastError = null;
      this.changes.update(
        e,
        teamsWritten(e.state, work, sentAt, this.settings.sessionMs, eventStamp(this.clock)),
        `teams.${work.kind}`,
        work.kind === 'set' ? { presence: teamsKey(work.presence) } : {},
        true,
      );
      return 'written';
    } catch (err) {
      return this.failWrite(e, 'teams', err);
    }
  }

  private async writePbx(e: Entry): Promise<WriteResult> {
    const work = pbxWork(e.state);
    if (!work) return 'nothing';
    try {
      const receipt = await this.cloudlink.setDnd(e.user.pbxPrincipalId as string, work.dnd, work.statusText);
      this.metrics.cloudlinkCall('setDnd', 'ok');
      e.pbx.attempt = 0;
      e.lastError = null;
      const written = pbxWritten(e.state, work, this.clock.now(), receipt.updatedOn);
      // The user's press on the phone landed after our write: the DND is theirs, and Teams shows it.
      const crossed = written.pbxAssertion === null && e.state.pbxAssertion !== null;
      this.changes.update(
        e,
        crossed ? applyPbxToTeams(written, this.changes.ctx(e)) : written,
        'pbx.setDnd',
        { ...work },
        true,
      );
      if (crossed) this.kick(e, 'teams', this.clock.now());
      return 'written';
    } catch (err) {
      this.metrics.cloudlinkCall('setDnd', 'error');
      return this.failWrite(e, 'pbx', err);
    }
  }

  private failWrite(e: Entry, side: SideName, err: unknown): 'retrying' | 'failed' {
    const s = e[side];
    if (err instanceof FencedWriteError) {
      // Not ours to send any more (fence.ts counted and logged it): no retry, no error on the user; the owner that
      // took over re-reads both sides and writes what is needed.
      s.since = null;
      return 'failed';
    }
    const f = classify(err, this.log);
    if (!f.retry) {
      s.since = null;
      s.cancelHeal?.();
      s.cancelHeal = null;
      if (!f.healAfterMs || this.run.stopped) {
        this.changes.fail(e, f.message, f.fix, true);
        return 'failed';
      }
      // Once someone fixes the cause (consent, licence, secret), the write goes through without waiting for a change.
      this.changes.fail(
        e,
        f.message,
        said('fix.retriesEvery', { fix: f.fix, minutes: f.healAfterMs / 60_000 }),
        true,
      );
      s.refused = this.workKey(e, side);
      s.cancelHeal = this.clock.setTimer(f.healAfterMs, () => {
        s.cancelHeal = null;
        s.refused = null;
        if (!this.run.stopped && this.registry.get(e.user.entraUserId) === e)
          this.kick(e, side, this.clock.now());
      });
      return 'failed';
    }
    this.changes.trace(e, `${side}.retry`, { reason: english(f.message), attempt: s.attempt });
    const delay = Math.max(f.afterMs ?? 0, backoffMs(s.attempt++));
    this.tasks.begin();
    s.cancelRetry = this.clock.setTimer(delay, () => {
      s.cancelRetry = null;
      this.tasks.end();
      if (!s.busy && !this.run.stopped) void this.runWorker(e, side);
    });
    return 'retrying';
  }

  /** The write a side would send now, as a comparable key (null: nothing to send). */
  private workKey(e: Entry, side: SideName): string | null {
    const work =
      side === 'teams' ? teamsWork(e.state, this.clock.now(), this.settings.renewAheadMs) : pbxWork(e.state);
    return work ? JSON.stringify(work) : null;
  }
}
