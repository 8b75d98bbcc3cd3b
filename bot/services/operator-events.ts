import type { Logger } from '../../shared/platform/logger';
import type { LogTap } from '../../shared/platform/logger';
import type { OperatorEvent, Store } from '../../shared/ports/store';

/** pino's numeric level for error; warn is 40. */
const PINO_ERROR = 50;
/** Fields of a log line that say nothing the event's own columns do not. */
const BOOKKEEPING = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'tenantId', 'event', 'err']);
const FLUSH_MS = 500;

/**
 * The admin page's "recent problems": every warning or error the server logs for a tenant, kept in the store (bounded
 * per tenant) so the admin reads what an operator would read in the log, from any process and after a restart. It
 * takes the lines from the log itself, already redacted, so nothing reaches the page that the log would not show.
 */
export class OperatorEvents {
  private pending: OperatorEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  constructor(
    private readonly store: Store,
    tap: LogTap,
    private readonly logger: Logger,
  ) {
    this.detach = tap.onRecord((record) => this.take(record));
  }

  /** Writes what is pending; resolves when it is in the store. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.appendEvents(batch);
      } catch (e) {
        // Logged without a tenant, so this line is not taken as an event of its own (that would loop).
        this.logger.error({ err: e, lost: batch.length }, 'saving operator events failed');
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    this.detach();
    await this.flush();
  }

  private take(record: Record<string, unknown>): void {
    if (typeof record.tenantId !== 'string' || typeof record.level !== 'number') return;
    const detail: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) if (!BOOKKEEPING.has(key)) detail[key] = value;
    const err = record.err as { message?: unknown } | undefined;
    if (typeof err?.message === 'string') detail.error = err.message;
    this.pending.push({
      tenantId: record.tenantId,
      at: typeof record.time === 'number' ? record.time : Date.now(),
      level: record.level >= PINO_ERROR ? 'error' : 'warn',
      event: typeof record.event === 'string' ? record.event : null,
      message: typeof record.msg === 'string' ? record.msg : '',
      detail,
    });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }
}
