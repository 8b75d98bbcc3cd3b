import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
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
import { ErrorBar, fromDateInput, Heading, useAdminStyles, useAdminT, useLoad } from './common';
import { MonitorPasswordDialog } from './MonitorPasswordDialog';
import { useAdminServerText } from './server-texts';
import { useTableStyles } from './table-styles';
import type { AdminT } from './texts';

const STATE_COLOR: Record<MonitorView['state'], 'success' | 'warning' | 'danger' | 'informative'> = {
  active: 'success',
  new: 'informative',
  renewing: 'informative',
  standby: 'informative',
  updateRequired: 'warning',
  failed: 'danger',
  deleted: 'informative',
};

export const monitorStateLabel = (at: AdminT, state: MonitorView['state']) => at(`monState_${state}`);

/** Whether a state the server counts by is a monitor state this tab words (the colour table has every one). */
export const isMonitorState = (state: string): state is MonitorView['state'] =>
  Object.hasOwn(STATE_COLOR, state);

type MonitorAction = 'authorize' | 'renew' | 'password' | 'delete' | 'add';

/** What the last action did, for the line under the table: the admin sees each click land. */
type Outcome =
  | { ok: true; text: string }
  | { ok: false; lead: string; error: unknown }
  /** The server answered, but the monitor's sign-in or subscription did not work: its state and reason. */
  | { ok: false; lead: string; reason: string };

/** States an action can end in without an error from the server, though the monitor is not working. */
const NOT_WORKING: ReadonlySet<MonitorView['state']> = new Set(['failed', 'updateRequired']);

export function MonitorsSection() {
  const at = useAdminT();
  const say = useAdminServerText();
  const env = useEnv();
  const s = useAdminStyles();
  const ts = useTableStyles();
  const monitors = useLoad(() => env.api.admin.monitors());
  const [running, setRunning] = useState<{ id: string; action: MonitorAction } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<MonitorView | null>(null);
  const [newPasswordFor, setNewPasswordFor] = useState<MonitorView | null>(null);
  const [form, setForm] = useState({ username: '', password: '', expires: '' });
  const when = (iso: string | null) => dateTime(iso, env.timeZone, env.locale) ?? '–';

  /** Runs one action on one monitor, then reloads the table so the state shown is the server's. */
  const act = async (
    id: string,
    user: string,
    action: MonitorAction,
    call: () => Promise<MonitorView | void>,
  ) => {
    setRunning({ id, action });
    setOutcome(null);
    try {
      const view = await call();
      await monitors.reload();
      const state = view ? monitorStateLabel(at, view.state) : '';
      if (view && NOT_WORKING.has(view.state)) {
        // "authorized. State now: Failed." contradicted itself: the request worked, the sign-in did not.
        const label = action === 'add' ? at('add') : at(action);
        const lead = at('monNotWorking', { user, action: label, state });
        setOutcome({ ok: false, lead, reason: say(view.lastErrorText, view.lastError ?? '') });
        return true;
      }
      setOutcome({ ok: true, text: at(`monDone_${action}`, { user, state }) });
      return true;
    } catch (error) {
      const label = action === 'add' ? at('add') : at(action);
      setOutcome({ ok: false, lead: at('monFailed', { user, action: label }), error });
      return false;
    } finally {
      setRunning(null);
    }
  };
  const busy = running !== null;
  const data = monitors.data;
  const missing = data
    ? Math.max(
        0,
        data.needed - data.items.filter((m) => m.state === 'active' || m.state === 'renewing').length,
      )
    : 0;
  const columns = [
    'monUser',
    'monState',
    'monUsers',
    'monSubExpires',
    'monPwExpires',
    'monError',
    'monActions',
  ] as const;

  const actionButton = (m: MonitorView, action: Exclude<MonitorAction, 'add'>, onClick: () => void) => {
    const mine = running?.id === m.monitorId && running.action === action;
    return (
      <Button
        size="small"
        disabled={busy}
        icon={mine ? <Spinner size="extra-tiny" /> : undefined}
        onClick={onClick}
        aria-label={`${at(action)} ${m.username}`}
      >
        {at(action)}
      </Button>
    );
  };

  return (
    <section className={s.section} aria-label={at('secMonitors')}>
      <Heading>{at('secMonitors')}</Heading>
      <ErrorBar error={monitors.error} retry={monitors.reload} />
      {data ? (
        <>
          <Text>{at('monitorsNeeded', { needed: data.needed, users: data.syncedUsers })}</Text>
          {missing > 0 ? (
            <MessageBar intent="warning">
              <MessageBarBody>{at('monitorsTooFew', { missing })}</MessageBarBody>
            </MessageBar>
          ) : null}
          <div className={ts.wrap}>
            <Table aria-label={at('secMonitors')} size="small" className={ts.table}>
              <TableHeader className={ts.head}>
                <TableRow>
                  {columns.map((k) => (
                    <TableHeaderCell key={k}>{at(k)}</TableHeaderCell>
                  ))}
                </TableRow>
              </TableHeader>
              <TableBody className={ts.body}>
                {data.items.map((m) => (
                  <TableRow key={m.monitorId} className={ts.row} data-testid="monitor-row">
                    <TableCell className={ts.cell} data-label={at('monUser')}>
                      {m.username}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monState')}>
                      <span className={ts.nowrap}>
                        <Badge color={STATE_COLOR[m.state]}>{monitorStateLabel(at, m.state)}</Badge>
                      </span>
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monUsers')}>
                      {m.userCount}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monSubExpires')}>
                      {when(m.subscriptionExpiresAt)}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monPwExpires')}>
                      {when(m.passwordExpiresAt)}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monError')}>
                      {m.lastError ? (
                        <span className={ts.clamp} title={say(m.lastErrorText, m.lastError)}>
                          {say(m.lastErrorText, m.lastError)}
                        </span>
                      ) : (
                        ''
                      )}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('monActions')}>
                      <div className={ts.actions}>
                        {actionButton(
                          m,
                          'authorize',
                          () =>
                            void act(m.monitorId, m.username, 'authorize', () =>
                              env.api.admin.authorizeMonitor(m.monitorId),
                            ),
                        )}
                        {actionButton(
                          m,
                          'renew',
                          () =>
                            void act(m.monitorId, m.username, 'renew', () =>
                              env.api.admin.renewMonitor(m.monitorId),
                            ),
                        )}
                        {actionButton(m, 'password', () => setNewPasswordFor(m))}
                        {actionButton(m, 'delete', () => setConfirmDelete(m))}
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      ) : null}
      <div aria-live="polite">
        {running ? <Spinner size="tiny" labelPosition="after" label={at('working')} /> : null}
        {outcome?.ok ? (
          <MessageBar intent="success">
            <MessageBarBody>{outcome.text}</MessageBarBody>
          </MessageBar>
        ) : null}
        {outcome && !outcome.ok && 'error' in outcome ? (
          <ErrorBar error={outcome.error} lead={outcome.lead} />
        ) : null}
        {outcome && !outcome.ok && 'reason' in outcome ? (
          <MessageBar intent="error" layout="multiline" role="alert">
            <MessageBarBody>
              {outcome.lead}
              {outcome.reason ? ` ${outcome.reason}` : ''}
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      <MonitorPasswordDialog
        monitor={newPasswordFor}
        saving={running?.action === 'password'}
        onClose={() => setNewPasswordFor(null)}
        onSave={(request) => {
          const m = newPasswordFor;
          if (m)
            void act(m.monitorId, m.username, 'password', () =>
              env.api.admin.setMonitorPassword(m.monitorId, request),
            ).then(() => setNewPasswordFor(null));
        }}
      />
      <Dialog open={confirmDelete !== null} onOpenChange={(_e, d) => !d.open && setConfirmDelete(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{at('monDeleteTitle', { user: confirmDelete?.username ?? '' })}</DialogTitle>
            <DialogContent>{at('monDeleteBody')}</DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirmDelete(null)}>{at('cancel')}</Button>
              <Button
                appearance="primary"
                onClick={() => {
                  const m = confirmDelete;
                  setConfirmDelete(null);
                  if (m)
                    void act(m.monitorId, m.username, 'delete', () =>
                      env.api.admin.deleteMonitor(m.monitorId),
                    );
                }}
              >
                {at('delete')}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
      <form
        className={s.row}
        onSubmit={(e) => {
          e.preventDefault();
          const username = form.username.trim();
          void act('new', username, 'add', () =>
            env.api.admin.addMonitor({
              username,
              password: form.password,
              passwordExpiresAt: fromDateInput(form.expires),
            }),
          ).then((ok) => ok && setForm({ username: '', password: '', expires: '' }));
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
        <Button
          type="submit"
          appearance="primary"
          disabled={busy || !form.username || !form.password}
          icon={running?.action === 'add' ? <Spinner size="extra-tiny" /> : undefined}
        >
          {at('add')}
        </Button>
      </form>
    </section>
  );
}
