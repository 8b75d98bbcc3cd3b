/**
 * Starts the three emulators on 127.0.0.1, sharing one Directory and one Clock, the way the real Entra ID and
 * Graph share one directory. Used by `npm run emulators`, by `npm start` in demo mode, by tests and the benchmark.
 */
import { Directory } from './common/directory';
import { systemClock, type Clock } from './common/clock';
import { startEntraEmulator, type EntraEmulator } from './entra/server';
import { startGraphEmulator, type GraphEmulator } from './graph/server';
import { startCloudLinkEmulator, type CloudLinkEmulator } from './cloudlink/server';

export interface Emulators {
  directory: Directory;
  clock: Clock;
  entra: EntraEmulator;
  graph: GraphEmulator;
  cloudlink: CloudLinkEmulator;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  clock?: Clock;
  directory?: Directory;
  ports?: { entra?: number; graph?: number; cloudlink?: number };
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const directory = options.directory ?? new Directory();
  const clock = options.clock ?? systemClock;
  const entra = await startEntraEmulator({ directory, clock, port: options.ports?.entra });
  const graph = await startGraphEmulator({ directory, clock, verifyToken: entra.verifyAccessToken, port: options.ports?.graph });
  const cloudlink = await startCloudLinkEmulator({ clock, port: options.ports?.cloudlink });
  return {
    directory,
    clock,
    entra,
    graph,
    cloudlink,
    async close() {
      await Promise.all([entra.close(), graph.close(), cloudlink.close()]);
    },
  };
}
