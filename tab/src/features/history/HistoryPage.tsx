import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  ToggleButton,
  tokens,
} from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CallFilter } from '../../../../shared/api/contract';
import { messageOf } from '../../api/errors';
import { useEnv } from '../../app/env';
import { useNewCallsRefresh } from '../../app/useNewCallsRefresh';
import { useNarrow } from '../../app/useNarrow';
import { useT, type MessageKey } from '../../i18n';
import { NotHandledNotice, useNotHandled } from '../call/CallLink';
import { CALL_ROW_NARROW_PX, CALL_ROW_PX, CallRow } from './CallRow';
import { DialBox } from './DialBox';
import { dayLabel, groupByDay } from './format';
import { useCallHistory } from './useCallHistory';

const FILTERS: { value: CallFilter; label: MessageKey }[] = [
  { value: 'all', label: 'filterAll' },
  { value: 'missed', label: 'filterMissed' },
  { value: 'incoming', label: 'filterIncoming' },
  { value: 'outgoing', label: 'filterOutgoing' },
];
const DAY_ROW_PX = 36;
const SEARCH_DEBOUNCE_MS = 250;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '12px', height: '100%', minHeight: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: '8px', alignItems: 'center' },
  search: { minWidth: '220px', flexGrow: 1, maxWidth: '360px' },
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
  center: { padding: '24px', textAlign: 'center' },
});

export function HistoryPage(props: { now?: () => Date }) {
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const [filter, setFilter] = useState<CallFilter>('all');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const history = useCallHistory(env.api, filter, q);
  useNewCallsRefresh({
    api: env.api,
    filter,
    q,
    newestCallId: history.items[0]?.callId,
    ready: history.status === 'ready',
    reload: history.reload,
  });
  const rows = useMemo(() => groupByDay(history.items, env.timeZone), [history.items, env.timeZone]);
  const notice = useNotHandled();
  const now = (props.now ?? (() => new Date()))();

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
    if (history.hasMore && !history.loadingMore && !history.error && lastIndex >= rows.length - 20)
      void history.loadMore();
  }, [lastIndex, rows.length, history]);

  return (
    <section className={s.page} aria-label={t('tabHistory')}>
      <DialBox onNotHandled={notice.notHandled} />
      <NotHandledNotice href={notice.href} onDismiss={notice.dismiss} />
      <div className={s.toolbar}>
        <div role="group" aria-label={t('filterLabel')} className={s.toolbar}>
          {FILTERS.map((f) => (
            <ToggleButton
              key={f.value}
              checked={filter === f.value}
              aria-pressed={filter === f.value}
              appearance={filter === f.value ? 'primary' : 'secondary'}
              onClick={() => setFilter(f.value)}
              shape="circular"
              size="small"
            >
              {t(f.label)}
            </ToggleButton>
          ))}
        </div>
        <SearchBox
          className={s.search}
          aria-label={t('searchLabel')}
          placeholder={t('searchPlaceholder')}
          value={typed}
          onChange={(_e, d) => setTyped(d.value)}
        />
      </div>
      {history.status === 'loading' || (rows.length === 0 && history.hasMore && !history.error) ? (
        <Spinner label={t('loading')} className={s.center} />
      ) : history.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            {t('historyError', { message: messageOf(history.error) })}{' '}
            <Button size="small" onClick={() => void history.reload()}>
              {t('retry')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : rows.length === 0 ? (
        <Text className={s.center} role="status">
          {history.q ? t('historyEmptySearch', { q: history.q }) : t('historyEmpty')}
        </Text>
      ) : (
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
                    <CallRow call={row.call} narrow={narrow} onNotHandled={notice.notHandled} />
                  )}
                </div>
              );
            })}
          </div>
          {history.loadingMore ? <Spinner size="tiny" label={t('loadingMore')} /> : null}
          {history.error && history.status === 'ready' ? (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>
                {t('historyError', { message: messageOf(history.error) })}{' '}
                <Button size="small" onClick={() => void history.loadMore()}>
                  {t('retry')}
                </Button>
              </MessageBarBody>
            </MessageBar>
          ) : null}
        </div>
      )}
    </section>
  );
}
