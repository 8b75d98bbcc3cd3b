import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildTab } from '../../tab/build';

const ROOT = join(__dirname, '..', '..');

export interface DemoStack {
  /** The Teams-like host page framing the tab. */
  hostUrl: string;
  /** The product server. */
  baseUrl: string;
  /** The server's output so far (warnings and errors: the stack runs it at LOG_LEVEL=warn), for a failing test's message. */
  output(): string;
  close(): Promise<void>;
}

/**
 * The whole product as `npm start` runs it in demo mode: the emulators seeded with the demo company, the real
 * server (bot/main.ts) and the Teams-like host, in a child process with its own SQLite file. The server's public
 * URL goes into the app's identifier URI and webhook URLs before it listens, so it gets a port picked up front.
 */
export async function startDemoStack(): Promise<DemoStack> {
  if (!existsSync(join(ROOT, 'tab', 'dist', 'index.html'))) await buildTab();
  // The host page listens on the server's port plus one, as `npm start` prints it.
  const port = await freePortPair();
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bot', 'main.ts')],
    {
      cwd: ROOT,
      detached: true,
      env: {
        ...demoModeEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        STORE_URL: `sqlite:${join(dataDir, 'switchboard.sqlite')}`,
        SECRET_KEY: randomBytes(32).toString('base64'),
        DEMO_CALL_INTERVAL_MS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const hostUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo did not start in time:\n${output.join('')}`)),
      60_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      output.push(d.toString());
      const found = /Teams-like host:\s+(https?:\/\/127\.0\.0\.1:\d+\/)/.exec(output.join(''));
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${output.join('')}`));
    });
  });
  return {
    hostUrl,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output.join('').slice(-4000),
    close: async () => {
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Ends the process group this module started (tsx runs the server in a child of its own). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    process.kill(-child.pid!, 'SIGTERM');
  });
}

/** The caller's environment minus what would switch the server to live mode or another configuration. */
function demoModeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['TENANT_ID', 'CONFIG_FILE', 'LOCAL_PLAYGROUND']) delete env[key];
  return env;
}

/** A free port whose next port is free too (the server and its Teams-like host). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await isFree(port + 1))) return port;
  }
  throw new Error('found no two free neighbouring ports');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // The demo's host page is https with a certificate made at start (teams-js wants https for the consent
      // window); a visitor accepts it once, the tests accept it here.
      '--ignore-certificate-errors',
    ],
  });
}

/**
 * Waits for something the tab shows once it has signed in and loaded. The first open on a busy 2-core CI machine
 * (another suite's Chromium throttled to a quarter of a core beside it) has taken more than 20 s, so the wait is
 * generous; when it runs out, the error carries what every frame showed and what the server logged, so a slow machine
 * can be told from a tab, host or server fault.
 */
export async function waitForTab(
  page: Page,
  stack: DemoStack,
  ready: Locator,
  timeoutMs = 90_000,
): Promise<void> {
  try {
    await ready.waitFor({ timeout: timeoutMs });
  } catch (e) {
    const shown = await Promise.all(
      page
        .frames()
        .map(
          async (f) => `${f.url()}:\n${await f.locator('body').innerText({ timeout: 2000 }).catch(String)}`,
        ),
    );
    throw new Error(
      `${String(e)}\n--- the page showed:\n${shown.join('\n')}\n--- the server logged:\n${stack.output()}`,
    );
  }
}
