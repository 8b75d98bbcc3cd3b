import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../common/http';

/**
 * Graph's error envelope: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. Every
 * answer of the emulator carries a `request-id` header; errors repeat it inside the body, as Graph does, so a
 * client can quote it in a support case (and our tests can check that the adapter surfaces it).
 */

export interface RequestContext {
  requestId: string;
  clientRequestId: string;
  /** epoch ms, from the emulator's clock */
  now: number;
}

export function newRequestContext(now: number, clientRequestId?: string): RequestContext {
  const requestId = randomUUID();
  return { requestId, clientRequestId: clientRequestId ?? requestId, now };
}

/** Graph's innerError date has no fractional seconds and no zone designator. */
export function graphDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function errorBody(ctx: RequestContext, code: string, message: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: graphDate(ctx.now),
        'request-id': ctx.requestId,
        'client-request-id': ctx.clientRequestId,
      },
    },
  };
}

/** An error answer; headers are added by the pipeline so that batch sub-responses get them too. */
export class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(ctx: RequestContext): EmulatorResponse {
    return {
      status: this.status,
      headers: { ...this.headers },
      body: errorBody(ctx, this.code, this.message),
    };
  }
}

export const badRequest = (message: string, code = 'BadRequest') => new GraphFailure(400, code, message);

export const notFoundUser = (id: string) =>
  new GraphFailure(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** Directory reads (users, groups) fail with Azure AD's code; workload APIs (presence) with the generic one. */
export const directoryDenied = () =>
  new GraphFailure(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
export const forbidden = (message = 'Insufficient privileges to complete the operation.') =>
  new GraphFailure(403, 'Forbidden', message);

/**
 * Subscription errors come back from the change-notification service wrapped in Graph's "ExtensionError" text
 * form, e.g. `Operation: Create; Exception: [Status Code: Forbidden; Reason: ...]`.
 */
export function subscriptionFailure(status: number, operation: string, reason: string): GraphFailure {
  const statusNames: Record<number, string> = {
    400: 'BadRequest',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
  };
  return new GraphFailure(
    status,
    'ExtensionError',
    `Operation: ${operation}; Exception: [Status Code: ${statusNames[status] ?? status}; Reason: ${reason}]`,
  );
}
