import type { EmulatorResponse } from '../common/http';
import type { ApiRequest } from './api';
import { badRequest } from './errors';

/**
 * JSON batching: POST /v1.0/$batch with at most 20 requests. Each sub-request is authorized, throttled and logged on
 * its own (the `execute` callback is the same pipeline a direct call goes through); the batch itself answers 200
 * with one response per request. Without dependsOn the requests run concurrently, in no promised order; with it, in
 * dependency order, and a request whose dependency failed gets 424 Failed Dependency.
 */

export const MAX_BATCH_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

function parseItems(body: unknown): BatchItem[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    throw badRequest("The batch request must carry a non-empty 'requests' array.", 'BadRequest');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw badRequest(
      `The number of requests in a batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
      'BadRequest',
    );
  }
  const ids = new Set<string>();
  const items = requests.map((r: Record<string, unknown>) => {
    const id = r?.id;
    if (typeof id !== 'string' || id.length === 0)
      throw badRequest("Each batch request needs a string 'id'.", 'BadRequest');
    if (ids.has(id)) throw badRequest(`Batch request ids must be unique; '${id}' is repeated.`, 'BadRequest');
    ids.add(id);
    const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
    if (!METHODS.has(method))
      throw badRequest(`Invalid method '${String(r.method)}' in batch request '${id}'.`, 'BadRequest');
    if (typeof r.url !== 'string' || /^https?:/i.test(r.url) || r.url.includes('$batch')) {
      throw badRequest(`Batch request '${id}' needs a relative url (no nested $batch).`, 'BadRequest');
    }
    const headers = (r.headers && typeof r.headers === 'object' ? r.headers : {}) as Record<string, string>;
    if (r.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      throw badRequest(`Batch request '${id}' has a body but no Content-Type header.`, 'BadRequest');
    }
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    return { id, method, url: r.url, headers, body: r.body, dependsOn };
  });
  for (const item of items) {
    const missing = item.dependsOn.find((d) => !ids.has(d));
    if (missing)
      throw badRequest(
        `Batch request '${item.id}' depends on '${missing}', which is not in the batch.`,
        'BadRequest',
      );
  }
  return items;
}

function toApiRequest(item: BatchItem): ApiRequest {
  const url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'http://batch.invalid');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = String(v);
  return { method: item.method, path: url.pathname, query: url.searchParams, headers, body: item.body };
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export async function runBatch(
  body: unknown,
  execute: (req: ApiRequest) => Promise<EmulatorResponse>,
): Promise<BatchResponse[]> {
  const items = parseItems(body);
  const results = new Map<string, BatchResponse>();
  const run = async (item: BatchItem): Promise<BatchResponse> => {
    const res = await execute(toApiRequest(item));
    return { id: item.id, status: res.status, headers: res.headers ?? {}, body: res.body };
  };
  if (items.every((i) => i.dependsOn.length === 0)) {
    for (const r of await Promise.all(items.map(run))) results.set(r.id, r);
  } else {
    const pending = [...items];
    while (pending.length > 0) {
      const idx = pending.findIndex((i) => i.dependsOn.every((d) => results.has(d)));
      if (idx < 0) throw badRequest('The dependsOn references of the batch form a cycle.', 'BadRequest');
      const [item] = pending.splice(idx, 1) as [BatchItem];
      const failedDep = item.dependsOn.some((d) => {
        const s = (results.get(d) as BatchResponse).status;
        return s < 200 || s >= 300;
      });
      results.set(
        item.id,
        failedDep ? { id: item.id, status: 424, headers: {}, body: undefined } : await run(item),
      );
    }
  }
  return items.map((i) => results.get(i.id) as BatchResponse);
}
