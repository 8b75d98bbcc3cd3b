import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../emulators/common/clock';
import { startCloudLinkEmulator, type CloudLinkEmulator } from '../../emulators/cloudlink/server';

/** A CloudLink emulator on a ManualClock with two accounts, users, and an API client for raw HTTP calls. */
export interface CloudLinkFixture {
  clock: ManualClock;
  emu: CloudLinkEmulator;
  accountA: string;
  accountB: string;
  clientA: { clientId: string; clientSecret: string };
  clientB: { clientId: string; clientSecret: string };
  alice: string;
  bob: string;
  carol: string;
  /** In account B. */
  mallory: string;
  url(service: string, path: string): string;
  call(service: string, path: string, init?: CallInit): Promise<ApiAnswer>;
  token(form: Record<string, string>): Promise<ApiAnswer>;
  appToken(which?: 'A' | 'B'): Promise<string>;
  userToken(email: string, account?: string): Promise<string>;
}

export interface CallInit {
  method?: string;
  token?: string;
  /** X-Mitel-App; pass null to leave it out. */
  app?: string | null;
  json?: unknown;
  form?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export const PASSWORD = 'Corr3ct-Horse';

export async function startCloudLinkFixture(): Promise<CloudLinkFixture> {
  const clock = new ManualClock();
  const emu = await startCloudLinkEmulator({ clock });
  const accountA = emu.pbx.addAccount({ name: 'Contoso' }).accountId;
  const accountB = emu.pbx.addAccount({ name: 'Fabrikam' }).accountId;
  const clientA = emu.control.addClient({ accountId: accountA });
  const clientB = emu.control.addClient({ accountId: accountB });
  const add = (account: string, name: string, extension: string) =>
    emu.pbx.addUser(account, {
      name,
      email: `${name.toLowerCase()}@example.test`,
      extension,
      password: PASSWORD,
    }).principalId;
  const alice = add(accountA, 'Alice', '2001');
  const bob = add(accountA, 'Bob', '2002');
  const carol = add(accountA, 'Carol', '2003');
  const mallory = add(accountB, 'Mallory', '2001');

  const url = (service: string, path: string) => `${emu.apiBase.replace('{service}', service)}${path}`;
  const call = async (service: string, path: string, init: CallInit = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    if (init.app !== null) headers['x-mitel-app'] = init.app ?? 'switchboard-tests/1.0';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await fetch(url(service, path), {
      method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
      headers,
      body,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const token = (form: Record<string, string>) => call('authentication', '/token', { form });
  const appToken = async (which: 'A' | 'B' = 'A') => {
    const c = which === 'A' ? clientA : clientB;
    const r = await token({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    if (r.status !== 200) throw new Error(`token failed ${r.status}`);
    return r.body.access_token as string;
  };
  const userToken = async (email: string, account = accountA) => {
    const r = await token({
      grant_type: 'password',
      username: email,
      password: PASSWORD,
      account_id: account,
    });
    if (r.status !== 200) throw new Error(`token failed ${r.status}`);
    return r.body.access_token as string;
  };
  return {
    clock,
    emu,
    accountA,
    accountB,
    clientA,
    clientB,
    alice,
    bob,
    carol,
    mallory,
    url,
    call,
    token,
    appToken,
    userToken,
  };
}

/** A webhook subscriber on 127.0.0.1:0 that records what it receives; it can refuse the first few posts. */
export interface WebhookSink {
  url: string;
  received: {
    path: string;
    body: { topic: string; method: string; subject: string; content: Record<string, unknown> };
  }[];
  failFirst: number;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const sink: WebhookSink = { url: '', received: [], failFirst: 0, close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (sink.failFirst > 0) {
        sink.failFirst--;
        res.writeHead(503);
        res.end();
        return;
      }
      sink.received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(202);
        res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?key=s3cret`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}
