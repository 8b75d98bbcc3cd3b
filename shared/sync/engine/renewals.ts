import { renewalDueAt } from '../../domain/sync-decision';
import type { SyncClock } from '../clock';
import type { Entry } from './entry';
import type { EngineRun } from './tasks';

/** Our Teams presence session runs out (setPresence's expirationDuration): a timer per user renews it ahead of time. */
export class SessionRenewals {
  constructor(
    private readonly clock: SyncClock,
    private readonly renewAheadMs: number,
    private readonly run: EngineRun,
  ) {}

  /** Sets the user's renewal timer afresh from the state (none when no session is to renew); `due` fires it. */
  schedule(e: Entry, due: () => void): void {
    e.cancelRenewal?.();
    e.cancelRenewal = null;
    const at = renewalDueAt(e.state, this.renewAheadMs);
    if (at === null || this.run.stopped) return;
    e.cancelRenewal = this.clock.setTimer(at - this.clock.now(), () => {
      e.cancelRenewal = null;
      due();
    });
  }
}
