import { render } from '@testing-library/react';
import type { HealthView, MeResponse } from '../../shared/api/contract';
import { ApiClient } from '../../tab/src/api/client';
import { Shell } from '../../tab/src/app/Shell';
import type { HostContext, TeamsHost, TeamsTheme } from '../../tab/src/teams/host';

/** One recorded API request, as the server would see it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
}

export type Route = (
  req: SeenRequest,
) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

/** A fetch that answers from a route table keyed "METHOD /path" and records every request. */
export function fakeServer(routes: Record<string, Route>) {
  const seen: SeenRequest[] = [];
  const fetchImpl = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://tab.test');
    const headers = new Headers(init?.headers);
    const req: SeenRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      authorization: headers.get('Authorization'),
    };
    seen.push(req);
    const route = routes[`${req.method} ${req.path}`];
    const answer = route
      ? await route(req)
      : {
          status: 404,
          body: { error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } },
        };
    const status = answer.status ?? 200;
    // jsdom has no fetch Response; the client reads only these members.
    const text = JSON.stringify(answer.body ?? {});
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: '',
      json: async () => JSON.parse(text),
    } as Response;
  };
  return { seen, api: new ApiClient(async () => 'sso-token-for-test', '', fetchImpl) };
}

/** The admin health view of a quiet tenant: what the admin pages load first. */
export const quietHealth: HealthView = {
  latency: [],
  queueDepth: 0,
  errorsLastHour: 0,
  subscriptions: {},
  throttledWaitsLastHour: 0,
  secretExpiresAt: null,
};

export function me(
  overrides: {
    isAdmin?: boolean;
    isOperator?: boolean;
    customerTenant?: boolean;
    byClient?: Partial<MeResponse['clickToCall']['byClient']>;
    dialRules?: MeResponse['dialRules'];
  } = {},
): MeResponse {
  return {
    user: {
      id: 'u1',
      displayName: 'Ada Example',
      upn: 'ada@contoso.example',
      tenantId: 't1',
      isAdmin: overrides.isAdmin ?? false,
      isOperator: overrides.isOperator ?? false,
      customerTenant: overrides.customerTenant ?? true,
    },
    settings: { missedCallNotice: false },
    dialRules: overrides.dialRules ?? { country: 'DE', outsidePrefix: '', dialWithPrefix: false },
    clickToCall: {
      byClient: {
        desktop: 'tel',
        web: 'tel',
        android: 'tel',
        ios: 'micollab://dial?number={number}',
        ...overrides.byClient,
      },
    },
  };
}

export function fakeHost(context: Partial<HostContext> = {}) {
  let themeHandler: ((t: TeamsTheme) => void) | undefined;
  const host: TeamsHost & { consentRequests: number } = {
    consentRequests: 0,
    context: {
      locale: 'en-US',
      theme: 'default',
      hostClientType: 'desktop',
      userId: 'u1',
      tenantId: 't1',
      timeZone: 'Europe/Berlin',
      ...context,
    },
    getAuthToken: async () => 'sso-token-for-test',
    onThemeChange: (h) => {
      themeHandler = h;
    },
    async requestConsent() {
      host.consentRequests += 1;
    },
  };
  return { host, changeTheme: (t: TeamsTheme) => themeHandler?.(t) };
}

export function renderShell(options: {
  routes: Record<string, Route>;
  context?: Partial<HostContext>;
  page?: 'history' | 'sync' | 'report' | 'settings' | 'admin' | 'operator';
}) {
  const server = fakeServer(options.routes);
  const { host, changeTheme } = fakeHost(options.context);
  const view = render(<Shell host={host} api={server.api} initialPage={options.page} />);
  return { ...view, seen: server.seen, host, changeTheme };
}

export function syncStatus(
  overrides: Partial<import('../../shared/api/contract').SyncStatus> = {},
): import('../../shared/api/contract').SyncStatus {
  const at = new Date().toISOString();
  return {
    teams: { availability: 'Busy', activity: 'InACall', at },
    pbx: { callState: 'connected', dnd: false, statusText: null, at },
    lastAssertion: { side: 'teams', what: 'Busy / InACall', at },
    lastSyncAt: at,
    enabled: { toTeams: true, fromTeams: true },
    problem: null,
    ...overrides,
  };
}
