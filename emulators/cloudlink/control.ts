import { HttpFailure, type EmulatorRequest, type Router } from '../common/http';
import type { ApiCallRecord, Fault, Gate, RateLimit } from './gate';
import type { Delivery, DeliveryOptions, NotificationHub, Subscription } from './notifications';
import type { SimulatedPbx } from './pbx';
import type { RegisteredClient, TokenService } from './tokens';
import { parseLatencyModel } from '../common/latency';

/**
 * Test controls, in-process (`emulator.control`) and over HTTP under `/_control/...` for test hosts in another
 * process. Not part of CloudLink: no X-Mitel-App, no token.
 */

export interface CloudLinkControl {
  addAccount(input: { accountId?: string; name: string }): { accountId: string; name: string };
  addClient(input: {
    accountId: string;
    clientId?: string;
    clientSecret?: string;
    name?: string;
  }): RegisteredClient;
  /** The account admin replaces the client's secret: from now on only the new one is accepted. */
  rotateClientSecret(clientId: string, newSecret: string): void;
  /** The limit of every account, or of one account when `accountId` is given (unknown account: throws). */
  setRateLimit(limit: RateLimit, accountId?: string): void;
  /** The next `count` API calls (whose path contains `pathIncludes`, when given) fail with `status`. */
  failNext(fault: {
    status: number;
    count?: number;
    pathIncludes?: string;
    retryAfterSeconds?: number;
  }): void;
  /** Drops injected faults that have not fired yet. */
  clearFaults(): void;
  setDelivery(options: Partial<DeliveryOptions>): void;
  revokeTokens(accountId: string): void;
  /** CloudLink forgets every webhook subscription of the account (subscriptions that silently stop). */
  loseSubscriptions(accountId: string): number;
  /** The account's webhook subscriptions as CloudLink holds them (whoever made them, however long ago). */
  subscriptions(accountId: string): Subscription[];
  /** Every API call received, in order. */
  readonly calls: ApiCallRecord[];
  /** Every webhook queued, with its attempts and outcome. */
  readonly deliveries: Delivery[];
  /** Resolves when no webhook delivery is in flight. */
  deliveriesIdle(): Promise<void>;
}

export function createControl(
  pbx: SimulatedPbx,
  tokens: TokenService,
  gate: Gate,
  hub: NotificationHub,
): CloudLinkControl {
  return {
    addAccount: (input) => pbx.addAccount(input),
    addClient: (input) => {
      if (!pbx.account(input.accountId)) throw new Error(`no such CloudLink account ${input.accountId}`);
      return tokens.addClient(input);
    },
    rotateClientSecret: (clientId, newSecret) => {
      const client = tokens.client(clientId);
      if (!client) throw new Error(`no such CloudLink client ${clientId}`);
      client.clientSecret = newSecret;
    },
    setRateLimit: (limit, accountId) => {
      if (accountId === undefined) gate.rateLimit = { ...limit };
      else if (!pbx.account(accountId)) throw new Error(`no such CloudLink account ${accountId}`);
      else gate.accountRateLimits.set(accountId, { ...limit });
    },
    failNext: (f) => {
      const fault: Fault = {
        status: f.status,
        remaining: f.count ?? 1,
        pathIncludes: f.pathIncludes,
        retryAfterSeconds: f.retryAfterSeconds,
      };
      gate.faults.push(fault);
    },
    clearFaults: () => {
      gate.faults.length = 0;
    },
    setDelivery: (options) => {
      hub.options = { ...hub.options, ...options };
    },
    revokeTokens: (accountId) => tokens.revokeAll(accountId),
    loseSubscriptions: (accountId) =>
      hub.list(accountId).filter((sub) => hub.remove(accountId, sub.subscriptionId)).length,
    subscriptions: (accountId) => hub.list(accountId),
    calls: gate.calls,
    deliveries: hub.deliveries,
    deliveriesIdle: () => hub.idle(),
  };
}

export function mountControl(router: Router, pbx: SimulatedPbx, control: CloudLinkControl): void {
  const c = (path: string) => `/_control${path}`;
  router
    .on('POST', c('/accounts'), (req) => ({
      status: 201,
      body: control.addAccount({ accountId: str(req, 'accountId', true), name: str(req, 'name')! }),
    }))
    .on('POST', c('/clients'), (req) =>
      attempt(() => ({
        status: 201,
        body: control.addClient({
          accountId: str(req, 'accountId')!,
          clientId: str(req, 'clientId', true),
          clientSecret: str(req, 'clientSecret', true),
        }),
      })),
    )
    .on('POST', c('/users'), (req) =>
      attempt(() => ({
        status: 201,
        body: pbx.addUser(str(req, 'accountId')!, {
          principalId: str(req, 'principalId', true),
          name: str(req, 'name')!,
          email: str(req, 'email', true),
          extension: str(req, 'extension', true),
          password: str(req, 'password', true),
        }),
      })),
    )
    .on('POST', c('/calls'), (req) =>
      attempt(() => ({ status: 201, body: pbx.placeCall(str(req, 'from')!, str(req, 'to')!) })),
    )
    .on('POST', c('/calls/:callId/answer'), (req) =>
      attempt(() => ({ status: 200, body: pbx.answer(req.params.callId!) })),
    )
    .on('POST', c('/calls/:callId/hold'), (req) =>
      attempt(() => ({ status: 200, body: pbx.hold(req.params.callId!) })),
    )
    .on('POST', c('/calls/:callId/retrieve'), (req) =>
      attempt(() => ({ status: 200, body: pbx.retrieve(req.params.callId!) })),
    )
    .on('POST', c('/calls/:callId/hangup'), (req) =>
      attempt(() => ({ status: 200, body: pbx.hangUp(req.params.callId!) })),
    )
    .on('POST', c('/dnd'), (req) =>
      attempt(() => {
        const b = body(req);
        return {
          status: 200,
          body: pbx.setDnd(
            str(req, 'principalId')!,
            b.on === true,
            typeof b.text === 'string' ? b.text : null,
          ),
        };
      }),
    )
    .on('POST', c('/history'), (req) =>
      attempt(() => {
        const b = body(req);
        const rows = pbx.generateHistory(str(req, 'principalId')!, Number(b.count ?? 20), {
          days: Number(b.days ?? 30),
        });
        return { status: 201, body: { count: rows.length } };
      }),
    )
    .on('POST', c('/random-calls'), (req) => {
      pbx.startRandomCalls(Math.max(100, Number(body(req).intervalMs ?? 5000)));
      return { status: 204 };
    })
    .on('DELETE', c('/random-calls'), () => {
      pbx.stopRandomCalls();
      return { status: 204 };
    })
    .on('PUT', c('/rate-limit'), (req) => {
      const b = body(req);
      const accountId = typeof b.accountId === 'string' ? b.accountId : undefined;
      return attemptParse(() => {
        control.setRateLimit({ limit: Number(b.limit), windowMs: Number(b.windowMs ?? 1000) }, accountId);
        return { status: 204 };
      });
    })
    .on('PUT', c('/delivery'), (req) => {
      const b = body(req);
      const latency = b.latency === undefined ? undefined : attemptParse(() => parseLatencyModel(b.latency));
      if (b.latencySeed !== undefined && !Number.isInteger(b.latencySeed))
        throw new HttpFailure({
          status: 400,
          body: { code: 'BadRequest', message: 'latencySeed must be an integer' },
        });
      control.setDelivery({ latency, latencySeed: b.latencySeed as number | undefined });
      return { status: 204 };
    })
    .on('POST', c('/faults'), (req) => {
      const b = body(req);
      control.failNext({
        status: Number(b.status),
        count: b.count === undefined ? 1 : Number(b.count),
        pathIncludes: typeof b.pathIncludes === 'string' ? b.pathIncludes : undefined,
        retryAfterSeconds: b.retryAfterSeconds === undefined ? undefined : Number(b.retryAfterSeconds),
      });
      return { status: 204 };
    })
    .on('DELETE', c('/faults'), () => {
      control.clearFaults();
      return { status: 204 };
    })
    .on('GET', c('/calls-log'), () => ({ status: 200, body: control.calls }))
    .on('GET', c('/deliveries'), () => ({ status: 200, body: control.deliveries }))
    .on('GET', c('/active-calls'), () => ({ status: 200, body: pbx.activeCalls() }));
}

function body(req: EmulatorRequest): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
}

function str(req: EmulatorRequest, name: string, optional = false): string | undefined {
  const v = body(req)[name];
  if (typeof v === 'string' && v !== '') return v;
  if (optional) return undefined;
  throw new HttpFailure({ status: 400, body: { code: 'BadRequest', message: `${name} is required` } });
}

function attemptParse<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new HttpFailure({ status: 400, body: { code: 'BadRequest', message: (e as Error).message } });
  }
}

/** PBX misuse (unknown call, user) is a test mistake: answer 409 with the reason rather than a 500. */
function attempt<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HttpFailure) throw e;
    throw new HttpFailure({
      status: 409,
      body: { code: 'Conflict', message: e instanceof Error ? e.message : String(e) },
    });
  }
}
