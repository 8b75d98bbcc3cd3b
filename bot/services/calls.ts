import type { CallFilter, CallItem } from '../../shared/api/contract';
import { isMissed, type CallRecord, type CloudLinkPort } from '../../shared/ports/cloudlink';

/**
 * The call history of the tab, one CloudLink read per page: the category (missed, incoming, outgoing) goes to
 * CloudLink as `$filter` (CloudLink has no "missed" flag, but a missed call is an inbound one that did not complete);
 * the search has no OData form, so it is applied to the records of that one read, and a page may hold fewer matches
 * than were read, even none, while more records remain. Paging is `$top`/`$skip`, the only paging CloudLink
 * documents; a short page is its end. Every read also asks only for calls that started by `asOf`, fixed at the first
 * page, so new calls while the user scrolls do not push records already shown into the next page. (A call that
 * started before and ended after still can, by one record; the tab drops a repeated call id.)
 */
export const RECORDS_PER_READ = 100;
/** Allowance for CloudLink's clock running ahead of ours: a call that started just now is still on the first page. */
export const AS_OF_MARGIN_MS = 120_000;

export interface CallPageQuery {
  principalId: string;
  filter: CallFilter;
  q?: string;
  top: number;
  skip: number;
  asOf: string;
}

export interface CallPage {
  items: CallItem[];
  /** CloudLink `$skip` of the next read; absent after the oldest record. */
  nextSkip?: number;
}

/** The first page's query: the newest records, as of now (plus the margin). */
export function firstPage(
  principalId: string,
  request: { filter: CallFilter; q?: string; top: number },
  now: number,
): CallPageQuery {
  return { principalId, ...request, skip: 0, asOf: new Date(now + AS_OF_MARGIN_MS).toISOString() };
}

export async function readCallPage(cloudlink: CloudLinkPort, query: CallPageQuery): Promise<CallPage> {
  const page = await cloudlink.listCallRecords({
    principalId: query.principalId,
    top: query.top,
    skip: query.skip,
    filter: recordFilter(query.filter, query.asOf),
  });
  const items = page.records.map(toCallItem).filter((item) => matchesSearch(item, query.q));
  return page.hasMore ? { items, nextSkip: query.skip + page.records.length } : { items };
}

/** OData `$filter` for a category; `asOf` is a bare ISO date-time literal, as OData writes them. */
export function recordFilter(filter: CallFilter, asOf: string): string {
  const ended = `createdOn le ${asOf}`;
  switch (filter) {
    case 'missed':
      return `direction eq 'inbound' and completed eq false and ${ended}`;
    case 'incoming':
      return `direction eq 'inbound' and ${ended}`;
    case 'outgoing':
      return `direction eq 'outbound' and ${ended}`;
    default:
      return ended;
  }
}

/** CloudLink reports ringTime and billingTime in milliseconds; the tab shows seconds. */
export function toCallItem(r: CallRecord): CallItem {
  const inbound = r.direction === 'inbound';
  return {
    callId: r.callId,
    direction: r.direction,
    missed: isMissed(r),
    number: inbound ? r.from : r.to,
    name: inbound ? r.fromName : r.toName,
    startedAt: r.createdOn,
    endedAt: r.endTime,
    durationSeconds: Math.round(r.billingTime / 1000),
    ringSeconds: Math.round(r.ringTime / 1000),
  };
}

function matchesSearch(item: CallItem, q: string | undefined): boolean {
  const needle = q?.trim().toLowerCase();
  if (!needle) return true;
  const digits = needle.replace(/[^\d+]/g, '');
  return (
    (item.name ?? '').toLowerCase().includes(needle) ||
    item.number.toLowerCase().includes(needle) ||
    (digits.length >= 3 && item.number.replace(/[^\d+]/g, '').includes(digits))
  );
}
