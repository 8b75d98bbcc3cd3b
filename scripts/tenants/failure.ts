/**
 * What an operator and the log need to know about a call that failed: the service's own code (Graph's, CloudLink's,
 * or Entra's AADSTS code when a token was refused), its HTTP status, and the id the vendor's support asks for.
 * Only typed fields are read, so no token, secret or response text ends up in a line.
 */
export interface CallFailure {
  code: string;
  status: number | undefined;
  requestId: string | undefined;
}

export function callFailure(e: unknown): CallFailure {
  const fields = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    code: text(fields.code) ?? (e instanceof Error ? e.name : 'unknown'),
    status: typeof fields.status === 'number' ? fields.status : undefined,
    requestId: text(fields.requestId) ?? text(fields.correlationId),
  };
}

export function describeFailure(f: CallFailure): string {
  return [
    f.status === undefined ? undefined : `HTTP ${f.status}`,
    f.code,
    f.requestId && `request ${f.requestId}`,
  ]
    .filter(Boolean)
    .join(', ');
}
