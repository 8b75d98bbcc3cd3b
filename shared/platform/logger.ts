import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Paths that may carry a credential anywhere in a log object. pino replaces them before the line is written,
 * so a secret never reaches a log sink even when a whole request or config object is logged by mistake.
 */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'assertion',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.clientSecret',
  'config.botPassword',
  'config.secretKey',
  'config.cloudlink.clientSecret',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.authorization',
];

export function createLogger(
  level: string = 'info',
  destination?: pino.DestinationStream,
  tap?: LogTap,
): Logger {
  const redact = { paths: REDACTED_PATHS, censor: '[redacted]' };
  if (!tap) return pino({ level, redact }, destination);
  // The tap sees warnings and errors even when the operator's LOG_LEVEL hides them from the output.
  const streams: pino.StreamEntry[] = [{ level: 'warn', stream: tap }];
  if (level !== 'silent')
    streams.push({ level: level as pino.Level, stream: destination ?? pino.destination(1) });
  const lowest = level === 'silent' || pino.levels.values[level]! > pino.levels.values.warn! ? 'warn' : level;
  return pino({ level: lowest, redact }, pino.multistream(streams));
}

/**
 * Every log line at warn or above, as the object pino wrote (already redacted): how the admin page learns of the
 * problems an operator would otherwise read in the server log.
 */
export class LogTap extends Writable {
  private readonly recordListeners = new Set<(record: Record<string, unknown>) => void>();

  /** Calls `listener` with every record; returns how to stop. */
  onRecord(listener: (record: Record<string, unknown>) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const listener of this.recordListeners) listener(record);
    }
    done();
  }
}

/**
 * The process's logger as LOG_FORMAT asks: JSON lines by default, or pino-pretty's readable lines for a terminal.
 * The same redaction applies to both; pretty printing runs in-process (no worker thread), which is fine at the
 * volume an operator reads in a terminal.
 */
export function createProcessLogger(
  level: string,
  format: 'json' | 'pretty',
  destination: NodeJS.WritableStream = process.stdout,
  tap?: LogTap,
): Logger {
  if (format === 'json') return createLogger(level, destination as pino.DestinationStream, tap);
  const colorize = destination === process.stdout && process.stdout.isTTY;
  return createLogger(
    level,
    pretty({ colorize, translateTime: 'SYS:standard', destination, sync: true }),
    tap,
  );
}

/** A logger that writes nothing: for tests and benchmarks that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
