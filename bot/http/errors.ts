import type { ApiError } from '../../shared/api/contract';
import type { ZodError, ZodType, ZodTypeDef } from 'zod';

/**
 * An error the API answers with on purpose: a status, a stable machine code and a message a person can act on.
 * Anything else thrown inside a route is logged and answered as a 500 without details, so no internal state leaks.
 */
export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Tells the tab what to do next, e.g. `consent_required`. */
    readonly action?: string,
  ) {
    super(message);
    this.name = 'ApiHttpError';
  }

  toBody(requestId?: string): ApiError {
    return {
      error: { code: this.code, message: this.message, ...(this.action ? { action: this.action } : {}) },
      requestId,
    };
  }
}

export class RateLimitedError extends ApiHttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many requests; retry in ${retryAfterSeconds} s.`);
  }
}

/**
 * Hosted mode: the caller's organisation is not (or no longer) served. Said only after the token proved the caller
 * belongs to that organisation, and it names no other tenant.
 */
export class TenantNotOnboardedError extends ApiHttpError {
  constructor(readonly onboardUrl: string) {
    super(
      403,
      'tenant_not_onboarded',
      'Your organisation has not set up Switchboard yet: an admin of your organisation signs it up at the link given.',
    );
  }

  override toBody(requestId?: string): ApiError {
    const body = super.toBody(requestId);
    return { ...body, error: { ...body.error, onboardUrl: this.onboardUrl } };
  }
}

export const badRequest = (message: string) => new ApiHttpError(400, 'bad_request', message);
export const notFound = (what: string) => new ApiHttpError(404, 'not_found', `${what} was not found.`);

/** Parses untrusted input with a zod schema; a mismatch becomes a 400 naming each offending field. */
export function parseInput<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  input: unknown,
  what = 'request body',
): T {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(`Invalid ${what}: ${describe(result.error)}`);
  return result.data;
}

function describe(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'} ${i.message}`)
    .join('; ');
}
