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

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
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
): Logger {
  if (format === 'json') return createLogger(level, destination as pino.DestinationStream);
  const colorize = destination === process.stdout && process.stdout.isTTY;
  return createLogger(level, pretty({ colorize, translateTime: 'SYS:standard', destination, sync: true }));
}

/** A logger that writes nothing: for tests and benchmarks that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
