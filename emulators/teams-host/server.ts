import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ControlError,
  DemoControls,
  TEAMS_STATES,
  type DemoControlsOptions,
  type TeamsState,
} from './demo-controls';

/**
 * A Teams-like host for browser tests and the demo: a page that frames the tab and answers the real
 * @microsoft/teams-js SDK's postMessage protocol (see host-page.js), with the client type, theme, locale and user
 * switchable. SSO tokens come from the Entra emulator, so the server validates exactly what Teams would send.
 *
 * Why the host also serves the tab: teams-js only accepts messages from Microsoft's own https origins, from origins
 * the tab lists in app.initialize(), or from its own origin. The product must not list test origins, so this
 * server proxies the tab and its API under its own origin; the protocol between the frames stays Teams' own.
 */
export interface TeamsHostUser {
  /** Object id or UPN in the Entra emulator's directory. */
  userId: string;
  displayName: string;
  /** The user's CloudLink principal, for the demo's phone-call control. */
  principalId?: string;
}

export interface TeamsHostOptions {
  /** Where the product serves the tab, e.g. http://127.0.0.1:3978/tab/index.html */
  tabUrl: string;
  entraBaseUrl: string;
  tenantId: string;
  clientId: string;
  users: TeamsHostUser[];
  port?: number;
  /** The demo's controls (a phone call, Teams presence) through the emulators' control APIs; absent: no controls. */
  controls?: DemoControlsOptions;
  /**
   * Serve over https with this key and certificate (see self-signed.ts). teams-js opens Teams' authentication window
   * (the consent popup) only for https URLs, and the tab builds that URL from its own address, so the consent path
   * needs it. Without it the host is plain http and everything else works.
   */
  tls?: { key: string; cert: string };
}

export interface TeamsHost {
  /** The host page; query parameters user, client (desktop|web|ios|android), theme (default|dark|contrast), locale. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startTeamsHost(options: TeamsHostOptions): Promise<TeamsHost> {
  if (options.users.length === 0) throw new Error('startTeamsHost needs at least one user');
  const tab = new URL(options.tabUrl);
  const script = await readFile(join(__dirname, 'host-page.js'), 'utf8');
  const config = {
    tabPath: tab.pathname + tab.search,
    tenantId: options.tenantId,
    users: options.users,
    controls: options.controls ? { teamsStates: TEAMS_STATES } : null,
  };
  const controls = options.controls ? new DemoControls(options.controls) : undefined;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(res, 500, { error: { code: 'HostError', message: e instanceof Error ? e.message : String(e) } });
      else res.destroy();
    });
  };
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    if (req.method === 'GET' && (path === '/' || path === '/host'))
      return sendText(res, 200, 'text/html; charset=utf-8', hostHtml(config));
    if (req.method === 'GET' && path === '/host-page.js')
      return sendText(res, 200, 'text/javascript; charset=utf-8', script);
    if (path === '/_host/sso-token') return ssoToken(req, res);
    if (path === '/_host/pbx-call' || path === '/_host/teams-presence' || path === '/_host/require-consent')
      return control(req, res, path);
    // Everything else is the product: the tab's files and its API.
    return proxy(req, res, tab);
  }

  async function ssoToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: 'POST only' } });
    let body: { userId?: unknown };
    try {
      body = JSON.parse((await readBody(req)) || '{}') as { userId?: unknown };
    } catch {
      return send(res, 400, { error: { code: 'BadRequest', message: 'Send JSON {userId}.' } });
    }
    const user = options.users.find((u) => u.userId === body.userId);
    if (!user)
      return send(res, 400, { error: { code: 'UnknownUser', message: 'This host knows no such user.' } });
    const answer = await fetch(`${options.entraBaseUrl}/_control/sso-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenantId: options.tenantId, userId: user.userId, clientId: options.clientId }),
    });
    sendText(res, answer.status, 'application/json', await answer.text());
  }

  /** POST /_host/pbx-call {userId, action: place|end} and POST /_host/teams-presence {userId, state}. */
  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!controls)
      return send(res, 404, { error: { code: 'NotFound', message: 'This host has no demo controls.' } });
    if (req.method !== 'POST')
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: 'POST only' } });
    let body: { userId?: unknown; action?: unknown; state?: unknown };
    try {
      body = JSON.parse((await readBody(req)) || '{}') as typeof body;
    } catch {
      return send(res, 400, { error: { code: 'BadRequest', message: 'Send JSON.' } });
    }
    const user = options.users.find((u) => u.userId === body.userId);
    if (!user)
      return send(res, 400, { error: { code: 'UnknownUser', message: 'This host knows no such user.' } });
    try {
      if (path === '/_host/require-consent') {
        // The user's consent to the app is taken away at Entra: the tab's next start asks for it again.
        const answer = await fetch(`${options.entraBaseUrl}/_control/consent-required`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            tenantId: options.tenantId,
            clientId: options.clientId,
            userId: user.userId,
          }),
        });
        if (!answer.ok) throw new ControlError(502, `Entra refused: ${await answer.text()}`);
        return send(res, 200, { consentRequired: true });
      }
      if (path === '/_host/teams-presence') {
        if (!TEAMS_STATES.includes(body.state as TeamsState))
          return send(res, 400, {
            error: { code: 'BadRequest', message: `state must be one of ${TEAMS_STATES.join(', ')}` },
          });
        return send(res, 200, await controls.setTeams(user.userId, body.state as TeamsState));
      }
      if (!user.principalId)
        return send(res, 409, { error: { code: 'NoPhone', message: 'This user has no phone on the PBX.' } });
      if (body.action === 'place') return send(res, 200, await controls.placeCall(user.principalId));
      if (body.action === 'end') return send(res, 200, await controls.endCall(user.principalId));
      return send(res, 400, { error: { code: 'BadRequest', message: 'action must be place or end' } });
    } catch (e) {
      if (e instanceof ControlError)
        return send(res, e.status, { error: { code: 'ControlFailed', message: e.message } });
      throw e;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function proxy(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res).on('finish', resolve);
      },
    );
    upstream.on('error', (e) => {
      send(res, 502, {
        error: { code: 'BadGateway', message: `The tab's server did not answer: ${e.message}` },
      });
      resolve();
    });
    req.pipe(upstream);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json', JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(text);
}

function hostHtml(config: unknown): string {
  // The config is JSON inside a script element: escape "<" so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Teams host (emulated)</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font-family: 'Segoe UI', system-ui, sans-serif; display: flex; flex-direction: column; height: 100vh; background: #ebebeb; }
  header { display: flex; gap: 12px; align-items: center; padding: 6px 12px; background: #464775; color: #fff; flex-wrap: wrap; }
  header label { display: flex; gap: 4px; align-items: center; font-size: 13px; }
  header strong { margin-right: 12px; }
  #demo-controls { display: flex; gap: 8px; align-items: center; padding-left: 12px; border-left: 1px solid #8b8cc7; }
  #demo-controls[hidden] { display: none; }
  #demo-controls button { font: inherit; font-size: 13px; }
  #control-result { font-size: 12px; min-width: 12em; }
  iframe { flex: 1; border: 0; background: #fff; }
  body.dark { background: #1f1f1f; } body.dark iframe { background: #292929; }
  body.contrast { background: #000; } body.contrast iframe { background: #000; }
  #log { max-height: 90px; overflow: auto; margin: 0; font: 11px monospace; background: #222; color: #ddd; padding: 4px 8px; }
</style>
</head>
<body>
<header>
  <strong>Teams host (emulated)</strong>
  <label>User <select id="user"></select></label>
  <label>Client <select id="client"><option>desktop</option><option>web</option><option>ios</option><option>android</option></select></label>
  <label>Theme <select id="theme"><option>default</option><option>dark</option><option>contrast</option></select></label>
  <label>Locale <select id="locale"><option>en-US</option><option>de-DE</option><option>en-GB</option></select></label>
  <span id="demo-controls" role="group" aria-label="Demo controls" hidden>
    <button type="button" id="pbx-place">Place phone call</button>
    <button type="button" id="pbx-end">End phone call</button>
    <label>Teams presence <select id="teams-presence">
      <option value="">change…</option>
      <option value="available">Available</option>
      <option value="meeting">In a meeting</option>
      <option value="call">In a Teams call</option>
      <option value="dnd">Do not disturb</option>
      <option value="away">Away</option>
      <option value="offline">Offline (signed out)</option>
    </select></label>
    <button type="button" id="require-consent">Ask for consent again</button>
    <output id="control-result" role="status" aria-live="polite"></output>
  </span>
</header>
<iframe id="tab" title="Switchboard tab" allow="clipboard-write"></iframe>
<pre id="log" aria-label="Messages between the tab and the host"></pre>
<script id="host-config" type="application/json">${json}</script>
<script src="/host-page.js"></script>
</body>
</html>`;
}
