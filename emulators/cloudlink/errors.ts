import { HttpFailure } from '../common/http';

/**
 * CloudLink's error answer. Assumption: its services are restify applications and answer errors in the
 * restify-errors shape `{code, message}` (the public docs show no error bodies). Every response also carries
 * `x-mitel-correlation-id`, which Mitel asks integrators to log; the gate adds it.
 */
export type CloudLinkErrorCode =
  | 'BadRequest'
  | 'InvalidArgument'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'TooManyRequests'
  | 'InternalServerError'
  | 'ServiceUnavailable';

export function clErrorBody(code: string, message: string): { code: string; message: string } {
  return { code, message };
}

export function clFail(
  status: number,
  code: CloudLinkErrorCode,
  message: string,
  headers?: Record<string, string>,
): HttpFailure {
  return new HttpFailure({ status, headers, body: clErrorBody(code, message) });
}
