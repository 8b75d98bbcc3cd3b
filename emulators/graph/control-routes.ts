import { Router, HttpFailure, type EmulatorRequest } from '../common/http';
import { parseLatencyModel } from '../common/latency';
import type { GraphControl } from './control';
import type { TeamsActivity, TeamsClientName } from './teams-clients';

/**
 * /_control over HTTP, for tests that drive the emulator from another process. No authentication: the emulator
 * listens on 127.0.0.1 only and is test equipment.
 */

const TEAMS_ACTIONS = new Set<TeamsActivity['action']>([
  'signIn',
  'signOut',
  'idle',
  'active',
  'startCall',
  'endCall',
  'joinMeeting',
  'leaveMeeting',
  'startPresenting',
  'stopPresenting',
]);

function body(req: EmulatorRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}

const bad = (message: string) =>
  new HttpFailure({ status: 400, body: { error: { code: 'BadRequest', message } } });

export function registerControlRoutes(router: Router, control: GraphControl): void {
  router.on('GET', '/_control', () => ({
    status: 200,
    body: {
      description: 'Microsoft Graph emulator test controls (no auth; 127.0.0.1 only)',
      routes: [
        'POST   /_control/users/{id}/teams {action: signIn|signOut|idle|active|startCall|endCall|joinMeeting|leaveMeeting|startPresenting|stopPresenting, client?: desktop|web|mobile}',
        'PUT    /_control/users/{id}/manual-status {availability, activity?, durationMs?}',
        'DELETE /_control/users/{id}/manual-status',
        'GET    /_control/users/{id}/presence',
        'GET    /_control/users/{id}/teams-display',
        'PUT    /_control/teams-display {delayMs}',
        'POST   /_control/tick',
        'GET|PUT /_control/throttle {requests, windowMs}',
        'PUT|DELETE /_control/faults {latencyMs?, errorRate?, failNext?: {count, status, retryAfterSeconds?}}',
        'GET|DELETE /_control/requests',
        'GET    /_control/subscriptions',
        'POST   /_control/subscriptions/{id}/lifecycle {event: reauthorizationRequired|subscriptionRemoved|missed}',
        'GET|DELETE /_control/deliveries',
        'PUT    /_control/delivery {timeoutMs?, retryBaseMs?, retryHorizonMs?, slowEndpointDelayMs?, latencyMs?, latency?: {kind: fixed|uniform|graphPresence, …}, latencySeed?, validationTimeoutMs?}',
        'GET    /_control/validation-keys',
        'POST   /_control/tenants/{tenantId}/users {userPrincipalName, displayName, mail?, accountEnabled?, id?}',
        'PATCH  /_control/tenants/{tenantId}/users/{id} {userPrincipalName?, mail?, displayName?, accountEnabled?}',
        'DELETE /_control/tenants/{tenantId}/users/{id}?permanent=true (soft delete without it)',
        'POST   /_control/tenants/{tenantId}/users/{id}/restore',
        'POST   /_control/users-delta/reset (every delta token answers 410 syncStateNotFound)',
      ],
    },
  }));
  router.on('POST', '/_control/users/:id/teams', (req) => {
    const { action, client } = body(req);
    if (!TEAMS_ACTIONS.has(action as TeamsActivity['action']))
      throw bad(`unknown Teams action ${String(action)}`);
    return {
      status: 200,
      body: control.teams(
        req.params.id as string,
        action as TeamsActivity['action'],
        client as TeamsClientName | undefined,
      ),
    };
  });
  router.on('PUT', '/_control/users/:id/manual-status', (req) => {
    const { availability, activity, durationMs } = body(req);
    try {
      return {
        status: 200,
        body: control.setManualStatus(
          req.params.id as string,
          String(availability),
          activity as string | undefined,
          durationMs as number | undefined,
        ),
      };
    } catch (e) {
      throw bad((e as Error).message);
    }
  });
  router.on('DELETE', '/_control/users/:id/manual-status', (req) => ({
    status: 200,
    body: control.clearManualStatus(req.params.id as string),
  }));
  router.on('GET', '/_control/users/:id/presence', (req) => {
    const id = req.params.id as string;
    return {
      status: 200,
      body: {
        aggregate: control.presence(id),
        sessions: control.sessions(id),
        preferred: control.preferred(id) ?? null,
      },
    };
  });
  router.on('GET', '/_control/users/:id/teams-display', (req) => ({
    status: 200,
    body: control.teamsDisplay(req.params.id as string),
  }));
  router.on('PUT', '/_control/teams-display', (req) => {
    const { delayMs } = body(req);
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0)
      throw bad('delayMs must be a non-negative integer');
    control.setTeamsDisplayDelay(delayMs as number);
    return { status: 204 };
  });
  router.on('POST', '/_control/tick', () => {
    control.tick();
    return { status: 204 };
  });
  router.on('GET', '/_control/throttle', () => ({ status: 200, body: control.throttleLimit() }));
  router.on('PUT', '/_control/throttle', (req) => {
    const { requests, windowMs } = body(req);
    if (!Number.isInteger(requests) || !Number.isInteger(windowMs))
      throw bad('requests and windowMs must be integers');
    control.setThrottleLimit({ requests: requests as number, windowMs: windowMs as number });
    return { status: 204 };
  });
  router.on('PUT', '/_control/faults', (req) => {
    control.setFaults(body(req));
    return { status: 204 };
  });
  router.on('DELETE', '/_control/faults', () => {
    control.resetFaults();
    return { status: 204 };
  });
  router.on('GET', '/_control/requests', () => ({ status: 200, body: { value: control.requests() } }));
  router.on('DELETE', '/_control/requests', () => {
    control.clearRequests();
    return { status: 204 };
  });
  router.on('GET', '/_control/subscriptions', () => ({
    status: 200,
    body: { value: control.subscriptions() },
  }));
  router.on('POST', '/_control/subscriptions/:id/lifecycle', async (req) => {
    const { event } = body(req);
    if (event !== 'reauthorizationRequired' && event !== 'subscriptionRemoved' && event !== 'missed')
      throw bad(`unknown lifecycle event ${String(event)}`);
    try {
      await control.triggerLifecycle(req.params.id as string, event);
    } catch (e) {
      throw new HttpFailure({
        status: 404,
        body: { error: { code: 'NotFound', message: (e as Error).message } },
      });
    }
    return { status: 202 };
  });
  router.on('GET', '/_control/deliveries', () => ({ status: 200, body: { value: control.deliveries() } }));
  router.on('DELETE', '/_control/deliveries', () => {
    control.clearDeliveries();
    return { status: 204 };
  });
  router.on('PUT', '/_control/delivery', (req) => {
    const settings = body(req);
    if (settings.latency !== undefined) {
      try {
        settings.latency = parseLatencyModel(settings.latency);
      } catch (e) {
        throw bad((e as Error).message);
      }
    }
    control.configureDelivery(settings);
    return { status: 204 };
  });
  const directoryCall = <T>(run: () => T): T => {
    try {
      return run();
    } catch (e) {
      throw new HttpFailure({
        status: 404,
        body: { error: { code: 'NotFound', message: (e as Error).message } },
      });
    }
  };
  const userPatch = (req: EmulatorRequest) => {
    const b = body(req);
    const patch: Parameters<GraphControl['updateUser']>[2] = {};
    for (const k of ['userPrincipalName', 'displayName'] as const) {
      if (b[k] === undefined) continue;
      if (typeof b[k] !== 'string' || !b[k]) throw bad(`${k} must be a non-empty string`);
      patch[k] = b[k] as string;
    }
    if (b.mail !== undefined) {
      if (b.mail !== null && typeof b.mail !== 'string') throw bad('mail must be a string or null');
      patch.mail = b.mail as string | null;
    }
    if (b.accountEnabled !== undefined) {
      if (typeof b.accountEnabled !== 'boolean') throw bad('accountEnabled must be a boolean');
      patch.accountEnabled = b.accountEnabled;
    }
    return patch;
  };
  router.on('POST', '/_control/tenants/:tenantId/users', (req) => {
    const b = body(req);
    const patch = userPatch(req);
    if (!patch.userPrincipalName || !patch.displayName)
      throw bad('userPrincipalName and displayName are required');
    if (b.id !== undefined && typeof b.id !== 'string') throw bad('id must be a string');
    return {
      status: 201,
      body: directoryCall(() =>
        control.addUser(req.params.tenantId as string, {
          ...patch,
          userPrincipalName: patch.userPrincipalName as string,
          displayName: patch.displayName as string,
          ...(typeof b.id === 'string' ? { id: b.id } : {}),
        }),
      ),
    };
  });
  router.on('PATCH', '/_control/tenants/:tenantId/users/:id', (req) => ({
    status: 200,
    body: directoryCall(() =>
      control.updateUser(req.params.tenantId as string, req.params.id as string, userPatch(req)),
    ),
  }));
  router.on('DELETE', '/_control/tenants/:tenantId/users/:id', (req) => {
    directoryCall(() =>
      control.removeUser(req.params.tenantId as string, req.params.id as string, {
        permanent: req.query.get('permanent') === 'true',
      }),
    );
    return { status: 204 };
  });
  router.on('POST', '/_control/tenants/:tenantId/users/:id/restore', (req) => ({
    status: 200,
    body: directoryCall(() => control.restoreUser(req.params.tenantId as string, req.params.id as string)),
  }));
  router.on('POST', '/_control/users-delta/reset', () => {
    control.resetDeltaTokens();
    return { status: 204 };
  });
  router.on('GET', '/_control/validation-keys', async () => ({
    status: 200,
    body: await control.validationTokenKeys(),
  }));
}
