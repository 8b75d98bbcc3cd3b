import type { EmulatorResponse } from '../common/http';
import type { Caller } from './auth';
import { badRequest, type RequestContext } from './errors';

/**
 * The shape every Graph endpoint of the emulator is written against. A request reaches a handler already
 * authenticated; the same handlers serve direct calls and `$batch` sub-requests.
 */

export interface ApiRequest {
  method: string;
  /** Path below `/v1.0`, starting with '/'. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface ApiCall {
  req: ApiRequest;
  caller: Caller;
  ctx: RequestContext;
  params: Record<string, string>;
  /** e.g. http://127.0.0.1:PORT/v1.0, for @odata.nextLink */
  serviceRoot: string;
}

export type ApiHandler = (call: ApiCall) => Promise<EmulatorResponse> | EmulatorResponse;

interface ApiRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: ApiHandler;
  /** Counted against the per-app presence throttle. */
  presence: boolean;
}

export class ApiRoutes {
  private readonly routes: ApiRoute[] = [];

  on(method: string, path: string, handler: ApiHandler, options: { presence?: boolean } = {}): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({
      method,
      pattern: new RegExp(`^${source}/?$`, 'i'),
      names,
      handler,
      presence: options.presence ?? false,
    });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: ApiRoute; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      return { route, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

/** Reads a JSON object body or fails the way Graph does for a missing or malformed one. */
export function objectBody(req: ApiRequest): Record<string, unknown> {
  if (
    req.body === undefined ||
    req.body === null ||
    typeof req.body !== 'object' ||
    Array.isArray(req.body)
  ) {
    return {};
  }
  return req.body as Record<string, unknown>;
}

/**
 * The body of an OData action (setPresence, getPresencesByUserId, ...): Graph refuses parameters the action does not
 * declare, so a typo in a field name fails loudly instead of being ignored.
 */
export function actionBody(
  req: ApiRequest,
  action: string,
  allowed: readonly string[],
): Record<string, unknown> {
  const body = objectBody(req);
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown) {
    throw badRequest(
      `The parameter '${unknown}' in the request payload is not a valid parameter for the operation '${action}'.`,
    );
  }
  return body;
}
