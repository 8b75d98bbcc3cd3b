import {
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { HealthView } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { dateTime } from '../history/format';
import { ErrorBar, Heading, useAdminStyles, useAdminT, useLoad } from './common';
import { isMonitorState, monitorStateLabel } from './MonitorsSection';
import { PROBLEM_FIELD_LABELS, PROBLEM_FIELDS, problemFieldValue, problemWords } from './problem-events';
import { SecretExpiry } from './SecretExpiry';
import type { AdminT } from './texts';
import { useAdminServerText } from './server-texts';

const useStyles = makeStyles({
  bars: {
    display: 'flex',
    alignItems: 'flex-end',
    gap: '4px',
    height: '120px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke1}`,
  },
  bar: {
    flexGrow: 1,
    backgroundColor: tokens.colorBrandBackground,
    minHeight: '1px',
    borderRadius: '2px 2px 0 0',
  },
  labels: { display: 'flex', gap: '4px' },
  label: {
    flexGrow: 1,
    flexBasis: 0,
    textAlign: 'center',
    fontSize: tokens.fontSizeBase100,
    color: tokens.colorNeutralForeground3,
  },
  stat: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
});

/** Prometheus-style buckets are cumulative (count of samples ≤ le); a histogram shows each bucket's own share. */
export function bucketCounts(
  buckets: HealthView['latency'][number]['buckets'],
): { le: number; count: number }[] {
  return buckets.map((b, i) => ({ le: b.le, count: b.count - (i > 0 ? buckets[i - 1].count : 0) }));
}

function Histogram(props: { series: HealthView['latency'][number] }) {
  const at = useAdminT();
  const h = useStyles();
  const counts = bucketCounts(props.series.buckets);
  const max = Math.max(1, ...counts.map((c) => c.count));
  const direction = props.series.direction === 'toTeams' ? at('healthToTeams') : at('healthFromTeams');
  const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} s`);
  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{at('healthLatency', { direction })}</Text>} />
      <div
        className={h.bars}
        role="img"
        aria-label={counts
          .map((c) => at('healthBucket', { le: Number.isFinite(c.le) ? c.le : '∞', count: c.count }))
          .join(', ')}
      >
        {counts.map((c) => (
          <div
            key={c.le}
            className={h.bar}
            style={{ height: `${(c.count / max) * 100}%` }}
            title={at('healthBucket', { le: c.le, count: c.count })}
          />
        ))}
      </div>
      <div className={h.labels} aria-hidden>
        {counts.map((c) => (
          <span key={c.le} className={h.label}>
            ≤{Number.isFinite(c.le) ? c.le : '∞'}
          </span>
        ))}
      </div>
      <Text>
        p50 {ms(props.series.p50)} · p95 {ms(props.series.p95)} · p99 {ms(props.series.p99)}
      </Text>
    </Card>
  );
}

/** Each CloudLink subscription (presence, calls) and whether CloudLink holds it. */
function CloudLinkSubscriptions(props: { subs: NonNullable<HealthView['cloudlinkSubscriptions']> }) {
  const at = useAdminT();
  const say = useAdminServerText();
  const env = useEnv();
  const topic = (t: string) =>
    t === 'platform-api-presence'
      ? at('healthTopic_presence')
      : t === 'platform-api-media'
        ? at('healthTopic_media')
        : t;
  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{at('healthCloudLink')}</Text>} />
      <ul aria-label={at('healthCloudLink')}>
        {props.subs.map((s) => (
          <li key={s.topic}>
            <Text weight="semibold">{topic(s.topic)}</Text>
            {': '}
            <Text>
              {s.state === 'active'
                ? at('healthSubActive', { since: dateTime(s.since, env.timeZone, env.locale) ?? '–' })
                : s.state === 'failed'
                  ? at('healthSubFailed', { problem: say(s.problemText, s.problem ?? '') })
                  : at('healthSubNone')}
            </Text>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** What the server logged as a warning or error for this tenant, newest first. */
function RecentProblems() {
  const at = useAdminT();
  const env = useEnv();
  const problems = useLoad(() => env.api.admin.problems());
  const items = problems.data?.items ?? [];
  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{at('healthProblems')}</Text>} />
      <ErrorBar error={problems.error} />
      {problems.data && items.length === 0 ? <Text>{at('healthProblemsNone')}</Text> : null}
      <ul aria-label={at('healthProblems')}>
        {items.map((p, i) => (
          <li key={`${p.at}-${i}`}>
            <Text weight="semibold">
              {p.level === 'error' ? at('healthProblemError') : at('healthProblemWarn')}
            </Text>{' '}
            <Text>{dateTime(p.at, env.timeZone, env.locale) ?? p.at}</Text>
            {': '}
            <Text>{problemWords(p, env.language)}</Text>{' '}
            <Text size={200}>
              {PROBLEM_FIELDS.filter((f) => p.detail[f] !== undefined && p.detail[f] !== null)
                .map((f) => `${PROBLEM_FIELD_LABELS[env.language][f]}: ${problemFieldValue(f, p.detail[f])}`)
                .join(' · ')}
            </Text>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The Teams → PBX source (issue 13): the mode, how long one read of everyone takes, the budget share. */
function TeamsReads(props: { reads: NonNullable<HealthView['teamsReads']> }) {
  const at = useAdminT();
  const env = useEnv();
  const { mode, intervalMs, budgetShare } = props.reads;
  const interval =
    intervalMs === null
      ? ''
      : new Intl.NumberFormat(env.locale, {
          style: 'unit',
          unit: 'second',
          unitDisplay: 'long',
          maximumFractionDigits: 1,
        }).format(intervalMs / 1000);
  const share = new Intl.NumberFormat(env.locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    budgetShare ?? 0,
  );
  const text =
    mode === 'hybrid' && intervalMs === null
      ? at('healthReads_hybridStarting')
      : at(`healthReads_${mode}`, { interval, share });
  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{at('healthReads')}</Text>} />
      <Text>{text}</Text>
    </Card>
  );
}

export function HealthSection() {
  const at = useAdminT();
  const say = useAdminServerText();
  const env = useEnv();
  const s = useAdminStyles();
  const h = useStyles();
  const health = useLoad(() => env.api.admin.health());
  const v = health.data;
  const stat = (label: string, value: string | number) => (
    <Card>
      <Text>{label}</Text>
      <Text className={h.stat}>{value}</Text>
    </Card>
  );
  return (
    <section className={s.section} aria-label={at('secHealth')}>
      <Heading>{at('secHealth')}</Heading>
      <div>
        <Button onClick={() => void health.reload()}>{at('refresh')}</Button>
      </div>
      <ErrorBar error={health.error} />
      {v ? (
        <>
          <SecretExpiry expiresAt={v.secretExpiresAt} />
          {(v.credentialProblems ?? []).map((c) => (
            <MessageBar key={c.service} intent="error" role="alert" layout="multiline">
              <MessageBarBody>
                {at('healthCredential', {
                  message: say(c.messageText, c.message),
                  fix: say(c.fixText, c.fix),
                })}
              </MessageBarBody>
            </MessageBar>
          ))}
          {v.syncOwnership && v.syncOwnership.state !== 'owner' ? (
            <MessageBar intent="warning" role="status" layout="multiline">
              <MessageBarBody>
                {at('healthStandby', {
                  detail: say(v.syncOwnership.detailText, v.syncOwnership.detail ?? ''),
                })}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {v.cloudlinkSubscriptions?.length ? (
            <CloudLinkSubscriptions subs={v.cloudlinkSubscriptions} />
          ) : null}
          {v.teamsReads ? <TeamsReads reads={v.teamsReads} /> : null}
          <div className={s.grid}>
            {v.latency.map((series) => (
              <Histogram key={series.direction} series={series} />
            ))}
          </div>
          <div className={s.grid}>
            {stat(at('healthQueue'), v.queueDepth)}
            {stat(at('healthErrors'), v.errorsLastHour)}
            {stat(at('healthThrottled'), v.throttledWaitsLastHour)}
            {stat(at('healthSecret'), dateTime(v.secretExpiresAt, env.timeZone, env.locale) ?? '–')}
            {stat(
              at('healthSubscriptions'),
              Object.entries(v.subscriptions)
                .map(([state, n]) => `${subscriptionStateLabel(at, state)}: ${n}`)
                .join(', ') || at('none'),
            )}
          </div>
          <RecentProblems />
        </>
      ) : null}
    </section>
  );
}

/** The counts are by presence monitor state: said as the monitors page says them; a state the tab does not know as it came. */
function subscriptionStateLabel(at: AdminT, state: string): string {
  return isMonitorState(state) ? monitorStateLabel(at, state) : state;
}
