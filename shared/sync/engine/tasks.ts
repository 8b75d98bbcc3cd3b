/**
 * Counts the engine's pending work (a write or read in flight, a retry waiting out its backoff, a batch of reads or
 * store writes scheduled), so idle() can tell tests and shutdown when all of it is over. Every begin() is matched by
 * exactly one end().
 */
export class TaskCounter {
  private count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count++;
  }

  end(): void {
    this.count--;
    if (this.count === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
    }
  }

  /** Resolves once no counted work is pending. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Whether the engine runs, and which ownership term its work belongs to; read by every part of the engine. */
export class EngineRun {
  stopped = false;
  /** Halted for losing the sync lease: state not yet saved is dropped, never written over the next owner's. */
  abandoned = false;
  /** Bumped by resume(): workers of an earlier ownership term stop instead of writing from state now forgotten. */
  term = 0;
}
