import {
  Badge,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { MonitorView } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { dateTime } from '../history/format';
import { ErrorBar, fromDateInput, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';

const STATE_COLOR: Record<MonitorView['state'], 'success' | 'warning' | 'danger' | 'informative'> = {
  active: 'success',
  new: 'informative',
  renewing: 'informative',
  updateRequired: 'warning',
  failed: 'danger',
  deleted: 'informative',
};

export function MonitorsSection() {
  const at = useAdminT();
  const env = useEnv();
  const s = useAdminStyles();
  const monitors = useLoad(() => env.api.admin.monitors());
  const act = useAction();
  const [form, setForm] = useState({ username: '', password: '', expires: '' });
  const when = (iso: string | null) => dateTime(iso, env.timeZone, env.locale) ?? '–';
  const action = (run: () => Promise<unknown>) =>
    act.run(async () => {
      await run();
      await monitors.reload();
    });
  const data = monitors.data;
  const missing = data
    ? Math.max(
        0,
        data.needed - data.items.filter((m) => m.state === 'active' || m.state === 'renewing').length,
      )
    : 0;

  return (
    <section className={s.section} aria-label={at('secMonitors')}>
      <Heading>{at('secMonitors')}</Heading>
      <ErrorBar error={monitors.error ?? act.error} />
      {data ? (
        <>
          <Text>{at('monitorsNeeded', { needed: data.needed, users: data.syncedUsers })}</Text>
          {missing > 0 ? (
            <MessageBar intent="warning">
              <MessageBarBody>{at('monitorsTooFew', { missing })}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Table aria-label={at('secMonitors')} size="small">
            <TableHeader>
              <TableRow>
                {(
                  [
                    'monUser',
                    'monState',
                    'monUsers',
                    'monSubExpires',
                    'monPwExpires',
                    'monError',
                    'monActions',
                  ] as const
                ).map((k) => (
                  <TableHeaderCell key={k}>{at(k)}</TableHeaderCell>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.items.map((m) => (
                <TableRow key={m.monitorId}>
                  <TableCell className={s.account}>{m.username}</TableCell>
                  <TableCell>
                    <Badge color={STATE_COLOR[m.state]}>{m.state}</Badge>
                  </TableCell>
                  <TableCell>{m.userCount}</TableCell>
                  <TableCell>{when(m.subscriptionExpiresAt)}</TableCell>
                  <TableCell>{when(m.passwordExpiresAt)}</TableCell>
                  <TableCell>{m.lastError ?? ''}</TableCell>
                  <TableCell>
                    <div className={s.actions}>
                      <Button
                        size="small"
                        disabled={act.busy}
                        onClick={() => void action(() => env.api.admin.authorizeMonitor(m.monitorId))}
                      >
                        {at('authorize')}
                      </Button>
                      <Button
                        size="small"
                        disabled={act.busy}
                        onClick={() => void action(() => env.api.admin.renewMonitor(m.monitorId))}
                      >
                        {at('renew')}
                      </Button>
                      <Button
                        size="small"
                        disabled={act.busy}
                        onClick={() => void action(() => env.api.admin.deleteMonitor(m.monitorId))}
                        aria-label={`${at('delete')} ${m.username}`}
                      >
                        {at('delete')}
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
      <form
        className={s.row}
        onSubmit={(e) => {
          e.preventDefault();
          void action(async () => {
            await env.api.admin.addMonitor({
              username: form.username.trim(),
              password: form.password,
              passwordExpiresAt: fromDateInput(form.expires),
            });
            setForm({ username: '', password: '', expires: '' });
          });
        }}
      >
        <Field label={at('monUsername')} required>
          <Input
            type="email"
            value={form.username}
            onChange={(_e, d) => setForm({ ...form, username: d.value })}
          />
        </Field>
        <Field label={at('monPassword')} required>
          <Input
            type="password"
            value={form.password}
            onChange={(_e, d) => setForm({ ...form, password: d.value })}
            autoComplete="new-password"
          />
        </Field>
        <Field label={at('monPasswordExpires')}>
          <Input
            type="date"
            value={form.expires}
            onChange={(_e, d) => setForm({ ...form, expires: d.value })}
          />
        </Field>
        <Button type="submit" appearance="primary" disabled={act.busy || !form.username || !form.password}>
          {at('add')}
        </Button>
      </form>
    </section>
  );
}
