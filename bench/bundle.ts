/**
 * The bench measures the engine process's memory, so that process runs as plain bundled JavaScript rather than under
 * the tsx loader: tsx's loader hooks run in a second V8 isolate and, with its transform cache, cost about 40 MB of RSS
 * before any engine code runs (measured: 95 MB vs 56 MB for the same modules loaded). `tsx bench/run.ts` bundles
 * run.ts with esbuild (npm packages stay external, loaded from node_modules) and re-runs itself as `node bundle.js`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * The engine process's V8 old-space cap, as docs/benchmarks.md recommends running the engine. The engine holds about
 * 70 MB live at 50,000 users after a full resync (heap snapshot), so the cap leaves it over 3x headroom; without a
 * cap V8 lets garbage of a busy resync pile up to 4-5x the live heap before collecting it (400+ MB).
 */
export const ENGINE_HEAP_CAP_MB = 256;

/** Set in the bundled process; the TypeScript directory of the bench, for files it reads or starts. */
export const BENCH_DIR_ENV = 'SWITCHBOARD_BENCH_DIR';

/** The bench's source directory, whether running from source (tsx) or from the bundle. */
export function benchDir(): string {
  return process.env[BENCH_DIR_ENV] ?? __dirname;
}

export const isBundled = (): boolean => process.env[BENCH_DIR_ENV] !== undefined;

/** Bundles bench/run.ts and runs it with the same arguments; resolves to its exit code. */
export async function runBundled(): Promise<number> {
  // Loaded here only: the bundled engine process has no use for esbuild.
  const { buildSync } = await import('esbuild');
  const root = path.resolve(__dirname, '..');
  // Under node_modules so the bundle's require() of external packages resolves from the repository's node_modules.
  const outfile = path.join(root, 'node_modules', '.cache', 'switchboard-bench', 'run.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'run.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    outfile,
    logLevel: 'warning',
  });
  // Node flags given to this process (a heap cap, --expose-gc) apply to the engine process, not to the tsx loader.
  const given = process.execArgv.filter((a) => !/tsx|loader|^--require$|^--import$/.test(a));
  const nodeFlags = given.some((a) => a.startsWith('--max-old-space-size'))
    ? given
    : [`--max-old-space-size=${ENGINE_HEAP_CAP_MB}`, ...given];
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', ...nodeFlags, outfile, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, [BENCH_DIR_ENV]: __dirname },
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
