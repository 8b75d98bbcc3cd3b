import { mergeClasses, Spinner } from '@fluentui/react-components';
import {
  CallInboundRegular,
  CallMissedRegular,
  CallOutboundRegular,
  CallRegular,
} from '@fluentui/react-icons';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  type MouseEvent,
} from 'react';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { useNarrow } from '../../app/useNarrow';
import { useDialing } from '../../callto/useDialing';
import { useT } from '../../i18n';
import { watchLaunch } from '../call/launch-watch';
import { CALL_ROW_NARROW_PX, CALL_ROW_PX, DAY_ROW_PX, type CallListClasses } from './call-list-styles';
import {
  CALL_LINK_ATTRIBUTE,
  createRowSlot,
  fillRowSlot,
  rowClasses,
  type RowContext,
  type RowIcons,
  type RowSlot,
} from './call-row-dom';
import { callWhen, dayKey, dayLabel, type HistoryRow } from './format';
import { RowWindow } from './row-window';

/** Ask for the next page when the last row in the DOM is this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 20;
/** Rows kept beyond the visible ones on each side: enough for keyboard scrolling, few enough to lay out fast. */
const OVERSCAN_ROWS = 4;

/**
 * The virtualized call list: only the rows in view (and a few either side) are in the DOM, however many calls are
 * loaded. React renders the scroller and what surrounds the rows (loading, a failed page); the rows themselves are
 * written by a RowWindow on each scroll event (row-window.ts, call-row-dom.ts), so a scroll frame runs no React at
 * all. React hands it the rows and the texts and rules to write them with, when those change.
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
  const sizerRef = useRef<HTMLDivElement>(null);
  const iconsRef = useRef<HTMLDivElement>(null);
  const rowWindow = useRef<RowWindow<RowSlot> | null>(null);
  // What the window paints from: the latest rows and context, read when a row comes into view.
  const rowsNow = useRef(rows);
  const ctxNow = useRef<RowContext | null>(null);

  // The next page is asked for from the scroll handler (no render happens there), so it reads the latest state here.
  const paging = useRef({ count: rows.length, hasMore, loadingMore, pageError, loadMore });
  useLayoutEffect(() => {
    paging.current = { count: rows.length, hasMore, loadingMore, pageError, loadMore };
  });
  const loadIfNearEnd = useCallback((lastIndex: number) => {
    const p = paging.current;
    // After a failed page the user retries explicitly: retrying from here would loop as fast as it fails.
    if (p.hasMore && !p.loadingMore && !p.pageError && lastIndex >= p.count - LOAD_AHEAD_ROWS) void p.loadMore();
  }, []);

  useLayoutEffect(() => {
    const rw = new RowWindow<RowSlot>(scrollerRef.current!, sizerRef.current!, {
      overscan: OVERSCAN_ROWS,
      createSlot: createRowSlot,
      paint: (slot, index) => {
        const row = rowsNow.current[index];
        if (row && ctxNow.current) fillRowSlot(slot, row, ctxNow.current);
      },
      onWindow: loadIfNearEnd,
    });
    rowWindow.current = rw;
    return () => {
      rw.destroy();
      rowWindow.current = null;
    };
  }, [loadIfNearEnd]);

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

  // Everything a row needs besides its record, made once per layout and language.
  const ctx = useMemo<Omit<RowContext, 'icons'>>(
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
      dayLabel: dayLabels,
    }),
    [s, narrow, t, dialing, env.timeZone, env.locale, dayLabels],
  );
  useLayoutEffect(() => {
    ctxNow.current = { ...ctx, icons: iconsOf(iconsRef.current!) };
    rowWindow.current?.repaint();
  }, [ctx]);

  useLayoutEffect(() => {
    rowWindow.current?.setTotal(hasMore ? -1 : rows.length);
  }, [hasMore, rows.length]);
  useLayoutEffect(() => {
    rowsNow.current = rows;
    const callPx = narrow ? CALL_ROW_NARROW_PX : CALL_ROW_PX;
    rowWindow.current?.setRows(Float64Array.from(rows, (row) => (row.kind === 'day' ? DAY_ROW_PX : callPx)));
  }, [rows, narrow]);

  // A page that arrived, or one that finished loading, while the end of the list is in view: the next one.
  useEffect(
    () => loadIfNearEnd(rowWindow.current?.lastIndex ?? -1),
    [rows.length, hasMore, loadingMore, pageError, loadIfNearEnd],
  );

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
      {/* The rows' slots live here, written by the RowWindow; React renders nothing inside. */}
      <div ref={sizerRef} className={s.sizer} />
      {loadingMore ? <Spinner size="tiny" label={t('loadingMore')} /> : null}
      {pageError ? <ProblemBar lead={t('historyError')} error={pageError} retry={loadMore} /> : null}
      {/* Fluent's icons, rendered once and cloned into the rows (in this order: iconsOf reads them by position). */}
      <div hidden ref={iconsRef}>
        <CallInboundRegular className={s.icon} />
        <CallOutboundRegular className={s.icon} />
        <CallMissedRegular className={missedIcon(s)} />
        <CallRegular className={s.linkIcon} />
      </div>
    </div>
  );
});

const missedIcon = (s: CallListClasses) => mergeClasses(s.icon, s.missed);

function iconsOf(templates: HTMLElement): RowIcons {
  const [inbound, outbound, missed, call] = Array.from(templates.children);
  return { inbound: inbound!, outbound: outbound!, missed: missed!, call: call! };
}
