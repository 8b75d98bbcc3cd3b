import type { SyncClock } from '../../shared/sync/clock';

/** Lets pending promise callbacks (and their I/O-free continuations) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Test equipment: a clock that moves only when told to, so a test can play a three-hour call in milliseconds.
 * `advance` fires due timers in time order and lets the work they start settle before moving on; `onAdvance` lets a
 * test keep another clock (an emulator's ManualClock) in step.
 */
export class VirtualClock implements SyncClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(
    private current = Date.UTC(2026, 10, 23, 9, 0, 0),
    private readonly onAdvance?: (to: number) => void,
  ) {}

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Moves time forward by `ms`, in steps no longer than `stepMs` so periodic work interleaves as it would live. */
  async advance(ms: number, stepMs = 60_000): Promise<void> {
    const target = this.current + ms;
    await settle();
    do {
      const stepEnd = Math.min(target, this.current + stepMs);
      for (;;) {
        const due = this.timers.filter((t) => t.at <= stepEnd).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        this.timers = this.timers.filter((t) => t !== due);
        this.moveTo(Math.max(this.current, due.at));
        due.fn();
        await settle();
      }
      this.moveTo(stepEnd);
      await settle();
    } while (this.current < target);
  }

  private moveTo(t: number): void {
    this.current = t;
    this.onAdvance?.(t);
  }
}
