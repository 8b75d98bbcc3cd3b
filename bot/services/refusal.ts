/**
 * A request a service turns down on purpose, in words a person can act on. Services say what kind of refusal it is;
 * the HTTP layer (bot/http/route.ts) picks the status, so no service depends on HTTP.
 */
export type RefusalKind =
  /** The thing asked about does not exist (for this tenant). */
  | 'not_found'
  /** The tenant is not in a state that allows it yet (e.g. not linked). */
  | 'conflict'
  /** The caller has to do something first (e.g. consent). */
  | 'forbidden'
  /** A service we depend on refused or failed. */
  | 'upstream_failed'
  /** We cannot answer just now (our own store or registry); worth trying again shortly. */
  | 'unavailable';

export class ServiceRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    /** A stable machine code the tab can act on. */
    readonly code: string,
    message: string,
    /** Tells the tab what to do next, e.g. `consent_required`. */
    readonly action?: string,
  ) {
    super(message);
    this.name = 'ServiceRefusal';
  }
}

export const notFound = (what: string) => new ServiceRefusal('not_found', 'not_found', `${what} was not found.`);
