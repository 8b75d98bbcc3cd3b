import type { ApiError } from '../../../shared/api/contract';

/** An API answer that was not 2xx, with the server's code and (for consent_required) the action the tab must take. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly action?: string,
    readonly requestId?: string,
    /** With tenant_not_onboarded (hosted mode): where the organisation's admin signs it up. */
    readonly onboardUrl?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  /** Hosted mode: the user's organisation is not served (yet): nothing here works until its admin signs it up. */
  get tenantNotOnboarded(): boolean {
    return this.code === 'tenant_not_onboarded';
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
      typeof err?.onboardUrl === 'string' ? err.onboardUrl : undefined,
    );
  }
}
