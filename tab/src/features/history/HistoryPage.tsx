import { makeStyles, SearchBox, Spinner, Text, ToggleButton } from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import type { CallFilter } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { useNewCallsRefresh } from '../../app/useNewCallsRefresh';
import { useT, type MessageKey } from '../../i18n';
import { NotHandledNotice, useNotHandled } from '../call/CallLink';
import { DialBox } from './DialBox';
import { groupByDay } from './format';
import { useCallListClasses } from './call-list-styles';
import { HistoryList } from './HistoryList';
import { useCallHistory } from './useCallHistory';

const FILTERS: { value: CallFilter; label: MessageKey }[] = [
  { value: 'all', label: 'filterAll' },
  { value: 'missed', label: 'filterMissed' },
  { value: 'incoming', label: 'filterIncoming' },
  { value: 'outgoing', label: 'filterOutgoing' },
];
const SEARCH_DEBOUNCE_MS = 250;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '12px', height: '100%', minHeight: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: '8px', alignItems: 'center' },
  search: { minWidth: '220px', flexGrow: 1, maxWidth: '360px' },
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
  // Resolved here, where a scroll does not render, and handed to the list (call-list-styles.ts says why).
  const listClasses = useCallListClasses();

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
        <ProblemBar lead={t('historyError')} error={history.error} retry={history.reload} />
      ) : rows.length === 0 ? (
        <Text className={s.center} role="status">
          {history.q ? t('historyEmptySearch', { q: history.q }) : t('historyEmpty')}
        </Text>
      ) : (
        <HistoryList
          rows={rows}
          classes={listClasses}
          hasMore={history.hasMore}
          loadingMore={history.loadingMore}
          pageError={history.status === 'ready' ? history.error : null}
          loadMore={history.loadMore}
          onNotHandled={notice.notHandled}
          now={props.now}
        />
      )}
    </section>
  );
}
