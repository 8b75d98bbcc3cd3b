import pino, { type Logger } from 'pino';

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

/** A logger that writes nothing: for tests and benchmarks that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
