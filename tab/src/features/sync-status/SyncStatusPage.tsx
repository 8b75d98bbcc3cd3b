import {
  Badge,
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { SyncStatus } from '../../../../shared/api/contract';
import { awaitingFirstSync } from '../../../../shared/api/sync-status';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { usePolling } from '../../app/usePolling';
import { useT, type Language, type Translate } from '../../i18n';
import { useServerText } from '../../i18n/server-texts';
import {
  activityLabel,
  availabilityLabel,
  callStateLabel,
  parsePresenceKey,
  presenceLabel,
} from '../../i18n/presence';
import { clockTime, dateTimeSeconds, relativeTime } from '../../i18n/time';

/** Presence can change any second; every 10 s keeps the page honest without loading the server. */
export const SYNC_REFRESH_MS = 10_000;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '760px' },
  cards: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: '12px' },
  value: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  sub: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' },
});

export function SyncStatusPage() {
  const t = useT();
  const say = useServerText();
  const env = useEnv();
  const s = useStyles();
  const status = usePolling(() => env.api.syncStatus(), SYNC_REFRESH_MS);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const [syncedAt, setSyncedAt] = useState<Date | null>(null);
  const when = (iso: string | null) => {
    if (!iso) return t('syncNever');
    const at = new Date(iso);
    return t('syncLastSyncAgo', {
      ago: relativeTime(at, new Date(), env.locale),
      time: clockTime(at, env.locale, env.timeZone),
    });
  };
  const syncNow = async () => {
    setSyncing(true);
    setSyncError(null);
    setSyncedAt(null);
    try {
      status.setData(await env.api.syncNow());
      setSyncedAt(new Date());
    } catch (e) {
      setSyncError(e);
    } finally {
      setSyncing(false);
    }
  };

  if (!status.data && !status.error) return <Spinner label={t('loading')} />;
  // One state at a time: when the server cannot be read, nothing else on the page claims that all is well.
  if (status.error) {
    return (
      <section className={s.page} aria-label={t('tabSync')}>
        <ProblemBar
          error={status.error}
          lead={t('syncOffline')}
          retry={() => {
            setSyncError(null);
            return status.reload();
          }}
        />
        {status.loading ? <Spinner size="tiny" label={t('loading')} /> : null}
      </section>
    );
  }
  const sync = status.data as SyncStatus;
  return (
    <section className={s.page} aria-label={t('tabSync')}>
      {syncError ? (
        <ProblemBar error={syncError} lead={t('syncFailed')} retry={syncNow} />
      ) : sync.problem ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('syncProblem')}</MessageBarTitle>
            <div>{say(sync.problem.messageText, sync.problem.message)}</div>
            <div>
              <strong>{t('syncFix')}:</strong> <span>{say(sync.problem.fixText, sync.problem.fix)}</span>
            </div>
          </MessageBarBody>
        </MessageBar>
      ) : (
        <NoProblemBar sync={sync} />
      )}
      <div className={s.cards}>
        <Card>
          <CardHeader header={<Text weight="semibold">{t('syncTeams')}</Text>} />
          {sync.teams ? (
            <>
              <Text className={s.value}>{availabilityLabel(env.language, sync.teams.availability)}</Text>
              <Text className={s.sub}>
                {activityLabel(env.language, sync.teams.activity)} · {when(sync.teams.at)}
              </Text>
            </>
          ) : (
            <Text className={s.sub}>{t('syncNoData')}</Text>
          )}
        </Card>
        <Card>
          <CardHeader header={<Text weight="semibold">{t('syncPbx')}</Text>} />
          {sync.pbx ? (
            <>
              <Text className={s.value}>{callStateLabel(t, sync.pbx.callState)}</Text>
              <div className={s.row}>
                {sync.pbx.dnd ? <Badge color="danger">{t('syncDnd')}</Badge> : null}
                {sync.pbx.statusText ? <Text>{sync.pbx.statusText}</Text> : null}
              </div>
              <Text className={s.sub}>{when(sync.pbx.at)}</Text>
            </>
          ) : (
            <Text className={s.sub}>{t('syncNoData')}</Text>
          )}
        </Card>
        <Card>
          <CardHeader header={<Text weight="semibold">{t('syncLastAssertion')}</Text>} />
          {sync.lastAssertion ? (
            <>
              <Text className={s.value}>{assertionLabel(t, env.language, sync.lastAssertion.what)}</Text>
              <Text className={s.sub}>
                {sync.lastAssertion.side === 'teams' ? t('sideTeams') : t('sidePbx')} ·{' '}
                {when(sync.lastAssertion.at)}
              </Text>
            </>
          ) : (
            <Text className={s.sub}>{t('syncNoData')}</Text>
          )}
        </Card>
      </div>
      <div className={s.row}>
        <Text
          title={
            sync.lastSyncAt ? dateTimeSeconds(new Date(sync.lastSyncAt), env.locale, env.timeZone) : undefined
          }
        >
          {t('syncLastSync')}: {when(sync.lastSyncAt)}
        </Text>
        <Text>·</Text>
        <Text>
          {t('syncToTeams')}:{' '}
          <Badge appearance="outline">{sync.enabled.toTeams ? t('syncOn') : t('syncOff')}</Badge>
        </Text>
        <Text>
          {t('syncFromTeams')}:{' '}
          <Badge appearance="outline">{sync.enabled.fromTeams ? t('syncOn') : t('syncOff')}</Badge>
        </Text>
      </div>
      <div className={s.row}>
        <Button
          appearance="primary"
          disabled={syncing}
          icon={syncing ? <Spinner size="tiny" /> : undefined}
          onClick={() => void syncNow()}
        >
          {syncing ? t('syncing') : t('syncNow')}
        </Button>
        <Text role="status" className={s.sub}>
          {syncedAt
            ? t('syncDoneAt', { time: clockTime(syncedAt, env.locale, env.timeZone) })
            : status.at
              ? t('syncRefreshed', { time: clockTime(status.at, env.locale, env.timeZone) })
              : ''}
        </Text>
      </div>
    </section>
  );
}

/** With no problem: "all good" only once both sides have been read; before that, that the first sync is awaited. */
function NoProblemBar(props: { sync: SyncStatus }) {
  const t = useT();
  return awaitingFirstSync(props.sync) ? (
    <MessageBar intent="info">
      <MessageBarBody>{t('syncWaiting')}</MessageBarBody>
    </MessageBar>
  ) : (
    <MessageBar intent="success">
      <MessageBarBody>{t('syncOk')}</MessageBarBody>
    </MessageBar>
  );
}

/** What Switchboard last set, as the sync state records it ("Busy/InACall", "DND on: …"), in the user's words. */
export function assertionLabel(t: Translate, language: Language, what: string): string {
  if (what === 'cleared our session') return t('assertCleared');
  if (what === 'DND off') return t('assertDndOff');
  const dnd = /^DND on:?\s*(.*)$/.exec(what);
  if (dnd) return dnd[1] ? t('assertDndOn', { text: dnd[1] }) : t('assertDndOnNoText');
  const presence = parsePresenceKey(what);
  return presence ? presenceLabel(language, presence) : what;
}
