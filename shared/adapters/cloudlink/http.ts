import { CloudLinkError } from '../../ports/cloudlink';
import { checkAttemptGate } from '../http/attempt-gate';
import {
  networkFailureOf,
  parseRetryAfter,
  reportAttemptsAs,
  retryPolicyOf,
  sendWithRetry,
} from '../http/retry';
import type { CloudLinkAdapterOptions } from './options';

export type CloudLinkService = 'authentication' | 'admin' | 'media' | 'presence' | 'notifications';

export interface CloudLinkRequest {
  op: string;
  service: CloudLinkService;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the service base, e.g. `/presentities/abc`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body, or a URLSearchParams for the form-encoded token request. */
  body?: unknown;
  bearer?: string;
  /** Statuses answered without an error (e.g. 404 on an idempotent delete). */
  allow?: number[];
}

export interface CloudLinkResponse {
  status: number;
  body: unknown;
  requestId?: string;
}

/**
 * CloudLink over fetch: the per-service URL from the {service} template, X-Mitel-App on every call, retries for
 * 429 (after Retry-After) and 5xx (bounded exponential backoff), and CloudLink's error body turned into a typed
 * CloudLinkError that carries the x-mitel-correlation-id Mitel support asks for.
 */
export class CloudLinkHttp {
  constructor(private readonly options: CloudLinkAdapterOptions) {}

  url(service: CloudLinkService, path: string, query?: CloudLinkRequest['query']): string {
    const base = this.options.apiBase.replace('{service}', service).replace(/\/+$/, '');
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return `${base}${path}${qs ? `?${qs}` : ''}`;
  }

  async request(req: CloudLinkRequest): Promise<CloudLinkResponse> {
    try {
      return await this.attempt(req);
    } catch (e) {
      if (e instanceof CloudLinkError) this.options.onFailure?.(req.op, e);
      throw e;
    }
  }

  private async attempt(req: CloudLinkRequest): Promise<CloudLinkResponse> {
    const url = this.url(req.service, req.path, req.query);
    const form = req.body instanceof URLSearchParams;
    const response = await this.send(url, req, form);
    const requestId = response.headers.get('x-mitel-correlation-id') ?? undefined;
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (response.ok || req.allow?.includes(response.status))
      return { status: response.status, body, requestId };
    const err = (typeof body === 'object' && body !== null ? body : {}) as {
      code?: unknown;
      message?: unknown;
    };
    throw new CloudLinkError(
      response.status,
      typeof err.code === 'string' ? err.code : `Http${response.status}`,
      typeof err.message === 'string' ? err.message : response.statusText || 'CloudLink request failed',
      requestId,
      parseRetryAfter(response.headers.get('retry-after'), (this.options.now ?? Date.now)()),
    );
  }

  /** Sends with the retry policy; a call that got no answer becomes a CloudLinkError with status 0 and its kind. */
  private async send(url: string, req: CloudLinkRequest, form: boolean): Promise<Response> {
    try {
      return await sendWithRetry(
        (signal) => {
          const headers: Record<string, string> = {
            accept: 'application/json',
            'x-mitel-app': this.options.appId,
          };
          if (req.bearer) headers.authorization = `Bearer ${req.bearer}`;
          if (req.body !== undefined)
            headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
          const body =
            req.body === undefined ? undefined : form ? String(req.body) : JSON.stringify(req.body);
          checkAttemptGate(); // last thing before the request leaves: the sync's ownership fence (attempt-gate.ts)
          return fetch(url, { method: req.method, headers, body, signal });
        },
        {
          ...retryPolicyOf(this.options),
          requestIdOf: (r) => r.headers.get('x-mitel-correlation-id') ?? undefined,
        },
        reportAttemptsAs(req.op, this.options.onOutcome),
      );
    } catch (err) {
      const network = networkFailureOf(err);
      if (!network) throw err; // not the network's failure: the fence, or a bug of ours
      throw new CloudLinkError(
        0,
        network.kind === 'timeout' ? 'Timeout' : 'NetworkError',
        `${req.op}: ${(err as Error).message}${network.cause ? ` (${network.cause})` : ''}`,
        undefined,
        undefined,
        network,
      );
    }
  }
}
