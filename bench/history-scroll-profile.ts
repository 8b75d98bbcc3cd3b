/**
 * `tsx bench/history-scroll-profile.ts [--throttle=4] [--seconds=4]`: where the call list's frame time goes while it
 * scrolls 10,000 calls in Chromium with the CPU throttled (DevTools' Emulation.setCPUThrottlingRate), for the figure
 * in docs/benchmarks.md. The same setup as tests/e2e/history-scroll.test.ts (demo stack, Teams-like host, the tab's
 * call-history answers served here), then one fling recorded twice over: a DevTools trace (main-thread time by kind:
 * script, style, layout, paint, ...) and a CPU profile (script time by function, mapped to tab/src through the
 * build's source maps). Prints both tables. With --step=83 every frame scrolls the same 83 px (5,000 px/s at 60 fps),
 * so the main thread's CPU time per frame compares runs on a busy machine.
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Frame, Route } from 'playwright-core';
import { SourceMapConsumer, type RawSourceMap } from 'source-map';
import { buildTab } from '../tab/build';
import { launchChromium, startDemoStack } from '../tests/e2e/stack';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const THROTTLE = arg('throttle', 4);
const SECONDS = arg('seconds', 4);
const CALLS = 10_000;
const PAGE = 100;
const PX_PER_SECOND = 5_000;
/** --step=83: scroll this many px every frame instead of by the clock, for STEP_FRAMES frames. */
const STEP = arg('step', 0);
const STEP_FRAMES = arg('frames', 240);

function calls(from: number, to: number) {
  const names = ['Fabrikam Sales', 'Northwind Traders', null, 'Adatum Support', 'Erika Mustermann'];
  const numbers = ['+4930901820', '+442071838750', '+14255550123', '2042', '+491701234567'];
  const start = Date.now() - 3_600_000;
  return Array.from({ length: to - from }, (_v, k) => {
    const i = from + k;
    const startedAt = new Date(start - i * 52 * 60_000);
    return {
      callId: `bench-${i}`,
      direction: i % 3 === 0 ? 'outbound' : 'inbound',
      missed: i % 7 === 1,
      number: numbers[i % numbers.length],
      name: names[i % names.length],
      startedAt: startedAt.toISOString(),
      endedAt: new Date(startedAt.getTime() + 95_000).toISOString(),
      durationSeconds: i % 7 === 1 ? 0 : 30 + (i % 600),
      ringSeconds: 4,
    };
  });
}

async function serveHistory(route: Route) {
  const url = new URL(route.request().url());
  const from = Number(url.searchParams.get('cursor')?.slice('after-'.length) ?? 0);
  const next = from + PAGE;
  await route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({
      items: calls(from, Math.min(next, CALLS)),
      ...(next < CALLS ? { nextCursor: `after-${next}` } : {}),
    }),
  });
}

/**
 * One fling from the top, time-based (a slow frame skips further); a string, because tsx's helpers (keepNames) do
 * not exist in the page.
 */
async function fling(frame: Frame, ms: number): Promise<{ frames: number; seconds: number }> {
  // A fixed step per frame (what PX_PER_SECOND is at 60 fps) when STEP is set: every frame then does the same
  // work however slow the machine is, so CPU time per frame compares runs on a busy machine.
  return frame.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="history-scroller"]');
    el.scrollTop = 0;
    let first = 0, frames = 0, last = 0;
    const tick = (t) => {
      if (!first) first = t; else frames++;
      last = t;
      el.scrollTop = ${STEP} > 0 ? frames * ${STEP} : ((t - first) / 1000) * ${PX_PER_SECOND};
      if (${STEP} > 0 ? frames < ${STEP_FRAMES} : t - first < ${ms}) requestAnimationFrame(tick);
      else resolve({ frames, seconds: (last - first) / 1000 });
    };
    requestAnimationFrame(tick);
  })`);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** CPU time the thread actually ran (wall time minus time it waited for a core). */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string; functionName?: string; url?: string } };
}

async function trace(cdp: CDPSession, run: () => Promise<unknown>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] },
  });
  await run();
  await cdp.send('Tracing.end');
  await done;
  return events;
}

/** The renderer's main thread (the one running the tab's script). */
function mainThread(events: TraceEvent[]): TraceEvent | undefined {
  return events.find(
    (e) =>
      e.name === 'thread_name' &&
      e.args?.name === 'CrRendererMain' &&
      events.some((x) => x.pid === e.pid && x.name === 'FunctionCall'),
  );
}

/**
 * CPU time the main thread ran, summed over its top-level tasks: unlike wall time, it does not grow when other
 * processes take the cores, so it says what the list costs on a quiet machine.
 */
function mainThreadCpuMs(events: TraceEvent[]): number {
  const main = mainThread(events);
  if (!main) return 0;
  const tasks = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  let end = 0;
  let cpu = 0;
  for (const e of tasks) {
    if (e.ts >= end) {
      cpu += e.tdur ?? e.dur!;
      end = e.ts + e.dur!;
    }
  }
  return cpu / 1000;
}

/**
 * Main-thread CPU time of the renderer by kind of work: each event's own time (its CPU time less its children's),
 * counted under the nearest kind it or an ancestor names; unnamed work is listed by event name.
 */
function mainThreadBreakdown(events: TraceEvent[]): [string, number][] {
  const main = mainThread(events);
  if (!main) return [];
  const complete = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const KIND: Record<string, string> = {
    FunctionCall: 'script',
    EvaluateScript: 'script',
    TimerFire: 'script',
    FireAnimationFrame: 'script',
    EventDispatch: 'script',
    RunMicrotasks: 'script',
    V8Execute: 'script',
    UpdateLayoutTree: 'style',
    RecalculateStyles: 'style',
    ParseAuthorStyleSheet: 'style',
    Layout: 'layout',
    PrePaint: 'pre-paint',
    Paint: 'paint',
    PaintImage: 'paint',
    Layerize: 'layerize',
    UpdateLayer: 'layerize',
    UpdateLayerTree: 'layerize',
    CompositeLayers: 'composite',
    Commit: 'commit',
    HitTest: 'hit test',
    ScrollLayer: 'scroll',
    MajorGC: 'gc',
    MinorGC: 'gc',
    'V8.GCScavenger': 'gc',
  };
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  const kinds = new Map<string, number>();
  const open: { e: TraceEvent; kind: string | undefined; self: number }[] = [];
  const close = (frame: { e: TraceEvent; kind: string | undefined; self: number }) => {
    const d = frame.e.args?.data;
    const what = d?.type ?? d?.functionName ?? '';
    const k =
      frame.kind === 'script' && KIND[frame.e.name] === 'script'
        ? `script: ${frame.e.name}${what ? ` ${what}` : ''}`
        : (frame.kind ?? `other: ${frame.e.name}`);
    kinds.set(k, (kinds.get(k) ?? 0) + Math.max(0, frame.self));
  };
  for (const e of complete) {
    while (open.length && open[open.length - 1]!.e.ts + open[open.length - 1]!.e.dur! <= e.ts)
      close(open.pop()!);
    const parent = open[open.length - 1];
    if (parent) parent.self -= cpu(e);
    open.push({ e, kind: KIND[e.name] ?? parent?.kind, self: cpu(e) });
  }
  while (open.length) close(open.pop()!);
  return [...kinds.entries()]
    .map(([k, us]) => [k, us / 1000] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function profileByFunction(
  profile: Profile,
  distDir: string,
  inclusive = false,
): Promise<[string, number][]> {
  const consumers = new Map<string, SourceMapConsumer | null>();
  const mapFor = async (url: string) => {
    const file = url.split('/tab/')[1]?.split('?')[0];
    if (!file) return null;
    if (!consumers.has(file)) {
      try {
        const raw = JSON.parse(await readFile(join(distDir, `${file}.map`), 'utf8')) as RawSourceMap;
        consumers.set(file, await new SourceMapConsumer(raw));
      } catch {
        consumers.set(file, null);
      }
    }
    return consumers.get(file) ?? null;
  };
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  if (inclusive) {
    // Each node's time with its callees', counted once per function and stack (recursion is not double counted).
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const own = new Map(selfUs);
    selfUs.clear();
    for (const [id, us] of own) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = byNode.get(at)!.callFrame;
        const sig = `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
        if (seen.has(sig)) continue;
        seen.add(sig);
        selfUs.set(at, (selfUs.get(at) ?? 0) + us);
      }
    }
  }
  const totals = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byNode.get(id)!.callFrame;
    let where = f.url ? f.url.replace(/^.*\//, '') : '';
    const map = f.url ? await mapFor(f.url) : null;
    if (map) {
      const o = map.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber });
      if (o.source)
        where = `${o.source.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '')}:${o.line}`;
    }
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    totals.set(key, (totals.get(key) ?? 0) + us);
  }
  return [...totals.entries()]
    .map(([k, us]) => [k, us / 1000] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

async function main() {
  const built = await buildTab();
  const stack = await startDemoStack();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 860 },
      timezoneId: 'Europe/Berlin',
    });
    await page.route('**/api/me/calls?**', serveHistory);
    await page.goto(stack.hostUrl);
    const user = await page.locator('#user option').first().getAttribute('value');
    await page.goto(
      `${stack.hostUrl}?${new URLSearchParams({ user: user!, client: 'desktop', locale: 'en-US' })}`,
    );
    const frame = (await (await page.waitForSelector('#tab')).contentFrame())!;
    await frame.waitForSelector('[data-testid="call-row"]', { timeout: 30_000 });
    const scroller = frame.locator('[data-testid="history-scroller"]');
    for (let i = 0; i < 400; i++) {
      const h = (await scroller.evaluate(
        '(el) => ((el.scrollTop = el.scrollHeight), el.scrollHeight)',
      )) as number;
      if (h >= CALLS * 56) break;
      await frame.waitForTimeout(50);
    }
    // The tab is an out-of-process iframe only with site isolation; here it shares the page's renderer.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    let scrolled = { frames: 0, seconds: 1 };
    const events = await trace(cdp, async () => (scrolled = await fling(frame, SECONDS * 1000)));
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    const profiled = await fling(frame, SECONDS * 1000);
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

    const cpu = mainThreadCpuMs(events);
    console.log(
      `CPU ${THROTTLE}x slower, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: ` +
        `${(scrolled.frames / scrolled.seconds).toFixed(1)} fps traced, ` +
        `${(profiled.frames / profiled.seconds).toFixed(1)} fps profiled`,
    );
    console.log(
      `main-thread CPU ${cpu.toFixed(0)} ms in ${scrolled.frames} frames: ${(cpu / scrolled.frames).toFixed(1)} ms a frame`,
    );
    console.log(`\nrenderer main thread CPU by kind of work (ms, ms a frame):`);
    for (const [kind, t] of mainThreadBreakdown(events).slice(0, 20))
      console.log(`  ${kind.padEnd(28)} ${t.toFixed(0).padStart(6)}  ${(t / scrolled.frames).toFixed(2)}`);
    const fns = await profileByFunction(profile, built.outDir);
    const total = fns.reduce((s, [, t]) => s + t, 0);
    console.log(`\nCPU profile, self time by function (${total.toFixed(0)} ms sampled):`);
    for (const [fn, t] of fns.slice(0, 30))
      console.log(`  ${t.toFixed(0).padStart(6)}  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${fn}`);
    console.log(`\nCPU profile, time with callees by function:`);
    for (const [fn, t] of (await profileByFunction(profile, built.outDir, true)).slice(0, 40))
      console.log(`  ${t.toFixed(0).padStart(6)}  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${fn}`);
  } finally {
    await browser.close();
    await stack.close();
  }
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
