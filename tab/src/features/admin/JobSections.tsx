import { useState } from 'react';
import {
  Badge,
  Button,
  Checkbox,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Text,
} from '@fluentui/react-components';
import {
  CHECK_STEP_IDS,
  type CheckStep,
  type CheckStepId,
  type JobView,
} from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ErrorBar, Heading, useAdminStyles, useAdminT, useJob } from './common';
import { useAdminServerText } from './server-texts';
import type { AdminT, AdminTextKey } from './texts';

const STEP_COLOR: Record<CheckStep['state'], 'success' | 'danger' | 'warning' | 'informative' | 'subtle'> = {
  passed: 'success',
  failed: 'danger',
  warning: 'warning',
  running: 'informative',
  pending: 'subtle',
  skipped: 'subtle',
};

/** A title for every step the server runs: a step added there without one here does not compile. */
const STEP_TITLES: Record<CheckStepId, AdminTextKey> = {
  token: 'checkStep_token',
  permissions: 'checkStep_permissions',
  monitors: 'checkStep_monitors',
  subscriptions: 'checkStep_subscriptions',
  notificationUrl: 'checkStep_notificationUrl',
  cloudlink: 'checkStep_cloudlink',
  secretExpiry: 'checkStep_secretExpiry',
  adminNotices: 'checkStep_adminNotices',
  callHistoryLink: 'checkStep_callHistoryLink',
};

/** The step's title in the admin's language when we know the step; the server's English title otherwise (newer). */
function stepTitle(at: AdminT, step: CheckStep): string {
  const known = CHECK_STEP_IDS.find((id) => id === step.id);
  return known ? at(STEP_TITLES[known]) : step.title;
}

/** A run that finished with a failed or warned step is not shown green: the colour agrees with the steps. */
function summaryIntent(
  state: JobView['state'],
  steps: CheckStep[],
): 'success' | 'warning' | 'error' | 'info' {
  if (state === 'failed' || steps.some((s) => s.state === 'failed')) return 'error';
  if (state === 'running') return 'info';
  return steps.some((s) => s.state === 'warning') ? 'warning' : 'success';
}

/** Runs every setup step against the real services and shows each result live, with the fix for each failure. */
export function CheckSection() {
  const at = useAdminT();
  const say = useAdminServerText();
  const { api } = useEnv();
  const s = useAdminStyles();
  const check = useJob(api.admin.startCheck);
  const job = check.job;
  return (
    <section className={s.section} aria-label={at('secCheck')}>
      <Heading>{at('secCheck')}</Heading>
      <div>
        <Button appearance="primary" disabled={check.running} onClick={() => void check.run()}>
          {at('checkStart')}
        </Button>
      </div>
      <ErrorBar error={check.error} />
      {job ? (
        <div aria-live="polite">
          {check.running ? (
            <ProgressBar
              value={job.total ? job.done / job.total : undefined}
              aria-label={at('checkRunning', { done: job.done, total: job.total })}
            />
          ) : null}
          {check.running ? <Text>{at('checkRunning', { done: job.done, total: job.total })}</Text> : null}
          <ol style={{ paddingLeft: 20 }}>
            {(job.steps ?? []).map((step) => (
              <li key={step.id} style={{ marginBottom: 8 }}>
                <Badge color={STEP_COLOR[step.state]} appearance="filled">
                  {at(`checkState_${step.state}`)}
                </Badge>{' '}
                <Text weight="semibold">{stepTitle(at, step)}</Text>
                {step.detail ? <div className={s.sub}>{say(step.detailText, step.detail)}</div> : null}
                {step.fix && (step.state === 'failed' || step.state === 'warning') ? (
                  <div>
                    <strong>{at('fix')}:</strong> {say(step.fixText, step.fix)}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
          {job.summary ? (
            <MessageBar intent={summaryIntent(job.state, job.steps ?? [])}>
              <MessageBarBody>{say(job.summaryText, job.summary)}</MessageBarBody>
            </MessageBar>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

export function ResyncSection() {
  const at = useAdminT();
  const say = useAdminServerText();
  const { api } = useEnv();
  const s = useAdminStyles();
  // Usually the live PBX feed already knows every phone; reading them all again is the slow, thorough option.
  const [readEveryPbx, setReadEveryPbx] = useState(false);
  const resync = useJob(() => api.admin.startResyncAll({ readEveryPbx }));
  const job = resync.job;
  return (
    <section className={s.section} aria-label={at('secResync')}>
      <Heading>{at('secResync')}</Heading>
      <div>
        <Checkbox
          checked={readEveryPbx}
          disabled={resync.running}
          onChange={(_, d) => setReadEveryPbx(d.checked === true)}
          label={at('resyncEveryPhone')}
        />
      </div>
      <div>
        <Button appearance="primary" disabled={resync.running} onClick={() => void resync.run()}>
          {at('resyncStart')}
        </Button>
      </div>
      <ErrorBar error={resync.error} />
      {job ? (
        <div aria-live="polite">
          <ProgressBar
            value={job.total ? job.done / job.total : job.state === 'running' ? undefined : 1}
            aria-label={at('resyncProgress', { done: job.done, total: job.total })}
          />
          <Text>{at('resyncProgress', { done: job.done, total: job.total })}</Text>
          {job.state === 'failed' ? (
            <MessageBar intent="error">
              <MessageBarBody>
                {at('jobFailed', { summary: say(job.summaryText, job.summary ?? '') })}
              </MessageBarBody>
            </MessageBar>
          ) : job.summary ? (
            <Text block>{say(job.summaryText, job.summary)}</Text>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
