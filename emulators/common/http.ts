import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import FindMyWay from 'find-my-way';

/**
 * A deliberately small HTTP toolkit for the emulators: a router with path parameters (find-my-way), body parsing with a size
 * limit, and a listener bound to 127.0.0.1. The emulators are test equipment, so they use node:http directly and
 * keep every byte of their answers (status, headers, error shape) under their own control.
 */

export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Raw body text ('' when none). */
  text: string;
  /** The body parsed as JSON, or as form fields for application/x-www-form-urlencoded; undefined when empty. */
  body: unknown;
  /** Form fields when the body is urlencoded. */
  form?: URLSearchParams;
  raw: IncomingMessage;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as given (set content-type yourself). */
  body?: unknown;
}

export type Handler = (req: EmulatorRequest) => Promise<EmulatorResponse> | EmulatorResponse;

/** Thrown by a handler to answer with a specific response (for example a Graph-shaped error). */
export class HttpFailure extends Error {
  constructor(readonly response: EmulatorResponse) {
    super(`HTTP ${response.status}`);
  }
}

/** The methods the emulators answer; a path known under another of them gets 405 rather than 404. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
const isMethod = (m: string): m is Method => (METHODS as readonly string[]).includes(m);

/**
 * Path parameters (`:name`) through find-my-way, the router restify itself uses. Paths match case-insensitively (the
 * vendors' front doors do) with or without a trailing slash; a static segment wins over a parameter (`/users/delta`
 * over `/users/:id`) whatever the order the routes were added in.
 */
export class Router {
  private readonly routes = FindMyWay({ caseSensitive: false, ignoreTrailingSlash: true });

  on(method: string, path: string, handler: Handler): this {
    const m = method.toUpperCase();
    if (!isMethod(m)) throw new Error(`the emulators do not serve ${method}`);
    this.routes.on(m, path, () => undefined, { handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    const m = method.toUpperCase();
    const found = isMethod(m) ? this.routes.find(m, path) : null;
    if (found) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = v;
      return { handler: (found.store as { handler: Handler }).handler, params };
    }
    return METHODS.some((other) => other !== m && this.routes.find(other, path) !== null)
      ? 'method'
      : undefined;
  }
}

export interface ListenOptions {
  port?: number;
  /** Shapes the answer for unknown routes and internal errors in the emulated service's own error format. */
  errorBody?: (status: number, code: string, message: string) => unknown;
  maxBodyBytes?: number;
  /** Called before routing: a place for fault injection or request recording. May answer by itself. */
  before?: (req: EmulatorRequest) => Promise<EmulatorResponse | undefined> | EmulatorResponse | undefined;
}

export interface RunningServer {
  server: Server;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

const defaultErrorBody = (status: number, code: string, message: string) => ({
  error: { code, message },
  status,
});

export async function listen(router: Router, options: ListenOptions = {}): Promise<RunningServer> {
  const errorBody = options.errorBody ?? defaultErrorBody;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const server = createServer((raw, res) => {
    void handle(raw, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(res, { status: 500, body: errorBody(500, 'InternalServerError', String(e)) });
      else res.destroy();
    });
  });

  async function handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    let text: string;
    try {
      text = await readBody(raw, maxBody);
    } catch {
      send(res, {
        status: 413,
        body: errorBody(413, 'RequestEntityTooLarge', 'The request body is too large.'),
      });
      return;
    }
    const req: EmulatorRequest = {
      method: (raw.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      params: {},
      headers: raw.headers,
      text,
      body: undefined,
      raw,
    };
    const type = String(raw.headers['content-type'] ?? '');
    if (text.length > 0) {
      if (type.includes('application/x-www-form-urlencoded')) {
        req.form = new URLSearchParams(text);
        req.body = Object.fromEntries(req.form);
      } else {
        try {
          req.body = JSON.parse(text);
        } catch {
          send(res, {
            status: 400,
            body: errorBody(400, 'BadRequest', 'Unable to read JSON request payload.'),
          });
          return;
        }
      }
    }
    try {
      const early = await options.before?.(req);
      if (early) return send(res, early);
      const found = router.match(req.method, req.path);
      if (found === undefined)
        return send(res, { status: 404, body: errorBody(404, 'NotFound', `No route for ${req.path}`) });
      if (found === 'method') {
        return send(res, {
          status: 405,
          body: errorBody(405, 'MethodNotAllowed', `${req.method} is not allowed here`),
        });
      }
      req.params = found.params;
      send(res, await found.handler(req));
    } catch (e) {
      if (e instanceof HttpFailure) return send(res, e.response);
      throw e;
    }
  }

  // Microsoft's and Mitel's front doors keep idle connections open for about a minute, not Node's 5 s: with 5 s, a
  // client reusing a pooled socket just as the server drops it gets ECONNRESET, which no real service would cause.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, r: EmulatorResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (r.body === undefined || r.body === null) payload = undefined;
  else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) payload = r.body;
  else {
    payload = JSON.stringify(r.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The bearer token of a request, or undefined. */
export function bearer(req: EmulatorRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m?.[1];
}
