import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Request, Response, Server } from 'restify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Serves the built tab (tab/dist) at /tab/. Paths are confined to the folder; anything else is a 404. */
export function mountStaticTab(server: Server, tabDir: string, limit?: (req: Request) => void): void {
  const root = resolve(tabDir);
  const serve = async (req: Request, res: Response): Promise<void> => {
    try {
      limit?.(req);
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
    try {
      const info = await stat(file);
      const target = info.isDirectory() ? join(file, 'index.html') : file;
      const size = info.isDirectory() ? (await stat(target)).size : info.size;
      res.writeHead(200, {
        'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream',
        'Content-Length': size,
        // index.html must never be cached, so a deployment takes effect at the next tab load; bundles are hashed.
        'Cache-Control': extname(target) === '.html' ? 'no-cache' : 'public, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      });
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
