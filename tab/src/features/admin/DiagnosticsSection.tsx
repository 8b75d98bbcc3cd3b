import { Button, Card, CardHeader, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { PhoneResetResult, UserDiagnostics } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { useT } from '../../i18n';
import { callStateLabel, presenceLabel } from '../../i18n/presence';
import { useServerText } from '../../i18n/server-texts';
import { clockTime } from '../../i18n/time';
import { dateTime } from '../history/format';
import { ErrorBar, Heading, Json, useAction, useAdminStyles, useAdminT } from './common';
import { UsersTable } from './UsersTable';

/** One user's presence on both sides, what Switchboard did, and the two repairs an admin needs most. */
export function DiagnosticsSection(props: { userId: string | null; onSelect(userId: string): void }) {
  const at = useAdminT();
  const env = useEnv();
  const t = useT();
  const say = useServerText();
  const s = useAdminStyles();
  const [diag, setDiag] = useState<UserDiagnostics | null>(null);
  const [copied, setCopied] = useState(false);
  const [resetSaid, setResetSaid] = useState<string | null>(null);
  /** The per-user resync: running, or when it finished (the cards above then show both sides as read again). */
  const [resync, setResync] = useState<'running' | Date | null>(null);
  const act = useAction();
  const { userId } = props;
  const { run } = act;
  useEffect(() => {
    setDiag(null);
    setResetSaid(null);
    setResync(null);
    if (userId) void run(async () => setDiag(await env.api.admin.diagnostics(userId)));
  }, [userId, env.api, run]);

  const resyncUser = () =>
    userId &&
    void act
      .run(async () => {
        setResync('running');
        await env.api.admin.resyncUser(userId);
        setDiag(await env.api.admin.diagnostics(userId));
        setResync(new Date());
      })
      .then((ok) => !ok && setResync(null));
  const resetPhone = () =>
    userId &&
    void act.run(async () => {
      setResetSaid(null);
      setResetSaid(resetSummary(await env.api.admin.resetPhone(userId), at));
      setDiag(await env.api.admin.diagnostics(userId));
    });
  const copy = async () => {
    const text = JSON.stringify(diag, null, 2);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // The Teams iframe may deny the clipboard API; the legacy command still works on a user gesture.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
  };

  return (
    <section className={s.section} aria-label={at('secUsers')}>
      <Heading>{at('secUsers')}</Heading>
      <ErrorBar error={act.error} />
      {diag ? (
        <>
          <Text size={400} weight="semibold">
            {diag.user.displayName} · {diag.user.upn} · {diag.user.extension ?? '–'}
          </Text>
          <div className={s.grid}>
            <Card>
              <CardHeader header={<Text weight="semibold">{at('diagTeams')}</Text>} />
              <Text>{diag.sync.teams ? presenceLabel(env.language, diag.sync.teams) : '–'}</Text>
              <Text className={s.sub}>{dateTime(diag.sync.teams?.at ?? null, env.timeZone, env.locale)}</Text>
            </Card>
            <Card>
              <CardHeader header={<Text weight="semibold">{at('diagPbx')}</Text>} />
              <Text>
                {diag.sync.pbx
                  ? [
                      callStateLabel(t, diag.sync.pbx.callState),
                      ...(diag.sync.pbx.dnd ? [t('syncDnd')] : []),
                      ...(diag.sync.pbx.statusText ? [diag.sync.pbx.statusText] : []),
                    ].join(' · ')
                  : '–'}
              </Text>
              <Text className={s.sub}>{dateTime(diag.sync.pbx?.at ?? null, env.timeZone, env.locale)}</Text>
            </Card>
          </div>
          {diag.sync.problem ? (
            <Text>
              {say(diag.sync.problem.messageText, diag.sync.problem.message)}{' '}
              <strong>{say(diag.sync.problem.fixText, diag.sync.problem.fix)}</strong>
            </Text>
          ) : null}
          <div className={s.row}>
            <Button onClick={() => void copy()}>{at('diagCopy')}</Button>
            <Button disabled={act.busy} onClick={resetPhone}>
              {at('diagReset')}
            </Button>
            <Button
              disabled={act.busy}
              icon={resync === 'running' ? <Spinner size="tiny" /> : undefined}
              onClick={resyncUser}
            >
              {resync === 'running' ? t('syncing') : at('diagResync')}
            </Button>
            {copied ? <Text role="status">{at('diagCopied')}</Text> : null}
          </div>
          {resync instanceof Date ? (
            <Text role="status">
              {t('syncDoneAt', { time: clockTime(resync, env.locale, env.timeZone) })}
            </Text>
          ) : null}
          {resetSaid ? <Text role="status">{resetSaid}</Text> : null}
          <h3>{at('diagTrace')}</h3>
          <Json value={diag.trace} label={at('diagTrace')} />
          <h3>{at('diagRaw')}</h3>
          <Json value={{ teams: diag.teamsRaw, pbx: diag.pbxRaw }} label={at('diagRaw')} />
        </>
      ) : null}
      <UsersTable onDiagnose={props.onSelect} />
    </section>
  );
}

/** What "reset phone status" did, in the admin's words. */
function resetSummary(result: PhoneResetResult, at: ReturnType<typeof useAdminT>): string {
  const { reset } = result;
  const said: string[] = [];
  if (reset.phoneDndCleared)
    said.push(at('diagResetDndCleared', { text: reset.phoneDndCleared.statusText ?? '–' }));
  if (reset.phoneDndKept) said.push(at('diagResetDndKept', { text: reset.phoneDndKept.statusText ?? '–' }));
  if (reset.teamsSessionCleared) said.push(at('diagResetTeamsCleared'));
  if (reset.callsForgotten === 1) said.push(at('diagResetCallForgotten'));
  else if (reset.callsForgotten > 1)
    said.push(at('diagResetCallsForgotten', { count: String(reset.callsForgotten) }));
  return said.length > 0 ? said.join(' ') : at('diagResetNothing');
}
