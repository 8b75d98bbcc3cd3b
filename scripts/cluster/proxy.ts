import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small round-robin HTTP load balancer for the local cluster: it is the PUBLIC_BASE_URL, so Graph's and CloudLink's
 * webhooks, the tab and the API land on any process, as behind a real load balancer. Like one (nginx, a cloud LB
 * with health checks), it
 * - checks each backend's `/healthz` every second and leaves out one that does not answer within 700 ms (a dead or
 *   frozen process), taking it back once it answers again;
 * - tries the next backend when one refuses the connection (a process killed since the last check). Request bodies
 *   are therefore held (bounded, 1 MiB: webhooks and API bodies are far smaller) until a backend takes them;
 *   responses are streamed;
 * - answers 502 when no backend takes the request, 504 when the chosen one does not answer in time.
 * It binds 127.0.0.1 only and limits open client connections.
 */

export interface ProxyOptions {
  /** Backend base URLs (http://127.0.0.1:port), in round-robin order. */
  backends: string[];
  port?: number;
  maxBodyBytes?: number;
  /** How long a backend may take to answer before the client gets 504 (default 10 s). */
  upstreamTimeoutMs?: number;
  healthIntervalMs?: number;
  maxConnections?: number;
}

/** One request the proxy handled: where it went and how it ended. */
export interface ProxyRecord {
  at: number;
  method: string;
  path: string;
  /** Index into `backends` of the backend that answered; undefined if none did. */
  backend: number | undefined;
  status: number;
  durationMs: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  readonly log: ProxyRecord[];
  /** Which backends the health check takes requests to now. */
  healthy(): boolean[];
  close(): Promise<void>;
}

const MAX_LOG = 50_000;

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const backends = options.backends.map((b) => new URL(b));
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 10_000;
  const up = backends.map(() => true);
  const log: ProxyRecord[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;

  const record = (r: ProxyRecord) => {
    log.push(r);
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
  };

  /** Backends to try, in round-robin order, healthy ones first (all, when the check sees none healthy). */
  const order = (): number[] => {
    const start = next++ % backends.length;
    const all = backends.map((_, i) => (start + i) % backends.length);
    const healthy = all.filter((i) => up[i]);
    return healthy.length > 0 ? healthy : all;
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const done = (backend: number | undefined, status: number) =>
      record({
        at: started,
        method: req.method ?? 'GET',
        path,
        backend,
        status,
        durationMs: Date.now() - started,
      });
    readBody(req, maxBody).then(
      (body) => {
        if (body === undefined) {
          answerWith(res, 413, 'request body too large for the cluster proxy');
          done(undefined, 413);
          return;
        }
        forward(req, res, body, order(), done);
      },
      () => res.destroy(),
    );
  });
  server.maxConnections = options.maxConnections ?? 512;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  /** An answer of the proxy's own; a client that already left (or a response already begun) is just closed. */
  function answerWith(res: ServerResponse, status: number, text: string): void {
    if (res.headersSent || res.destroyed || res.writableEnded) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    candidates: number[],
    done: (backend: number | undefined, status: number) => void,
  ): void {
    const i = candidates.shift();
    if (i === undefined) {
      answerWith(res, 502, 'no cluster process took the request');
      done(undefined, 502);
      return;
    }
    const target = backends[i]!;
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' };
    const upstream = request({
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
    });
    let answered = false;
    upstream.setTimeout(upstreamTimeoutMs, () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('response', (r) => {
      answered = true;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on('end', () => done(i, r.statusCode ?? 502));
      r.on('error', () => res.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return res.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') {
        // Nothing reached a live process: mark it down until its health check passes, and try the next one.
        up[i] = false;
        forward(req, res, body, candidates, done);
        return;
      }
      answerWith(res, 504, 'the cluster process did not answer in time');
      done(i, 504);
    });
    upstream.end(body);
  }

  const check = () => {
    backends.forEach((b, i) => {
      const probe = request(
        { host: b.hostname, port: b.port, path: '/healthz', method: 'GET', timeout: 700 },
        (r) => {
          up[i] = (r.statusCode ?? 500) < 500;
          r.resume();
        },
      );
      probe.on('timeout', () => probe.destroy());
      probe.on('error', () => (up[i] = false));
      probe.end();
    });
  };
  const timer = setInterval(check, options.healthIntervalMs ?? 1000);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    healthy: () => [...up],
    async close() {
      clearInterval(timer);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The whole body, or undefined when it is larger than `max`. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
