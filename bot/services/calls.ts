import type { CallFilter, CallItem, CallsResponse } from '../../shared/api/contract';
import { isMissed, type CallRecord, type CloudLinkPort } from '../../shared/ports/cloudlink';

/**
 * The call history page of the tab. CloudLink filters call records by OData, but has no "missed" flag and no
 * substring search over names and numbers, so we read the user's newest records page by page and filter here.
 * The window is bounded: a call history is for calling people back, not an archive.
 */
export const HISTORY_WINDOW = 1000;
const PAGE = 100;

export interface CallQuery {
  principalId: string;
  filter: CallFilter;
  q?: string;
  top: number;
  skip: number;
}

export async function listCalls(cloudlink: CloudLinkPort, query: CallQuery): Promise<CallsResponse> {
  const wanted = query.skip + query.top + 1; // one more tells us whether there is a next page
  const matches: CallItem[] = [];
  for (let skip = 0; skip < HISTORY_WINDOW && matches.length < wanted; skip += PAGE) {
    const page = await cloudlink.listCallRecords({ principalId: query.principalId, top: PAGE, skip });
    for (const record of page.records) {
      const item = toCallItem(record);
      if (matchesFilter(item, query.filter) && matchesSearch(item, query.q)) matches.push(item);
    }
    if (!page.hasMore || page.records.length === 0) break;
  }
  const items = matches.slice(query.skip, query.skip + query.top);
  return matches.length > query.skip + query.top ? { items, nextSkip: query.skip + query.top } : { items };
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

function matchesFilter(item: CallItem, filter: CallFilter): boolean {
  switch (filter) {
    case 'missed':
      return item.missed;
    case 'incoming':
      return item.direction === 'inbound';
    case 'outgoing':
      return item.direction === 'outbound';
    default:
      return true;
  }
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
