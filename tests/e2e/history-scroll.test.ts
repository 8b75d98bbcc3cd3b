import { cpus, loadavg } from 'node:os';
import type { Browser, Frame, Page, Route } from 'playwright-core';
import { launchChromium, startDemoStack, type DemoStack } from './stack';

/**
 * How smoothly the call list scrolls 10,000 calls, in Chromium with the CPU throttled 4× (DevTools'
 * Emulation.setCPUThrottlingRate), inside the Teams-like host against the demo server. The tab's call-history
 * requests are answered from here (10,000 calls, 100 per page, opaque cursors as the server gives them), so what is
 * measured is the list, not how fast the emulated PBX answers. The figures (throttled and not) are printed and
 * written down in docs/benchmarks.md, not asserted: on a shared 2-core machine they swing with the other load. What
 * is asserted is that the list stays virtualized (a few dozen rows in the DOM of 10,000).
 */
jest.setTimeout(300_000);

const CALLS = 10_000;
const PAGE = 100;
const SCROLL_MS = 6_000;
/** A fast fling: the list's 10,000 rows are about 600,000 px, so this crosses about 30,000 px of them. */
const PX_PER_SECOND = 5_000;

const began = Date.now();
const progress = (what: string) =>
  process.stdout.write(`[${((Date.now() - began) / 1000).toFixed(0)} s] ${what}\n`);

let stack: DemoStack;
let browser: Browser;

beforeAll(async () => {
  // No rebuild here: tab/dist is shared with the other browser suites running beside this one, and a rebuild empties it
  // first (a CI run caught admin-sync's page answering "No tab file index.html"). `npm test` builds the tab before
  // jest; run `npm run build:tab` before this file alone, and startDemoStack builds a missing tab.
  stack = await startDemoStack();
  browser = await launchChromium();
  progress('demo and browser up');
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

function calls(from: number, to: number) {
  const names = ['Fabrikam Sales', 'Northwind Traders', null, 'Adatum Support', 'Erika Mustermann'];
  const numbers = ['+4930901820', '+442071838750', '+14255550123', '2042', '+491701234567'];
  const start = Date.now() - 3_600_000;
  return Array.from({ length: to - from }, (_v, k) => {
    const i = from + k;
    const startedAt = new Date(start - i * 52 * 60_000); // about a year for 10,000 calls
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

async function openHistory(): Promise<{ page: Page; frame: Frame }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Berlin' });
  await page.route('**/api/me/calls?**', serveHistory);
  await page.goto(stack.hostUrl);
  const user = await page.locator('#user option').first().getAttribute('value');
  await page.goto(
    `${stack.hostUrl}?${new URLSearchParams({ user: user!, client: 'desktop', locale: 'en-US' })}`,
  );
  const frame = await (await page.waitForSelector('#tab')).contentFrame();
  await frame!.waitForSelector('[data-testid="call-row"]', { timeout: 30_000 });
  return { page, frame: frame! };
}

/** Scrolls to the end until every page is in (the tab loads the next page near the end of the list). */
async function loadEveryCall(frame: Frame): Promise<number> {
  const scroller = frame.locator('[data-testid="history-scroller"]');
  for (let attempt = 0; attempt < 400; attempt++) {
    const height = await scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      return el.scrollHeight;
    });
    // 10,000 calls and their day headers at 56 and 36 px.
    if (height >= CALLS * 56) return height;
    if (attempt % 25 === 0) progress(`loading: list ${height} px after ${attempt} scrolls`);
    await frame.waitForTimeout(50);
  }
  throw new Error('the list never held every call');
}

interface ScrollResult {
  frames: number;
  seconds: number;
  fps: number;
  p95: number;
  longest: number;
}

/** Scrolls the list from the top for SCROLL_MS at PX_PER_SECOND and measures the frames the browser drew. */
async function scrollFor(frame: Frame): Promise<ScrollResult> {
  const r = await frame.locator('[data-testid="history-scroller"]').evaluate(
    (el, { ms, speed }) =>
      new Promise<{ frames: number; seconds: number; p95: number; longest: number }>((resolve) => {
        el.scrollTop = 0;
        const gaps: number[] = [];
        let first = 0;
        let last = 0;
        const tick = (t: number) => {
          if (!first) first = t;
          else gaps.push(t - last);
          last = t;
          // Time-based, like a fling: a slow frame does not slow the scroll, it skips further.
          el.scrollTop = ((t - first) / 1000) * speed;
          if (t - first < ms) requestAnimationFrame(tick);
          else {
            const sorted = [...gaps].sort((a, b) => a - b);
            resolve({
              frames: gaps.length,
              seconds: (last - first) / 1000,
              p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
              longest: sorted[sorted.length - 1] ?? 0,
            });
          }
        };
        requestAnimationFrame(tick);
      }),
    { ms: SCROLL_MS, speed: PX_PER_SECOND },
  );
  return { ...r, fps: r.frames / r.seconds };
}

it('scrolls 10,000 calls at a measured frame rate with the CPU throttled 4×', async () => {
  const { page, frame } = await openHistory();
  progress('history open');
  const height = await loadEveryCall(frame);
  progress('every call loaded');
  expect(height).toBeGreaterThanOrEqual(CALLS * 56);
  expect(await frame.locator('[data-testid="call-row"]').count()).toBeLessThan(80);

  const cdp = await page.context().newCDPSession(page);
  const unthrottled = await scrollFor(frame);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const throttled = await scrollFor(frame);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const rows = await frame.locator('[data-testid="call-row"]').count();
  // The figures for docs/benchmarks.md, with how busy the machine was (other processes share its cores).
  const line = (what: string, r: ScrollResult) =>
    `history scroll, ${CALLS} calls, ${what}: ${r.fps.toFixed(1)} fps over ${r.seconds.toFixed(1)} s, ` +
    `p95 frame ${r.p95.toFixed(1)} ms, longest ${r.longest.toFixed(1)} ms`;
  process.stdout.write(
    `${line('CPU 4x slower', throttled)}\n${line('CPU unthrottled', unthrottled)}\n` +
      `${rows} rows in the DOM, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
  );
  expect(rows).toBeLessThan(80);
  // Recorded, not asserted against 50: on a shared 2-core machine the figure swings with the other load. A list
  // that stopped virtualizing fails the row count above.
  expect(throttled.frames).toBeGreaterThan(0);
  await page.close();
});
