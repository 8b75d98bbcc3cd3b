import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import restify, { type Server } from 'restify';
import { mountStaticTab } from '../../bot/http/static-tab';
import { buildTab } from '../../tab/build';

/**
 * The tab's files as a browser gets them: compressed as Accept-Encoding allows, hashed bundles cached for a year,
 * pages revalidated, source maps only in the demo. Raw node:http requests, because fetch would decompress and pick
 * its own Accept-Encoding.
 */
let dist: string;
let production: Server;
let demo: Server;
let plainDir: string;
let plain: Server;
const urls: Record<string, string> = {};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(base: string, path: string, acceptEncoding?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function start(dir: string, sourceMaps: boolean): Promise<{ server: Server; url: string }> {
  const server = restify.createServer();
  mountStaticTab(server, dir, { sourceMaps });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const mainBundle = () => readdirSync(dist).find((f) => /^main-[A-Z0-9]{8}\.js$/.test(f))!;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'switchboard-tab-'));
  await buildTab(dist);
  ({ server: production, url: urls.production } = await start(dist, false));
  ({ server: demo, url: urls.demo } = await start(dist, true));
  // A folder with no precompressed copies, like a tab built by an older build script.
  plainDir = mkdtempSync(join(tmpdir(), 'switchboard-tab-plain-'));
  writeFileSync(join(plainDir, 'index.html'), `<!doctype html><h1>x</h1>${'<p>same text</p>'.repeat(500)}`);
  ({ server: plain, url: urls.plain } = await start(plainDir, false));
  // A whole tab build with brotli at its best quality: seconds alone, much longer on a busy 2-core CI machine.
}, 240_000);

afterAll(() => {
  for (const s of [production, demo, plain]) s?.close();
  rmSync(dist, { recursive: true, force: true });
  rmSync(plainDir, { recursive: true, force: true });
});

it('sends the bundle brotli-compressed when the browser accepts brotli, gzip when only gzip, plain otherwise', async () => {
  const path = `/tab/${mainBundle()}`;
  const original = readFileSync(join(dist, mainBundle()));

  const br = await get(urls.production, path, 'gzip, deflate, br, zstd');
  expect(br.status).toBe(200);
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers.vary).toBe('Accept-Encoding');
  expect(Number(br.headers['content-length'])).toBe(br.body.length);
  expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
  expect(br.body.length).toBeLessThan(original.length * 0.35);

  const gz = await get(urls.production, path, 'gzip');
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gz.body).equals(original)).toBe(true);
  expect(br.body.length).toBeLessThan(gz.body.length);

  const none = await get(urls.production, path);
  expect(none.headers['content-encoding']).toBeUndefined();
  expect(none.body.equals(original)).toBe(true);

  // q=0 refuses an encoding even when it is the better one.
  const refused = await get(urls.production, path, 'br;q=0, gzip;q=0.5');
  expect(refused.headers['content-encoding']).toBe('gzip');
  const identityOnly = await get(urls.production, path, 'identity, *;q=0');
  expect(identityOnly.headers['content-encoding']).toBeUndefined();
});

it('puts the first load on the wire in well under a third of its size', async () => {
  // index.html, the entry and every chunk: what a user's first visit downloads.
  const files = ['index.html', mainBundle(), ...readdirSync(join(dist, 'chunks')).map((f) => `chunks/${f}`)]
    .filter((f) => /\.(js|html)$/.test(f))
    .filter((f) => f === 'index.html' || f === mainBundle() || !f.includes('Admin'));
  let raw = 0;
  let wire = 0;
  for (const f of files) {
    raw += readFileSync(join(dist, f)).length;
    wire += (await get(urls.production, `/tab/${f}`, 'gzip, deflate, br')).body.length;
  }
  expect(wire).toBeLessThan(raw / 3);
});

it('caches hashed bundles for a year as immutable and makes pages revalidate', async () => {
  const bundle = await get(urls.production, `/tab/${mainBundle()}`, 'br');
  expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  const chunk = readdirSync(join(dist, 'chunks')).find((f) => f.endsWith('.js'))!;
  expect((await get(urls.production, `/tab/chunks/${chunk}`, 'br')).headers['cache-control']).toBe(
    'public, max-age=31536000, immutable',
  );
  for (const page of ['index.html', 'auth-start.html', 'auth-end.html']) {
    const res = await get(urls.production, `/tab/${page}`, 'br');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  }
});

it('gives the page a level-one heading', async () => {
  const page = (await get(urls.production, '/tab/index.html')).body.toString('utf8');
  expect(page).toMatch(/<h1[^>]*>Switchboard<\/h1>/);
});

it('serves no source maps in production, and serves them in the demo', async () => {
  const map = `/tab/${mainBundle()}.map`;
  expect(readdirSync(dist)).toContain(`${mainBundle()}.map`);
  expect((await get(urls.production, map, 'br')).status).toBe(404);
  const inDemo = await get(urls.demo, map);
  expect(inDemo.status).toBe(200);
  expect(JSON.parse(inDemo.body.toString('utf8'))).toHaveProperty('mappings');
});

it('never serves the compressed copies as files of their own', async () => {
  expect((await get(urls.production, `/tab/${mainBundle()}.br`)).status).toBe(404);
  expect((await get(urls.production, '/tab/index.html.gz')).status).toBe(404);
});

it('compresses a build without precompressed copies at request time, the same bytes every time', async () => {
  const first = await get(urls.plain, '/tab/index.html', 'br');
  expect(first.headers['content-encoding']).toBe('br');
  const original = readFileSync(join(plainDir, 'index.html'));
  expect(brotliDecompressSync(first.body).equals(original)).toBe(true);
  expect(first.body.length).toBeLessThan(original.length / 10);
  const second = await get(urls.plain, '/tab/index.html', 'br');
  expect(second.body.equals(first.body)).toBe(true);
});
