import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import type { Request, Response, Server } from 'restify';
import { pickEncoding, compressedCopy, COMPRESSIBLE, type ContentEncoding } from './static-encoding';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** esbuild's `[name]-[hash]`: eight upper-case letters or digits. A file so named never changes its content. */
const HASHED = /-[A-Z0-9]{8}\./;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface StaticTabOptions {
  /** Counts the request against its client address; throws a rate-limit error when over. */
  limit?: (req: Request) => void;
  /**
   * Whether source maps are served. Only in the demo: in production they would publish the tab's whole source
   * (megabytes) to anyone, so a .map is a 404 there.
   */
  sourceMaps?: boolean;
}

/**
 * Serves the built tab (tab/dist) at /tab/. Paths are confined to the folder; anything else is a 404. Text files go
 * out brotli or gzip compressed as the browser's Accept-Encoding allows (copies written by tab/build.ts, or made once
 * and kept in memory when a build has none); hashed bundles are cached for a year, pages revalidate every load.
 */
export function mountStaticTab(server: Server, tabDir: string, options: StaticTabOptions = {}): void {
  const root = resolve(tabDir);
  const serve = async (req: Request, res: Response): Promise<void> => {
    try {
      options.limit?.(req);
    } catch (e) {
      const retryAfter = (e as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter !== undefined) res.header('Retry-After', String(retryAfter));
      return void res.send(429, { error: { code: 'rate_limited', message: (e as Error).message } });
    }
    const path =
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/tab\/?/, '') ||
      'index.html';
    const file = resolve(root, normalize(path));
    const notFound = (): void =>
      void res.send(404, { error: { code: 'not_found', message: `No tab file ${path}.` } });
    if (file !== root && !file.startsWith(root + sep)) return notFound();
    // The compressed copies are a detail of how a file is sent, never files of their own.
    if (/\.(br|gz)$/.test(file)) return notFound();
    try {
      const info = await stat(file);
      const target = info.isDirectory() ? join(file, 'index.html') : file;
      const ext = extname(target);
      if (ext === '.map' && !options.sourceMaps) return notFound();
      const targetInfo = info.isDirectory() ? await stat(target) : info;
      const headers: Record<string, string | number> = {
        'Content-Type': TYPES[ext] ?? 'application/octet-stream',
        // A page must revalidate, so a deployment takes effect at the next tab load; a hashed bundle never changes.
        'Cache-Control': HASHED.test(basename(target)) ? IMMUTABLE : 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      };
      const encoding: ContentEncoding | undefined = COMPRESSIBLE.has(ext)
        ? pickEncoding(req.headers['accept-encoding'])
        : undefined;
      if (COMPRESSIBLE.has(ext)) headers.Vary = 'Accept-Encoding';
      if (encoding) {
        const body = await compressedCopy(target, targetInfo, encoding, () => readFile(target));
        res.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length });
        res.end(body);
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Length': targetInfo.size });
      await new Promise<void>((done, fail) =>
        createReadStream(target).on('error', fail).on('end', done).pipe(res),
      );
    } catch {
      if (!res.headersSent) notFound();
    }
  };
  server.get('/tab', async (_req: Request, res: Response) => {
    res.header('Location', '/tab/index.html');
    res.send(302);
  });
  server.get('/tab/*', serve);
}
