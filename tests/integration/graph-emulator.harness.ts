import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../emulators/common/clock';
import {
  Directory,
  type DirectoryApp,
  type DirectoryTenant,
  type DirectoryUser,
} from '../../emulators/common/directory';
import { startEntraEmulator, type EntraEmulator } from '../../emulators/entra/server';
import {
  startGraphEmulator,
  type GraphEmulator,
  type GraphEmulatorOptions,
} from '../../emulators/graph/server';

/**
 * A small world for the Graph emulator tests: one tenant with the Switchboard app (application permissions for
 * presence and users, delegated Presence.Read.All for monitor accounts), an app without permissions, a few users and
 * a presence monitor account; the real Entra emulator issuing the tokens; and webhook receivers to subscribe with.
 */

export const SECRET = 'switchboard-secret-value';
export const MONITOR_PASSWORD = 'monitor-password-1';

export interface World {
  clock: ManualClock;
  directory: Directory;
  tenant: DirectoryTenant;
  app: DirectoryApp;
  bareApp: DirectoryApp;
  users: {
    alice: DirectoryUser;
    bob: DirectoryUser;
    carol: DirectoryUser;
    monitor: DirectoryUser;
    monitor2: DirectoryUser;
  };
  entra: EntraEmulator;
  graph: GraphEmulator;
  appToken(app?: DirectoryApp): Promise<string>;
  /** The Switchboard app's token, renewed when the (manual) clock has moved past most of its hour. */
  token(): Promise<string>;
  userToken(user: DirectoryUser, app?: DirectoryApp, scope?: string): Promise<string>;
  call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<GraphAnswer>;
  close(): Promise<void>;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test answers are inspected field by field
}

export async function startWorld(graphOptions: Partial<GraphEmulatorOptions> = {}): Promise<World> {
  const clock = new ManualClock(Date.now());
  const directory = new Directory();
  const tenant = directory.addTenant({ displayName: 'Contoso', domain: 'contoso.example' });
  const app = directory.addApp(tenant.id, {
    displayName: 'Switchboard',
    secrets: [{ id: 's1', value: SECRET, expiresAt: clock.now() + 365 * 86_400_000 }],
    grantedApplicationPermissions: [
      'Presence.ReadWrite.All',
      'Presence.Read.All',
      'User.Read.All',
      'GroupMember.Read.All',
    ],
    consentedDelegatedPermissions: ['Presence.Read.All', 'User.Read'],
  });
  const bareApp = directory.addApp(tenant.id, {
    displayName: 'Bare',
    secrets: [{ id: 's2', value: SECRET, expiresAt: clock.now() + 365 * 86_400_000 }],
    consentedDelegatedPermissions: ['User.Read'],
  });
  const user = (name: string, extra: Partial<DirectoryUser> = {}) =>
    directory.addUser(tenant.id, {
      userPrincipalName: `${name}@contoso.example`,
      displayName: name,
      ...extra,
    });
  const users = {
    alice: user('alice', { mail: 'alice.smith@contoso.example' }),
    bob: user('bob'),
    carol: user('carol'),
    monitor: user('monitor', { password: MONITOR_PASSWORD }),
    monitor2: user('monitor2', { password: MONITOR_PASSWORD }),
  };
  const entra = await startEntraEmulator({ directory, clock });
  const graph = await startGraphEmulator({
    directory,
    clock,
    verifyToken: entra.verifyAccessToken,
    ...graphOptions,
  });

  async function token(form: Record<string, string>): Promise<string> {
    const res = await fetch(entra.tokenEndpoint(tenant.id), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token request failed: ${JSON.stringify(json)}`);
    return json.access_token;
  }

  let cached: { token: string; until: number } | undefined;
  const appToken = (a: DirectoryApp = app) =>
    token({
      grant_type: 'client_credentials',
      client_id: a.clientId,
      client_secret: SECRET,
      scope: 'https://graph.microsoft.com/.default',
    });

  return {
    clock,
    directory,
    tenant,
    app,
    bareApp,
    users,
    entra,
    graph,
    appToken,
    async token() {
      if (!cached || clock.now() >= cached.until)
        cached = { token: await appToken(), until: clock.now() + 50 * 60_000 };
      return cached.token;
    },
    userToken: (u, a = app, scope = 'https://graph.microsoft.com/.default') =>
      token({
        grant_type: 'password',
        client_id: a.clientId,
        client_secret: SECRET,
        username: u.userPrincipalName,
        password: MONITOR_PASSWORD,
        scope,
      }),
    async call(method, path, bearer, body, headers = {}) {
      const res = await fetch(`${graph.baseUrl}${path}`, {
        method,
        headers: {
          ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await graph.close();
      await entra.close();
    },
  };
}

/** How a webhook receiver answers. */
export interface ReceiverBehaviour {
  /** Echo validation tokens (default true). */
  echo: boolean;
  /** Wait this long (real ms) before answering validation requests. */
  validationDelayMs: number;
  /** Wait this long (real ms) before acknowledging notifications. */
  ackDelayMs: number;
  /** Status for notifications (default 202). */
  ackStatus: number;
}

export interface Receiver {
  url: string;
  notifications: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw notification bodies
  validations: string[];
  behaviour: ReceiverBehaviour;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Partial<ReceiverBehaviour> = {}): Promise<Receiver> {
  const b: ReceiverBehaviour = {
    echo: true,
    validationDelayMs: 0,
    ackDelayMs: 0,
    ackStatus: 202,
    ...behaviour,
  };
  const notifications: unknown[] = [];
  const validations: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        validations.push(token);
        setTimeout(() => {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end(b.echo ? token : 'not-the-token');
        }, b.validationDelayMs);
        return;
      }
      notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      setTimeout(() => {
        res.writeHead(b.ackStatus);
        res.end();
      }, b.ackDelayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    notifications,
    validations,
    behaviour: b,
    async waitFor(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (notifications.length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} notifications, got ${notifications.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
