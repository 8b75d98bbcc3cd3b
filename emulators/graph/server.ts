import type { Clock } from '../common/clock';
import type { Directory, TokenVerifier } from '../common/directory';
import {
  listen,
  Router,
  type EmulatorRequest,
  type EmulatorResponse,
  type RunningServer,
} from '../common/http';
import { ApiRoutes, type ApiRequest } from './api';
import { authenticate, type Caller } from './auth';
import { runBatch } from './batch';
import { createControl, type GraphControl } from './control';
import { registerControlRoutes } from './control-routes';
import { DEFAULT_DELIVERY, Deliverer, type DeliveryOptions } from './delivery';
import { ValidationTokenSigner } from './encryption';
import { errorBody, GraphFailure, newRequestContext, type RequestContext } from './errors';
import { Faults } from './faults';
import { registerPresenceRoutes } from './presence-routes';
import { PresenceStore } from './presence-store';
import { SubscriptionRoutes } from './subscription-routes';
import { SubscriptionService } from './subscriptions';
import { TeamsClients } from './teams-clients';
import { TeamsDisplay } from './teams-display';
import { PresenceThrottle } from './throttling';
import { registerGroupRoutes } from './groups';
import { registerOrganizationRoutes } from './organization';
import { registerUserRoutes } from './users';
import { registerUserDeltaRoutes, UserDeltaTracker } from './users-delta';

/**
 * The Microsoft Graph emulator: users and groups, presence (sessions, aggregation, preferred presence), presence
 * change notifications with webhooks, JSON batching, per-app presence throttling and injectable faults, all under
 * /v1.0 and all behind Entra-issued bearer tokens. Tests steer it through `control` (or /_control over HTTP).
 */

export interface GraphEmulatorOptions {
  directory: Directory;
  clock: Clock;
  verifyToken: TokenVerifier;
  port?: number;
  /** Delivery timing (real time). Defaults: 3 s ack timeout, retries from 5 s doubling for up to 4 h. */
  delivery?: Partial<DeliveryOptions>;
  /** How long a subscriber has to echo the validation token. Default 10 s, as Graph. */
  validationTimeoutMs?: number;
  /** How late Teams clients show presence changes (control.teamsDisplay). Default 0. */
  teamsDisplayDelayMs?: number;
}

export type GraphEmulator = RunningServer & { control: GraphControl };

function headerMap(req: EmulatorRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers))
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function startGraphEmulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
  const { directory, clock, verifyToken } = options;
  const now = () => clock.now();
  const store = new PresenceStore(clock);
  const teams = new TeamsClients(store, now);
  const display = new TeamsDisplay(store, now, options.teamsDisplayDelayMs);
  const throttle = new PresenceThrottle(now);
  const faults = new Faults();
  const deliverer = new Deliverer(clock, { ...DEFAULT_DELIVERY, ...options.delivery });
  const signer = new ValidationTokenSigner(now);
  const subscriptions = new SubscriptionService(clock, directory, deliverer, signer);
  const subscriptionRoutes = new SubscriptionRoutes(subscriptions, clock, {
    validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
  });
  store.onChange((snap) => subscriptions.onPresenceChange(snap));

  const api = new ApiRoutes();
  const userDelta = new UserDeltaTracker();
  // Before /users/{id}, which would take `delta` for an id.
  registerUserDeltaRoutes(api, userDelta);
  registerUserRoutes(api);
  registerGroupRoutes(api);
  registerOrganizationRoutes(api);
  registerPresenceRoutes(api, store, now);
  subscriptionRoutes.register(api);

  let serviceRoot = '';

  function finish(res: EmulatorResponse, ctx: RequestContext): EmulatorResponse {
    return {
      ...res,
      headers: { ...res.headers, 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
    };
  }

  /** One Graph request (direct or inside a batch) from an authenticated caller. */
  async function execute(
    req: ApiRequest,
    caller: Caller,
    batchRequestId?: string,
  ): Promise<EmulatorResponse> {
    const ctx = newRequestContext(now(), req.headers['client-request-id']);
    let res: EmulatorResponse;
    try {
      faults.maybeFail();
      const found = api.match(req.method, req.path);
      if (found === undefined) {
        const segment = req.path.split('/').filter(Boolean).pop() ?? '';
        throw new GraphFailure(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
      }
      if (found === 'method')
        throw new GraphFailure(
          405,
          'Request_BadRequest',
          `The HTTP method '${req.method}' is not allowed on this resource.`,
        );
      if (found.route.presence) throttle.take(caller.tenant.id, caller.appId);
      res = await found.route.handler({ req, caller, ctx, params: found.params, serviceRoot });
    } catch (e) {
      if (!(e instanceof GraphFailure)) throw e;
      res = e.toResponse(ctx);
    }
    logRequest(req, res.status, ctx.requestId, caller, batchRequestId);
    return finish(res, ctx);
  }

  /** Every answer, whether refused before or after authentication, goes to the request log tests count. */
  function logRequest(
    req: ApiRequest,
    status: number,
    requestId: string,
    caller?: Caller,
    batchRequestId?: string,
  ) {
    faults.record({
      method: req.method,
      path: req.path,
      status,
      at: now(),
      ...(caller && { appId: caller.appId, userId: caller.userId }),
      requestId,
      ...(batchRequestId !== undefined && { batchRequestId }),
    });
  }

  async function handleGraph(raw: EmulatorRequest): Promise<EmulatorResponse> {
    const headers = headerMap(raw);
    const req: ApiRequest = {
      method: raw.method,
      path: raw.path.slice('/v1.0'.length) || '/',
      query: raw.query,
      headers,
      body: raw.body,
    };
    await faults.delay();
    let caller: Caller;
    try {
      caller = await authenticate(headers.authorization, directory, verifyToken);
    } catch (e) {
      if (!(e instanceof GraphFailure)) throw e;
      const ctx = newRequestContext(now(), headers['client-request-id']);
      logRequest(req, e.status, ctx.requestId);
      return finish(e.toResponse(ctx), ctx);
    }
    if (req.method === 'POST' && req.path.toLowerCase() === '/$batch') {
      const ctx = newRequestContext(now(), headers['client-request-id']);
      let res: EmulatorResponse;
      try {
        const responses = await runBatch(req.body, (sub) => execute(sub, caller, ctx.requestId));
        res = { status: 200, body: { responses } };
      } catch (e) {
        if (!(e instanceof GraphFailure)) throw e;
        res = e.toResponse(ctx);
      }
      logRequest(req, res.status, ctx.requestId, caller);
      return finish(res, ctx);
    }
    return execute(req, caller);
  }

  const control = createControl({
    directory,
    userDelta,
    store,
    teams,
    throttle,
    faults,
    subscriptions,
    subscriptionRoutes,
    deliverer,
    signer,
    display,
  });
  const router = new Router();
  registerControlRoutes(router, control);

  const running = await listen(router, {
    port: options.port,
    errorBody: (_status, code, message) => errorBody(newRequestContext(now()), code, message),
    before: (req) => (req.path === '/v1.0' || req.path.startsWith('/v1.0/') ? handleGraph(req) : undefined),
  });
  serviceRoot = `${running.baseUrl}/v1.0`;

  return {
    ...running,
    control,
    close: async () => {
      store.close();
      subscriptions.close();
      deliverer.close();
      await running.close();
    },
  };
}
