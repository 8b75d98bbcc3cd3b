import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/**
 * Content negotiation and compressed copies for the tab's files. Brotli is about a fifth smaller than gzip on the
 * tab's bundles, so it wins whenever the browser accepts both; a browser that accepts neither gets the plain file.
 */

export type ContentEncoding = 'br' | 'gzip';

/** Text formats worth compressing; images and fonts are compressed already. */
export const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.map', '.txt', '.svg']);

/** The file extension tab/build.ts gives each encoding's precompressed copy. */
export const SUFFIX: Record<ContentEncoding, string> = { br: '.br', gzip: '.gz' };

/**
 * The best encoding an Accept-Encoding header allows (RFC 9110 12.5.3): q=0 refuses one, `*` stands for any not
 * named. Ties go to brotli.
 */
export function pickEncoding(header: string | string[] | undefined): ContentEncoding | undefined {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const weights = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string) => weights.get(name) ?? weights.get('*') ?? 0;
  const candidates = (['br', 'gzip'] as const).filter((e) => weightOf(e) > 0);
  if (candidates.length === 0) return undefined;
  return candidates.reduce((best, e) => (weightOf(e) > weightOf(best) ? e : best));
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export function compress(data: Buffer, encoding: ContentEncoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      })
    : gzipAsync(data, { level: 9 });
}

/** Copies made at request time, for a build without precompressed files; keyed by path, size and mtime. */
const made = new Map<string, Promise<Buffer>>();
const MAX_MADE = 500;

/**
 * The file in `encoding`: the precompressed copy tab/build.ts wrote next to it when that is at least as new as the
 * file, else one made now and kept (a deployment replaces the files, so the key includes the mtime and size).
 */
export async function compressedCopy(
  file: string,
  info: Stats,
  encoding: ContentEncoding,
  read: () => Promise<Buffer>,
): Promise<Buffer> {
  const copy = file + SUFFIX[encoding];
  const copyInfo = await stat(copy).catch(() => undefined);
  if (copyInfo && copyInfo.mtimeMs >= info.mtimeMs) return readFile(copy);
  const key = `${encoding}:${file}:${info.size}:${info.mtimeMs}`;
  let pending = made.get(key);
  if (!pending) {
    if (made.size >= MAX_MADE) made.clear();
    pending = read().then((data) => compress(data, encoding));
    // A failed read must not stay cached as a failure.
    pending.catch(() => made.delete(key));
    made.set(key, pending);
  }
  return pending;
}
