import type { ApiError } from '../../../shared/api/contract';

/** An API answer that was not 2xx, with the server's code and (for consent_required) the action the tab must take. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly action?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  get needsConsent(): boolean {
    return this.action === 'consent_required' || this.code === 'consent_required';
  }

  static fromBody(status: number, statusText: string, parsed: unknown): ApiRequestError {
    const body = parsed as Partial<ApiError> | null;
    const err = body?.error;
    return new ApiRequestError(
      status,
      err?.code ?? `http_${status}`,
      err?.message ?? (statusText || `HTTP ${status}`),
      err?.action,
      body?.requestId,
    );
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
