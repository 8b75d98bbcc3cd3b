import { Button, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import { messageOf } from '../../api/errors';
import { useEnv } from '../../app/env';
import { useNarrow } from '../../app/useNarrow';
import { useT } from '../../i18n';
import { CALL_ROW_NARROW_PX, CALL_ROW_PX, CallRow } from './CallRow';
import { dayLabel, type HistoryRow } from './format';

const DAY_ROW_PX = 36;
/** Ask for the next page when the last rendered row is this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 20;

const useStyles = makeStyles({
  scroller: {
    flexGrow: 1,
    minHeight: '240px',
    overflowY: 'auto',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  day: {
    display: 'flex',
    alignItems: 'flex-end',
    height: `${DAY_ROW_PX}px`,
    padding: '0 12px 4px',
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
    backgroundColor: tokens.colorNeutralBackground2,
    margin: 0,
    fontSize: tokens.fontSizeBase300,
  },
});

/**
 * The virtualized call list: only the rows in view (and a few either side) are in the DOM, however many calls are
 * loaded. A component of its own and memoized, because the virtualizer re-renders it on every scroll event: the
 * page around it (dial box, filters, search) must not render with it.
 */
export const HistoryList = memo(function HistoryList(props: {
  rows: HistoryRow[];
  hasMore: boolean;
  loadingMore: boolean;
  /** A failed next page (shown with a retry at the end of the list). */
  pageError: unknown;
  loadMore(): Promise<void>;
  onNotHandled(href: string): void;
  now?: () => Date;
}) {
  const { rows, hasMore, loadingMore, pageError, loadMore } = props;
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const narrow = useNarrow();
  const scrollerRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'day' ? DAY_ROW_PX : narrow ? CALL_ROW_NARROW_PX : CALL_ROW_PX),
    overscan: 12,
  });
  // Row heights are fixed per layout; when the layout flips (rotation, resize) the offsets must be recomputed.
  useEffect(() => virtualizer.measure(), [narrow, virtualizer]);
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.length ? virtualRows[virtualRows.length - 1].index : -1;
  useEffect(() => {
    // After a failed page the user retries explicitly: retrying from this effect would loop as fast as it fails.
    if (hasMore && !loadingMore && !pageError && lastIndex >= rows.length - LOAD_AHEAD_ROWS) void loadMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, pageError, loadMore]);
  const now = (props.now ?? (() => new Date()))();

  return (
    <div
      ref={scrollerRef}
      className={s.scroller}
      role="list"
      aria-label={t('historyListLabel')}
      tabIndex={0}
      data-testid="history-scroller"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualRows.map((v) => {
          const row = rows[v.index];
          return (
            <div
              key={v.key}
              role="listitem"
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                transform: `translateY(${v.start}px)`,
              }}
            >
              {row.kind === 'day' ? (
                <h3 className={s.day}>
                  {dayLabel(row.key, now, env.timeZone, env.locale, {
                    today: t('today'),
                    yesterday: t('yesterday'),
                  })}
                </h3>
              ) : (
                <CallRow call={row.call} narrow={narrow} onNotHandled={props.onNotHandled} />
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
