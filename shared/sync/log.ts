/** The logging the sync layer needs (a pino Logger fits). */
export interface SyncLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}
