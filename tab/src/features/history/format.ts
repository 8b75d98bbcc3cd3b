import type { CallItem } from '../../../../shared/api/contract';

/**
 * Dates and durations for the call list, in the user's locale and time zone. Pure: `now` is passed in, so "Today"
 * and "Yesterday" are testable.
 */

/**
 * Building an Intl.DateTimeFormat costs far more than using one, and the call list formats every row's day and time
 * (10,000 rows, again whenever a page arrives): one formatter per locale, time zone and style, kept.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** yyyy-mm-dd of an instant as seen in the time zone. */
export function dayKey(at: Date, timeZone: string): string {
  const parts = formatter('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function dayLabel(
  key: string,
  now: Date,
  timeZone: string,
  locale: string,
  words: { today: string; yesterday: string },
): string {
  if (key === dayKey(now, timeZone)) return words.today;
  if (key === dayKey(new Date(now.getTime() - 86_400_000), timeZone)) return words.yesterday;
  // Noon UTC of that calendar day is the same calendar day in every time zone within ±12 h.
  const noon = new Date(`${key}T12:00:00Z`);
  return formatter(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(noon);
}

/** The locale's own short time: 9:05 AM in en-US, 09:05 in de-DE ('2-digit' hours wrote "09:05 AM" in en-US). */
export function timeOfDay(at: Date, timeZone: string, locale: string): string {
  return formatter(locale, { timeStyle: 'short', timeZone }).format(at);
}

export function dateTime(iso: string | null, timeZone: string, locale: string): string | null {
  if (!iso) return null;
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** 0:42, 12:05, 1:02:03 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export type HistoryRow = { kind: 'day'; key: string } | { kind: 'call'; call: CallItem };

/** Day headers interleaved with calls, for one flat virtualized list. Calls arrive newest first. */
export function groupByDay(calls: CallItem[], timeZone: string): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let current: string | null = null;
  for (const call of calls) {
    const key = dayKey(new Date(call.startedAt), timeZone);
    if (key !== current) {
      rows.push({ kind: 'day', key });
      current = key;
    }
    rows.push({ kind: 'call', call });
  }
  return rows;
}

/**
 * A call's time of day and duration as its row shows them, formatted once per record (and zone and language):
 * rows unmount when they scroll out and mount again when they come back, and Intl formatting on every mount was
 * a measurable part of a scroll frame.
 */
const whenCache = new WeakMap<CallItem, { key: string; text: { time: string; duration: string } }>();
export function callWhen(
  call: CallItem,
  timeZone: string,
  locale: string,
): { time: string; duration: string } {
  const key = `${timeZone}|${locale}`;
  const hit = whenCache.get(call);
  if (hit && hit.key === key) return hit.text;
  const text = {
    time: timeOfDay(new Date(call.startedAt), timeZone, locale),
    duration: call.durationSeconds > 0 ? formatDuration(call.durationSeconds) : '–',
  };
  whenCache.set(call, { key, text });
  return text;
}
