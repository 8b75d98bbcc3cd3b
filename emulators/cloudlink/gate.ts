import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import { bearer, HttpFailure, type EmulatorRequest, type EmulatorResponse } from '../common/http';
import { clErrorBody, clFail } from './errors';
import type { IssuedAccess, TokenService } from './tokens';

/**
 * What every CloudLink API call passes before its handler: the X-Mitel-App header (CloudLink requires it on every
 * call to identify the calling application), the rate limit, injected faults, and for everything but the token
 * service a valid bearer token. Every answer, success or error, carries `x-mitel-correlation-id`, and every call is
 * logged for tests.
 */

export interface RateLimit {
  /** Requests allowed per window per account (or per token endpoint caller). */
  limit: number;
  windowMs: number;
}

/**
 * Assumption: CloudLink documents throttling (429) but not its numbers; 200 requests per second per account keeps
 * the demo and the benchmark clear of it while tests lower it through the control API.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 200, windowMs: 1000 };

export interface Fault {
  status: number;
  /** How many matching calls fail; each failure counts down. */
  remaining: number;
  /** Only calls whose path contains this (e.g. "/calls/records"); all calls when absent. */
  pathIncludes?: string;
  retryAfterSeconds?: number;
}

export interface ApiCallRecord {
  at: number;
  method: string;
  path: string;
  query: string;
  xMitelApp: string | null;
  accountId?: string;
  status: number;
  correlationId: string;
  body?: unknown;
}

/** The logs keep the newest entries only, so a demo left running for days does not grow without bound. */
export const MAX_LOG_ENTRIES = 20_000;

export type ApiHandler = (
  req: EmulatorRequest,
  caller: IssuedAccess,
) => Promise<EmulatorResponse> | EmulatorResponse;

const FAULT_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export class Gate {
  rateLimit: RateLimit = { ...DEFAULT_RATE_LIMIT };
  /** Accounts with a limit of their own (a bigger or smaller customer); the others use `rateLimit`. */
  readonly accountRateLimits = new Map<string, RateLimit>();
  readonly faults: Fault[] = [];
  readonly calls: ApiCallRecord[] = [];
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly tokens: TokenService,
  ) {}

  /** A handler of an API that needs a bearer token. */
  authenticated(handler: ApiHandler) {
    return (req: EmulatorRequest) =>
      this.run(req, async () => {
        const token = bearer(req);
        const caller = token ? this.tokens.verify(token) : undefined;
        if (!caller) throw clFail(401, 'Unauthorized', 'The access token is missing, invalid or expired.');
        this.limit(caller.accountId);
        return { response: await handler(req, caller), accountId: caller.accountId };
      });
  }

  /** A handler of the token service: no bearer, but the same header rule, rate limit and faults. */
  anonymous(handler: (req: EmulatorRequest) => EmulatorResponse) {
    return (req: EmulatorRequest) =>
      this.run(req, async () => {
        this.limit('authentication');
        return { response: handler(req) };
      });
  }

  private async run(
    req: EmulatorRequest,
    inner: () => Promise<{ response: EmulatorResponse; accountId?: string }>,
  ): Promise<EmulatorResponse> {
    const correlationId = randomUUID();
    const app = header(req, 'x-mitel-app');
    let response: EmulatorResponse;
    let accountId: string | undefined;
    try {
      // Assumption: CloudLink refuses a call without X-Mitel-App with 400; the docs only say it is required.
      if (!app) throw clFail(400, 'BadRequest', 'The X-Mitel-App header is required.');
      this.injectFault(req.path);
      ({ response, accountId } = await inner());
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      response = e.response;
    }
    this.calls.push({
      at: this.clock.now(),
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      xMitelApp: app ?? null,
      accountId,
      status: response.status,
      correlationId,
      body: req.path.endsWith('/token') || req.path.endsWith('/authorize') ? '[credentials]' : req.body,
    });
    if (this.calls.length > MAX_LOG_ENTRIES) this.calls.splice(0, this.calls.length - MAX_LOG_ENTRIES);
    return { ...response, headers: { ...(response.headers ?? {}), 'x-mitel-correlation-id': correlationId } };
  }

  private injectFault(path: string): void {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)),
    );
    if (!fault) return;
    fault.remaining--;
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    throw new HttpFailure({
      status: fault.status,
      headers,
      body: clErrorBody(FAULT_CODES[fault.status] ?? 'InternalServerError', 'Injected fault.'),
    });
  }

  /**
   * A fixed window per key (an account, or the token service) on the emulator clock; over the limit answers 429
   * with Retry-After in seconds. Each account has its own window, so one account's load never throttles another.
   */
  private limit(key: string): void {
    const rate = this.accountRateLimits.get(key) ?? this.rateLimit;
    const now = this.clock.now();
    const start = Math.floor(now / rate.windowMs) * rate.windowMs;
    const w = this.windows.get(key);
    const window = w && w.start === start ? w : { start, count: 0 };
    this.windows.set(key, window);
    window.count++;
    if (window.count > rate.limit) {
      const retryAfter = Math.max(1, Math.ceil((start + rate.windowMs - now) / 1000));
      throw clFail(429, 'TooManyRequests', 'Rate limit exceeded.', { 'Retry-After': String(retryAfter) });
    }
  }
}

function header(req: EmulatorRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s : undefined;
}
