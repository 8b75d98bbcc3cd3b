import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Emulators } from '../../emulators/index';
import { socketOwner } from './socket-owner';

/** One request a cluster process made to an emulator (or a Graph `$batch` part), with who sent it and when. */
export interface OutboundRequest {
  service: 'graph' | 'cloudlink';
  /** The sending process's pid; undefined when it could not be told (not one of ours, or not Linux). */
  pid: number | undefined;
  method: string;
  /** Without query, as the emulator saw it (Graph without /v1.0). */
  path: string;
  status: number;
  /** When the request reached the emulator (epoch ms, this machine's clock). */
  at: number;
  /** True for a request that changes something at Graph or CloudLink (see isWrite). */
  write: boolean;
}

interface Seen {
  pid: number | undefined;
  method: string;
  path: string;
  status: number;
  at: number;
  /** Graph's request-id or CloudLink's x-mitel-correlation-id of the answer. */
  id: string | undefined;
}

/**
 * Records every request the emulators receive together with the cluster process that sent it, by listening on the
 * emulators' own HTTP servers (no proxy in between, so the product talks to the same base URLs as it would alone).
 * Graph `$batch` requests are expanded into their parts from the Graph emulator's request log (its parts carry the
 * batch's request-id), so a presence write inside a batch counts as a write of the process that sent the batch.
 */
export class OutboundTap {
  private readonly seen: { service: 'graph' | 'cloudlink'; entry: Seen }[] = [];
  private readonly owners = new WeakMap<Socket, number | undefined>();

  constructor(
    private readonly emulators: Emulators,
    /** The pids of the cluster's processes now (a restarted process has a new one). */
    private readonly pids: () => number[],
  ) {
    this.watch('graph', emulators.graph.server, emulators.graph.port);
    this.watch('cloudlink', emulators.cloudlink.server, emulators.cloudlink.port);
  }

  private watch(service: 'graph' | 'cloudlink', server: Server, port: number): void {
    server.on('connection', (socket: Socket) => {
      // Looked up once, when the connection is accepted: its owner cannot change afterwards.
      this.owners.set(socket, socketOwner(socket.remotePort ?? 0, port, this.pids()));
    });
    server.on('request', (req, res) => {
      const at = Date.now();
      const pid = this.owners.get(req.socket);
      res.on('finish', () => {
        const header = res.getHeader(service === 'graph' ? 'request-id' : 'x-mitel-correlation-id');
        this.seen.push({
          service,
          entry: {
            pid,
            method: req.method ?? 'GET',
            path: (req.url ?? '/').split('?')[0]!,
            status: res.statusCode,
            at,
            id: typeof header === 'string' ? header : undefined,
          },
        });
      });
    });
  }

  /** Every request so far, Graph batches expanded into their parts. */
  requests(): OutboundRequest[] {
    const graphParts = new Map<string, { method: string; path: string; status: number }[]>();
    for (const r of this.emulators.graph.control.requests()) {
      if (!r.batchRequestId) continue;
      const parts = graphParts.get(r.batchRequestId) ?? [];
      parts.push({ method: r.method, path: r.path, status: r.status });
      graphParts.set(r.batchRequestId, parts);
    }
    const out: OutboundRequest[] = [];
    for (const { service, entry } of this.seen) {
      if (service === 'graph' && /\/\$batch$/i.test(entry.path) && entry.id && graphParts.has(entry.id)) {
        for (const part of graphParts.get(entry.id)!)
          out.push({
            service,
            pid: entry.pid,
            at: entry.at,
            ...part,
            write: isWrite(service, part.method, part.path),
          });
        continue;
      }
      if (entry.path.startsWith('/_control')) continue; // the test's own controls, not the product
      out.push({
        service,
        pid: entry.pid,
        method: entry.method,
        path: service === 'graph' ? entry.path.replace(/^\/v1\.0/, '') : entry.path,
        status: entry.status,
        at: entry.at,
        write: isWrite(service, entry.method, entry.path),
      });
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /** Requests that change something at Graph or CloudLink. */
  writes(): OutboundRequest[] {
    return this.requests().filter((r) => r.write);
  }
}

/**
 * A write changes state at the service: presence writes, subscriptions (create, renew, delete, reauthorize), CloudLink
 * presence. Reads sent as POST (Graph's getPresencesByUserId, CloudLink's and Entra's token grants) are not writes.
 */
export function isWrite(service: 'graph' | 'cloudlink', method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return false;
  if (service === 'graph') return !/getPresencesByUserId$|\/\$batch$/i.test(path);
  return !/\/token$/i.test(path);
}
