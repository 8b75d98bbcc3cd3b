import { build, type Metafile } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compress, SUFFIX } from '../bot/http/static-encoding';

/**
 * `npm run build:tab`: bundles tab/src into tab/dist (served by the bot at /tab/). ES modules with code splitting,
 * so the admin pages (a dynamic import) land in their own chunk that ordinary users never download. Reports the
 * gzip size of what a user's first load fetches and fails above the budget: Teams mobile clients load the tab over
 * cellular networks.
 */
export const BUDGET_GZIP_BYTES = 350 * 1024;

const TAB_DIR = __dirname;
const SRC = join(TAB_DIR, 'src');
const PUBLIC = join(TAB_DIR, 'public');

export interface TabBuildResult {
  outDir: string;
  /** gzip bytes of the entry and every chunk it imports statically (the first load). */
  entryGzipBytes: number;
  /** gzip bytes per output file, for the report. */
  files: { file: string; gzipBytes: number }[];
}

export async function buildTab(outDir = join(TAB_DIR, 'dist')): Promise<TabBuildResult> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { main: join(SRC, 'main.tsx'), auth: join(SRC, 'teams', 'consent-window.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: 'linked',
    target: ['es2020', 'chrome100', 'safari15'],
    jsx: 'automatic',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const entryFile = (name: string) => {
    const found = Object.keys(outputs).find(
      (f) => outputs[f].entryPoint && basename(f).startsWith(`${name}-`) && f.endsWith('.js'),
    );
    if (!found) throw new Error(`esbuild produced no ${name} entry`);
    return found;
  };
  const main = entryFile('main');
  const auth = entryFile('auth');
  const rel = (f: string) => relative(outDir, f).split('\\').join('/');

  for (const page of ['index.html', 'auth-start.html', 'auth-end.html']) {
    const html = (await readFile(join(PUBLIC, page), 'utf8'))
      .replace('%MAIN%', rel(main))
      .replace('%AUTH%', rel(auth));
    await writeFile(join(outDir, page), html);
  }

  await precompress(outDir);

  const gzipOf = async (f: string) => gzipSync(await readFile(f), { level: 9 }).length;
  const initial = staticClosure(outputs, main);
  let entryGzipBytes = 0;
  for (const f of initial) entryGzipBytes += await gzipOf(f);
  const files: TabBuildResult['files'] = [];
  for (const f of Object.keys(outputs).filter((o) => o.endsWith('.js')))
    files.push({ file: rel(f), gzipBytes: await gzipOf(f) });
  return { outDir, entryGzipBytes, files };
}

/**
 * Writes a brotli and a gzip copy next to every page and bundle, so the server sends them compressed without
 * compressing at request time (brotli at its best quality takes seconds for the whole tab). Source maps are left
 * out: production never serves them and the demo can send them plain.
 */
const PRECOMPRESSED = new Set(['.html', '.js', '.css', '.json', '.txt', '.svg']);

async function precompress(outDir: string): Promise<void> {
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && PRECOMPRESSED.has(extname(e.name)))
    .map((e) => join(e.parentPath, e.name));
  for (const file of files) {
    const data = await readFile(file);
    for (const encoding of ['br', 'gzip'] as const)
      await writeFile(file + SUFFIX[encoding], await compress(data, encoding));
  }
}

/** The entry plus every chunk reachable through static imports: what the browser fetches before first render. */
function staticClosure(outputs: Metafile['outputs'], entry: string): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const imp of outputs[f]?.imports ?? [])
      if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entry);
  return [...seen];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const result = await buildTab();
  for (const f of result.files.sort((a, b) => b.gzipBytes - a.gzipBytes))
    console.log(`  ${f.file.padEnd(48)} ${kb(f.gzipBytes).padStart(10)} gzip`);
  const verdict = result.entryGzipBytes <= BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  console.log(
    `tab: user-facing entry ${kb(result.entryGzipBytes)} gzip (${verdict} the ${kb(BUDGET_GZIP_BYTES)} budget) → ${relative(process.cwd(), result.outDir)}`,
  );
  if (result.entryGzipBytes > BUDGET_GZIP_BYTES) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
