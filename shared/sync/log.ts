/** The logging the sync layer needs (a pino Logger fits). */
export interface SyncLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * One tenant's sync log: every line names the tenant (a `sync.bug` line included, whose code knows no tenant). The id
 * is merged into the line's own fields, so a line that names it already still has one `tenantId`; a pino child
 * binding would print the key twice.
 */
export function tenantLog(log: SyncLog, tenantId: string): SyncLog {
  const tagged = (obj: object) => ({ tenantId, ...obj });
  return {
    error: (obj, msg) => log.error(tagged(obj), msg),
    warn: (obj, msg) => log.warn(tagged(obj), msg),
    info: (obj, msg) => log.info(tagged(obj), msg),
  };
}
