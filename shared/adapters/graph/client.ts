import { randomUUID } from 'node:crypto';
import { GraphError } from '../../ports/graph';
import { checkAttemptGate } from '../http/attempt-gate';
import {
  networkFailureOf,
  parseRetryAfter,
  reportAttemptsAs,
  retryPolicyOf,
  sendWithRetry,
} from '../http/retry';
import type { GraphRequestKind } from '../../ports/outcomes';
import type { GraphAdapterOptions } from './options';

export interface GraphRequest {
  /** Operation name for metrics, e.g. `setPresence`. */
  op: string;
  kind: GraphRequestKind;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path under /v1.0 (`/users/x`), or an absolute @odata.nextLink. */
  path: string;
  body?: unknown;
  token: () => Promise<string>;
  /** Extra request headers (`ConsistencyLevel: eventual` for advanced directory queries). */
  headers?: Record<string, string>;
  /** Statuses answered without an error (e.g. 404 where "not found" is an answer). */
  allow?: number[];
}

export interface GraphResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: Record<string, unknown> };
}

/**
 * Graph over fetch: authentication, rate-limit hook, retries and Graph's error envelope, in one place. The
 * adapters above it speak only in Graph resources.
 */
export class GraphClient {
  private readonly root: string;
  private readonly origin: string;

  constructor(private readonly options: GraphAdapterOptions) {
    this.root = `${options.baseUrl.replace(/\/+$/, '')}/v1.0`;
    this.origin = new URL(options.baseUrl).origin;
  }

  async request(req: GraphRequest): Promise<GraphResponse> {
    try {
      return await this.attempt(req);
    } catch (e) {
      if (e instanceof GraphError) this.options.onFailure?.(req.op, e);
      throw e;
    }
  }

  private async attempt(req: GraphRequest): Promise<GraphResponse> {
    // One id for all attempts of this call, so Graph's logs (and a support case) can tie the retries together.
    const clientRequestId = randomUUID();
    const first = await this.send(req, clientRequestId);
    let response = first.response;
    if (response.status === 401 && this.options.forgetToken) {
      // A token we still held for valid was refused (revoked, or the secret rotated): one fresh token, one more try.
      await response.body?.cancel();
      this.options.forgetToken(first.token);
      response = (await this.send(req, clientRequestId)).response;
    }
    const body = await readJson(response);
    if (response.ok || req.allow?.includes(response.status)) return { status: response.status, body };
    throw toGraphError(response, body);
  }

  /** Sends with the retry policy; answers the final response and the token its last attempt carried. */
  private async send(
    req: GraphRequest,
    clientRequestId: string,
  ): Promise<{ response: Response; token: string }> {
    const url = this.resolve(req.path);
    let token = '';
    try {
      const response = await sendWithRetry(
        async (signal) => {
          await this.options.beforeRequest?.(req.kind);
          token = await req.token();
          const headers: Record<string, string> = {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'client-request-id': clientRequestId,
            ...req.headers,
          };
          if (req.body !== undefined) headers['content-type'] = 'application/json';
          checkAttemptGate(); // last thing before the request leaves: the sync's ownership fence (attempt-gate.ts)
          return fetch(url, {
            method: req.method,
            headers,
            body: req.body === undefined ? undefined : JSON.stringify(req.body),
            signal,
          });
        },
        {
          ...retryPolicyOf(this.options),
          // Microsoft support asks for both: Graph's request-id, and the client-request-id we sent.
          requestIdOf: (r) => r.headers.get('request-id') ?? clientRequestId,
        },
        reportAttemptsAs(req.op, this.options.onOutcome),
      );
      return { response, token };
    } catch (err) {
      const network = networkFailureOf(err);
      if (!network) throw err; // not the network's failure: a refused token, the fence, or a bug of ours
      throw new GraphError(
        0,
        network.kind === 'timeout' ? 'Timeout' : 'NetworkError',
        `${req.op}: ${(err as Error).message}${network.cause ? ` (${network.cause})` : ''}`,
        undefined,
        undefined,
        network,
      );
    }
  }

  /**
   * Paths are relative to /v1.0. An absolute link (@odata.nextLink) is followed only on Graph's own host, so a
   * tampered or misconfigured answer can never make us send the bearer token elsewhere.
   */
  private resolve(path: string): string {
    if (!/^https?:\/\//i.test(path)) return `${this.root}${path}`;
    if (new URL(path).origin !== this.origin)
      throw new Error(`refusing to follow a Graph link to another host: ${new URL(path).origin}`);
    return path;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toGraphError(response: Response, body: unknown): GraphError {
  const error =
    (typeof body === 'object' && body !== null ? (body as GraphErrorBody).error : undefined) ?? {};
  const inner = error.innerError ?? {};
  const requestId =
    response.headers.get('request-id') ??
    (typeof inner['request-id'] === 'string' ? inner['request-id'] : undefined);
  const message = error.message ?? (typeof body === 'string' && body ? body : response.statusText);
  return new GraphError(
    response.status,
    error.code ?? `Http${response.status}`,
    message,
    requestId,
    parseRetryAfter(response.headers.get('retry-after'), Date.now()),
  );
}
