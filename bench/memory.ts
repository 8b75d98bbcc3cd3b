/**
 * The bench's memory instruments for the engine process. RSS alone cannot tell the JS heap from native memory, nor
 * live objects from garbage V8 has not collected yet, so the resync reports the whole process.memoryUsage() breakdown
 * at the RSS peak, and on request:
 *   --mem-log               the breakdown every 2 s on stderr
 *   --heap-snapshot=FILE    a heap snapshot (live objects only) right after the resync
 *   --heap-snapshot-at=MB   one the first time heapUsed passes MB during it
 *   --alloc-profile         a sampling allocation profile of the resync, to os.tmpdir()
 *   (node flag) --expose-gc the live heap after a full GC once the resync is done (retainedAfterResyncMB)
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

const flag = (name: string) => process.argv.find((a) => a === name || a.startsWith(`${name}=`));
const valueOf = (name: string) => flag(name)?.split('=')[1];

export const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

export function breakdown(m: NodeJS.MemoryUsage) {
  return {
    rss: mb(m.rss),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
  };
}

/** Live JS heap after a full GC (only with --expose-gc): what the process really holds, garbage aside. */
export function retainedMB(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return mb(process.memoryUsage().heapUsed);
}

/** Samples memory every 50 ms until stop(), which answers the breakdown before and at the RSS peak. */
export function watchMemory() {
  const base = process.memoryUsage();
  let atPeak = base;
  let snapAt = Number(valueOf('--heap-snapshot-at') ?? 0);
  const log = !!flag('--mem-log');
  const t0 = Date.now();
  let ticks = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > atPeak.rss) atPeak = m;
    if (log && ticks++ % 40 === 0)
      console.error(`${((Date.now() - t0) / 1000).toFixed(0)}s ${JSON.stringify(breakdown(m))}`);
    if (snapAt && m.heapUsed > snapAt * 2 ** 20) {
      console.error(`heap snapshot at ${mb(m.heapUsed)} MB used: ${v8.writeHeapSnapshot()}`);
      console.error(`after the snapshot's GC: ${JSON.stringify(breakdown(process.memoryUsage()))}`);
      snapAt = 0;
    }
  }, 50);
  const profile = flag('--alloc-profile') ? startAllocationProfile() : null;
  return {
    async stop() {
      clearInterval(timer);
      await profile?.();
      const file = valueOf('--heap-snapshot');
      if (file) console.error(`heap snapshot: ${v8.writeHeapSnapshot(file)}`);
      return {
        rssBeforeEngineMB: mb(base.rss),
        peakRssMB: mb(atPeak.rss),
        atPeakMB: breakdown(atPeak),
        retainedAfterResyncMB: retainedMB(),
      };
    },
  };
}

/**
 * Sampling allocation profile including objects a major GC collected: the memory that survived young-generation GCs,
 * grew the old space and then died, by allocation site.
 */
function startAllocationProfile(): () => Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  void post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
  return async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    const file = path.join(os.tmpdir(), `resync-${Date.now()}.heapprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    console.error(`allocation profile: ${file}`);
    session.disconnect();
  };
}
