import type { EmulatorRequest } from '../common/http';
import { clFail } from './errors';

/**
 * OData paging as CloudLink's list endpoints take it ($top, $skip) and the HAL-style list body its services
 * answer with (`_embedded.items`, as Mitel's samples read them). Assumption: $top is capped at 100 and defaults to
 * 100; a larger $top answers 400 instead of being cut silently, so a client can never mistake a cut page for the
 * end of the list.
 */
export const MAX_TOP = 100;

export interface Page {
  top: number;
  skip: number;
}

export function readPage(req: EmulatorRequest): Page {
  const top = readInt(req, '$top', MAX_TOP);
  const skip = readInt(req, '$skip', 0);
  if (top < 1 || top > MAX_TOP)
    throw clFail(400, 'InvalidArgument', `$top must be between 1 and ${MAX_TOP}.`);
  if (skip < 0) throw clFail(400, 'InvalidArgument', '$skip must not be negative.');
  return { top, skip };
}

/** One page of `all`, with `count` (all matches) and a `next` link while more remain. */
export function halPage<T>(req: EmulatorRequest, all: T[], page: Page) {
  const items = all.slice(page.skip, page.skip + page.top);
  const link = (skip: number) => {
    const q = new URLSearchParams(req.query);
    q.set('$skip', String(skip));
    q.set('$top', String(page.top));
    return { href: `${req.path}?${q.toString()}` };
  };
  const hasMore = page.skip + items.length < all.length;
  return {
    count: all.length,
    _embedded: { items },
    _links: {
      self: { href: req.path + (req.query.size > 0 ? `?${req.query.toString()}` : '') },
      ...(hasMore && { next: link(page.skip + page.top) }),
    },
  };
}

function readInt(req: EmulatorRequest, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw clFail(400, 'InvalidArgument', `${name} must be a whole number.`);
  return Number(raw);
}
