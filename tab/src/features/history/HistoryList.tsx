import { Button, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { messageOf } from '../../api/errors';
import { useEnv } from '../../app/env';
import { useNarrow } from '../../app/useNarrow';
import { useDialing } from '../../callto/useDialing';
import { useT } from '../../i18n';
import { watchLaunch } from '../call/launch-watch';
import { CALL_ROW_NARROW_PX, CALL_ROW_PX, DAY_ROW_PX, type CallListClasses } from './call-list-styles';
import { CALL_LINK_ATTRIBUTE, CallRow, rowClasses, type CallRowContext } from './CallRow';
import { callWhen, dayKey, dayLabel, type HistoryRow } from './format';

/** Ask for the next page when the last rendered row is this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 20;
/** Rows rendered beyond the visible ones on each side: enough for keyboard scrolling, few enough to lay out fast. */
const OVERSCAN_ROWS = 4;

/**
 * The virtualized call list: only the rows in view (and a few either side) are in the DOM, however many calls are
 * loaded. A component of its own and memoized, because the virtualizer re-renders it on every scroll event: the
 * page around it (dial box, filters, search) must not render with it. Its classes come from the page for the same
 * reason (call-list-styles.ts).
 */
export const HistoryList = memo(function HistoryList(props: {
  rows: HistoryRow[];
  classes: CallListClasses;
  hasMore: boolean;
  loadingMore: boolean;
  /** A failed next page (shown with a retry at the end of the list). */
  pageError: unknown;
  loadMore(): Promise<void>;
  onNotHandled(href: string): void;
  now?: () => Date;
}) {
  const { rows, hasMore, loadingMore, pageError, loadMore, classes: s } = props;
  const t = useT();
  const env = useEnv();
  const dialing = useDialing();
  const narrow = useNarrow();
  const scrollerRef = useRef<HTMLDivElement>(null);
  // A fixed number of slots, keyed by index modulo that number: the row scrolling out hands its elements to the row
  // scrolling in, which changes their text and attributes instead of removing and creating elements (and their
  // focus-management bookkeeping) on every frame of a scroll. The number only grows (a taller window).
  const slots = useRef(0);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'day' ? DAY_ROW_PX : narrow ? CALL_ROW_NARROW_PX : CALL_ROW_PX),
    overscan: OVERSCAN_ROWS,
    rangeExtractor: (range) => {
      slots.current = Math.max(slots.current, range.endIndex - range.startIndex + 1 + 2 * range.overscan);
      const n = Math.min(slots.current, range.count);
      const start = Math.max(0, Math.min(range.startIndex - range.overscan, range.count - n));
      return Array.from({ length: n }, (_v, k) => start + k);
    },
  });
  // Row heights are fixed per layout; when the layout flips (rotation, resize) the offsets must be recomputed.
  useEffect(() => virtualizer.measure(), [narrow, virtualizer]);
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.length ? virtualRows[virtualRows.length - 1].index : -1;
  useEffect(() => {
    // After a failed page the user retries explicitly: retrying from this effect would loop as fast as it fails.
    if (hasMore && !loadingMore && !pageError && lastIndex >= rows.length - LOAD_AHEAD_ROWS) void loadMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, pageError, loadMore]);

  // Everything a row needs besides its record, made once per layout and language: a new object would re-render
  // every row on screen.
  const ctx = useMemo<CallRowContext>(
    () => ({
      classes: rowClasses(s, narrow),
      words: {
        missed: t('missed'),
        incoming: t('incoming'),
        outgoing: t('outgoing'),
        unknown: t('unknownCaller'),
        durationNone: t('durationNone'),
      },
      callLabel: (name) => t('callButton', { name }),
      callUri: dialing.callUri,
      display: dialing.display,
      when: (call) => callWhen(call, env.timeZone, env.locale),
    }),
    [s, narrow, t, dialing, env.timeZone, env.locale],
  );
  // "Today" and "Yesterday" by the clock now, worked out once per render rather than once per day header.
  const now = (props.now ?? (() => new Date()))();
  const today = dayKey(now, env.timeZone);
  const dayLabels = useMemo(() => {
    const labels = new Map<string, string>();
    const yesterday = dayKey(new Date(new Date(`${today}T12:00:00Z`).getTime() - 86_400_000), 'UTC');
    return (key: string) => {
      let label = labels.get(key);
      if (label === undefined) {
        label =
          key === today
            ? t('today')
            : key === yesterday
              ? t('yesterday')
              : dayLabel(key, now, env.timeZone, env.locale, {
                  today: t('today'),
                  yesterday: t('yesterday'),
                });
        labels.set(key, label);
      }
      return label;
    };
    // `now` only matters through `today`: the labels change when the day does.
  }, [today, env.timeZone, env.locale, t]);

  // One click watcher for every row's call link (rows stay free of handlers): did anything take the call?
  const stopWatch = useRef<() => void>();
  useEffect(() => () => stopWatch.current?.(), []);
  const onNotHandled = props.onNotHandled;
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const link = (e.target as Element).closest?.(`a[${CALL_LINK_ATTRIBUTE}]`);
    if (!link) return;
    const href = link.getAttribute('href') ?? '';
    stopWatch.current?.();
    stopWatch.current = watchLaunch(window, () => onNotHandled(href));
  };

  return (
    <div
      ref={scrollerRef}
      className={s.scroller}
      role="list"
      aria-label={t('historyListLabel')}
      tabIndex={0}
      data-testid="history-scroller"
      onClick={onClick}
    >
      <div className={s.sizer} style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((v) => {
          const row = rows[v.index];
          return (
            <div
              key={v.index % slots.current}
              role="listitem"
              className={s.slot}
              style={{ height: v.size, transform: `translateY(${v.start}px)` }}
            >
              {row.kind === 'day' ? (
                <h3 className={s.day}>{dayLabels(row.key)}</h3>
              ) : (
                <CallRow call={row.call} ctx={ctx} />
              )}
            </div>
          );
        })}
      </div>
      {loadingMore ? <Spinner size="tiny" label={t('loadingMore')} /> : null}
      {pageError ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            {t('historyError', { message: messageOf(pageError) })}{' '}
            <Button size="small" onClick={() => void loadMore()}>
              {t('retry')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
});
