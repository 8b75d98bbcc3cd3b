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
import { messageOf } from '../../api/errors';
import { useEnv } from '../../app/env';
import { usePolling } from '../../app/usePolling';
import { useT, type Translate } from '../../i18n';
import { dateTime } from '../history/format';

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
  const env = useEnv();
  const s = useStyles();
  const status = usePolling(() => env.api.syncStatus(), SYNC_REFRESH_MS);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const when = (iso: string | null) => dateTime(iso, env.timeZone, env.locale) ?? t('syncNever');

  if (!status.data && !status.error) return <Spinner label={t('loading')} />;
  const sync = status.data;
  return (
    <section className={s.page} aria-label={t('tabSync')} aria-live="polite">
      {status.error || syncError ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            {t('errorGeneric', { message: messageOf(syncError ?? status.error) })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {sync ? (
        <>
          {sync.problem ? (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>{t('syncProblem')}</MessageBarTitle>
                <div>{sync.problem.message}</div>
                <div>
                  <strong>{t('syncFix')}:</strong> <span>{sync.problem.fix}</span>
                </div>
              </MessageBarBody>
            </MessageBar>
          ) : (
            <MessageBar intent="success">
              <MessageBarBody>{t('syncOk')}</MessageBarBody>
            </MessageBar>
          )}
          <div className={s.cards}>
            <Card>
              <CardHeader header={<Text weight="semibold">{t('syncTeams')}</Text>} />
              {sync.teams ? (
                <>
                  <Text className={s.value}>{sync.teams.availability}</Text>
                  <Text className={s.sub}>
                    {sync.teams.activity} · {when(sync.teams.at)}
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
                  <Text className={s.value}>{callState(t, sync.pbx.callState)}</Text>
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
                  <Text className={s.value}>{sync.lastAssertion.what}</Text>
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
            <Text>
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
        </>
      ) : null}
      <div className={s.row}>
        <Button
          appearance="primary"
          disabled={syncing}
          onClick={async () => {
            setSyncing(true);
            setSyncError(null);
            try {
              status.setData(await env.api.syncNow());
            } catch (e) {
              setSyncError(e);
            } finally {
              setSyncing(false);
            }
          }}
        >
          {t('syncNow')}
        </Button>
        {status.at ? (
          <Text className={s.sub}>
            {t('syncRefreshed', {
              time: status.at.toLocaleTimeString(env.locale, { timeZone: env.timeZone }),
            })}
          </Text>
        ) : null}
      </div>
    </section>
  );
}

function callState(t: Translate, state: NonNullable<SyncStatus['pbx']>['callState']): string {
  return state === 'ringing'
    ? t('callStateRinging')
    : state === 'connected'
      ? t('callStateConnected')
      : t('callStateIdle');
}
