import type { Next, Request, Response } from 'restify';
import type { Logger } from '../../shared/platform/logger';
import { ApiHttpError, badRequest } from './errors';
import { requestIdOf, sendError } from './route';

/**
 * Reads request bodies for every route, in place of restify's bodyParser, which buffered or wrote to the temp
 * directory whatever arrived (multipart uploads went to disk before any token was checked, past the size limit,
 * and stayed there). Every route of ours takes JSON or nothing, so:
 * - a request without a body (no content-length and no transfer-encoding, or content-length 0, or a chunked body
 *   that ends without a byte) passes whatever its Content-Type says; browsers and proxies put odd types on
 *   body-less DELETEs;
 * - a body that is not JSON is refused with 415 before a byte of it is kept;
 * - a body larger than the limit is refused with 413: at once when its content-length says so, and as soon as the
 *   limit is passed when it is chunked; bytes past the limit are never buffered;
 * - compressed bodies are refused (415): their size after inflating is not what the wire says;
 * - unparseable JSON is a 400 with our words, not the parser's.
 * A refusal closes the connection, so a client cannot go on streaming into a request that has been answered.
 */
export function jsonBodyReader(options: { maxBytes: number; logger: Logger }) {
  const { maxBytes, logger } = options;
  return (req: Request, res: Response, next: Next): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const lengthHeader = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const declared = lengthHeader === undefined ? 0 : Number(lengthHeader);
    if (!chunked && declared === 0) return next();

    const type = mediaTypeOf(req.headers['content-type']);
    const refuse = (error: ApiHttpError): void => {
      if (req.switchboardBodyRefused) return;
      req.switchboardBodyRefused = true;
      req.removeAllListeners('data');
      req.pause();
      res.header('x-request-id', requestIdOf(req));
      res.header('Connection', 'close');
      sendError(res, req, logger, error);
      next(false);
    };

    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return refuse(
        new ApiHttpError(
          415,
          'unsupported_media_type',
          `Compressed request bodies (Content-Encoding: ${encoding.slice(0, 40)}) are not accepted; send plain JSON.`,
        ),
      );
    }
    const json = isJson(type);
    // A body we will not take is refused at once when its length says it has one; a chunked one only at its first
    // byte, since a chunked request may well end empty.
    if (!json && !chunked) return refuse(unsupported(type));
    if (declared > maxBytes) return refuse(tooLarge(maxBytes));

    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = (error?: ApiHttpError): void => {
      if (finished) return;
      finished = true;
      if (error) return refuse(error);
      next();
    };
    req.on('data', (chunk: Buffer) => {
      if (finished || chunk.length === 0) return;
      if (!json) return finish(unsupported(type));
      received += chunk.length;
      if (received > maxBytes) return finish(tooLarge(maxBytes));
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (finished) return;
      if (received === 0) return finish();
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        return finish(badRequest('The request body is not valid JSON.'));
      }
      (req as Request & { rawBody?: string }).rawBody = text;
      finish();
    });
    req.once('aborted', () => {
      finished = true;
    });
    req.once('error', () => {
      finished = true;
    });
  };
}

declare module 'restify' {
  interface Request {
    switchboardBodyRefused?: boolean;
  }
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** application/json and the structured-syntax `+json` types (application/vnd.x+json, application/merge-patch+json). */
function isJson(type: string): boolean {
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

function tooLarge(maxBytes: number): ApiHttpError {
  return new ApiHttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
}

function unsupported(type: string): ApiHttpError {
  return new ApiHttpError(
    415,
    'unsupported_media_type',
    `This API takes JSON bodies only (Content-Type: application/json), not ${type ? type.slice(0, 80) : 'a body without a Content-Type'}.`,
  );
}
