import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { MonitorView } from '../../shared/api/contract';
import { me, quietHealth, renderShell, type SeenRequest } from './harness';

const monitor = (over: Partial<MonitorView> = {}): MonitorView => ({
  monitorId: 'm1',
  username: 'monitor1@contoso.example',
  state: 'new',
  userCount: 0,
  subscriptionExpiresAt: null,
  passwordExpiresAt: null,
  lastError: null,
  ...over,
});

/** After "Authorize" or a new password: the sign-in worked, or the server answered with the monitor failed and why. */
const AUTHORIZED: Partial<MonitorView> = { state: 'active', userCount: 10 };

interface Answers {
  afterAuthorize?: Partial<MonitorView>;
  afterPassword?: Partial<MonitorView>;
}

function monitorServer(initial: MonitorView[], answers: Answers = {}) {
  let items = initial;
  let releaseAuthorize: () => void = () => undefined;
  let releasePassword: () => void = () => undefined;
  const deletes: string[] = [];
  const passwords: unknown[] = [];
  const changed = (change: Partial<MonitorView>) => {
    items = items.map((m) => (m.monitorId === 'm1' ? { ...m, ...change } : m));
    return { body: items[0]! };
  };
  const routes = {
    'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
    'GET /api/admin/health': () => ({ body: quietHealth }),
    'GET /api/admin/problems': () => ({ body: { items: [] } }),
    'GET /api/admin/monitors': () => ({ body: { items, needed: 1, syncedUsers: 10 } }),
    'POST /api/admin/monitors/m1/authorize': () =>
      new Promise<{ body: MonitorView }>((resolve) => {
        releaseAuthorize = () => resolve(changed(answers.afterAuthorize ?? AUTHORIZED));
      }),
    // Held until the test releases it, as a sign-in against Entra takes its time.
    'PUT /api/admin/monitors/m1/password': (req: SeenRequest) =>
      new Promise<{ body: MonitorView }>((resolve) => {
        passwords.push(req.body);
        const { passwordExpiresAt } = req.body as { passwordExpiresAt?: string };
        releasePassword = () =>
          resolve(
            changed({
              ...(answers.afterPassword ?? AUTHORIZED),
              passwordExpiresAt: passwordExpiresAt ?? null,
            }),
          );
      }),
    // The server refuses an account the tenant already has as a monitor (bot/services/monitor-names.ts).
    'POST /api/admin/monitors': () => ({
      status: 409,
      body: {
        error: {
          code: 'monitor_exists',
          message: 'monitor1@contoso.example is already a presence monitor here; to change its password, ...',
        },
        requestId: 'req-monitor-exists',
      },
    }),
    'DELETE /api/admin/monitors/m1': () => {
      deletes.push('m1');
      items = items.filter((m) => m.monitorId !== 'm1');
      return { status: 204 };
    },
  };
  return {
    routes,
    deletes,
    passwords,
    releaseAuthorize: () => releaseAuthorize(),
    releasePassword: () => releasePassword(),
  };
}

async function openMonitors(locale = 'en-US', answers?: Answers) {
  const server = monitorServer([monitor()], answers);
  renderShell({ routes: server.routes, context: { locale } });
  await userEvent.click(
    await screen.findByRole('tab', { name: locale === 'de-DE' ? 'Verwaltung' : 'Admin' }),
  );
  await userEvent.click(
    await screen.findByRole(
      'tab',
      { name: locale === 'de-DE' ? 'Presence-Monitore' : 'Presence monitors' },
      { timeout: 5000 },
    ),
  );
  await screen.findAllByTestId('monitor-row');
  return server;
}

// Fluent in jsdom beside the rest of the suite on 2 cores: one of these tests took 48 s alone and ran past 60 s in a
// clean CI run. The limit guards against a hang, not speed (the config's comment says so).
jest.setTimeout(180_000);

describe('presence monitors', () => {
  it('asks before deleting, deletes nothing on Cancel, and removes the monitor after confirming', async () => {
    const server = await openMonitors();
    await userEvent.click(screen.getByRole('button', { name: 'Delete monitor1@contoso.example' }));
    // Fluent's focus trap marks the surface aria-hidden in jsdom while it settles (no layout, no animation end);
    // the browser test finds it by role as a screen reader does.
    const dialog = await screen.findByRole('dialog', { hidden: true });
    expect(dialog).toHaveTextContent('Delete the monitor monitor1@contoso.example?');
    await userEvent.click(within(dialog).getByText('Cancel', { selector: 'button' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    expect(server.deletes).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Delete monitor1@contoso.example' }));
    await userEvent.click(
      within(await screen.findByRole('dialog', { hidden: true })).getByText('Delete', { selector: 'button' }),
    );
    expect(await screen.findByText('monitor1@contoso.example: deleted.')).toBeInTheDocument();
    expect(server.deletes).toEqual(['m1']);
    expect(screen.queryAllByTestId('monitor-row')).toHaveLength(0);
  });

  it('"Authorize" shows that it runs, then the result and the new state, in words', async () => {
    const server = await openMonitors();
    const row = screen.getByTestId('monitor-row');
    expect(within(row).getByText('Not authorized yet')).toBeInTheDocument();
    expect(row).not.toHaveTextContent(/\bnew\b/);
    await userEvent.click(within(row).getByRole('button', { name: 'Authorize monitor1@contoso.example' }));
    expect(await screen.findByText('Working…')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Renew monitor1@contoso.example' })).toBeDisabled();
    server.releaseAuthorize();
    expect(
      await screen.findByText('monitor1@contoso.example: authorized. State now: Active.'),
    ).toBeInTheDocument();
    expect(within(screen.getByTestId('monitor-row')).getByText('Active')).toBeInTheDocument();
    expect(screen.queryByText('Working…')).toBeNull();
  });

  it('"Authorize" that ends with the monitor failed says it did not work, and why, never "authorized"', async () => {
    const reason = 'Entra refused the sign-in: the user name or password is wrong.';
    const server = await openMonitors('en-US', { afterAuthorize: { state: 'failed', lastError: reason } });
    await userEvent.click(screen.getByRole('button', { name: 'Authorize monitor1@contoso.example' }));
    server.releaseAuthorize();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      `monitor1@contoso.example: Authorize did not work. State now: Failed. ${reason}`,
    );
    expect(screen.queryByText(/authorized\./)).toBeNull();
  });

  it('"New password" asks for it in a dialog, shows it saving, then the result; Cancel sends nothing', async () => {
    const server = await openMonitors();
    const open = async () => {
      // Fluent's modal leaves the page aria-hidden a moment after a dialog closed (jsdom runs no animation end).
      await userEvent.click(
        await screen.findByRole('button', { name: 'New password monitor1@contoso.example', hidden: true }),
      );
      const dialog = await screen.findByRole('dialog', { hidden: true });
      expect(dialog).toHaveTextContent('New password for monitor1@contoso.example');
      return dialog;
    };
    const saveIn = (dialog: HTMLElement) =>
      within(dialog).getByRole('button', { name: 'Save', hidden: true });

    await userEvent.click(within(await open()).getByText('Cancel', { selector: 'button' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    expect(server.passwords).toEqual([]);

    const dialog = await open();
    expect(saveIn(dialog)).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/^New password/), 'N3w-Passw0rd!');
    fireEvent.change(within(dialog).getByLabelText(/^Password expires/), { target: { value: '2027-06-30' } });
    await userEvent.click(saveIn(dialog));
    // Saving: the dialog says so and cannot be sent twice; the row's actions wait too.
    const saving = within(dialog).getByRole('button', { name: 'Saving…', hidden: true });
    expect(saving).toBeDisabled();
    expect(within(dialog).getByText('Cancel', { selector: 'button' })).toBeDisabled();
    expect(screen.getByText('Working…')).toBeInTheDocument();
    expect(server.passwords).toEqual([
      { password: 'N3w-Passw0rd!', passwordExpiresAt: '2027-06-30T23:59:59.000Z' },
    ]);

    server.releasePassword();
    expect(
      await screen.findByText('monitor1@contoso.example: new password saved. State now: Active.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    const row = screen.getByTestId('monitor-row');
    expect(within(row).getByText('Active')).toBeInTheDocument();
    expect(row).toHaveTextContent('2027');
    // Opened again, the dialog is empty: the password typed before is gone.
    const again = await open();
    expect(within(again).getByLabelText(/^New password/)).toHaveValue('');
  });

  it('a new password Entra refuses too says it did not work, and why', async () => {
    const reason = 'Entra refused the sign-in: the user name or password is wrong (AADSTS50126).';
    const server = await openMonitors('en-US', { afterPassword: { state: 'failed', lastError: reason } });
    await userEvent.click(screen.getByRole('button', { name: 'New password monitor1@contoso.example' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    await userEvent.type(within(dialog).getByLabelText(/^New password/), 'still-wrong{Enter}');
    await waitFor(() => expect(server.passwords).toEqual([{ password: 'still-wrong' }]));
    server.releasePassword();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      `monitor1@contoso.example: New password did not work. State now: Failed. ${reason}`,
    );
    expect(screen.queryByText(/new password saved/)).toBeNull();
  });

  it('asks for Authorize, not a new password, when the monitor must be authorized again', async () => {
    // Graph refused its subscription (403) or the app registration changed: a fresh sign-in fixes it.
    const server = monitorServer([monitor({ state: 'updateRequired', userCount: 10 })]);
    renderShell({ routes: server.routes, context: { locale: 'de-DE' } });
    await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
    await userEvent.click(await screen.findByRole('tab', { name: 'Presence-Monitore' }, { timeout: 5000 }));
    const row = await screen.findByTestId('monitor-row');
    expect(within(row).getByText('Erneut autorisieren')).toBeInTheDocument();
    expect(within(row).queryByText(/Braucht ein neues Kennwort/)).toBeNull();
    expect(within(row).getByRole('button', { name: /^Autorisieren/ })).toBeEnabled();
  });

  it('adding an account that already is a monitor says so in German, not in the server’s English', async () => {
    await openMonitors('de-DE');
    await userEvent.type(screen.getByLabelText(/Monitor-Konto \(UPN\)/), 'MONITOR1@contoso.example');
    await userEvent.type(screen.getByLabelText(/^Kennwort\s*\*?$/), 'typed-again');
    await userEvent.click(screen.getByRole('button', { name: 'Hinzufügen' }));
    expect(
      await screen.findByText(/Dieses Konto ist bereits ein Presence-Monitor\. Um sein Kennwort zu ändern/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/already a presence monitor/)).toBeNull();
  });

  it('says in German what the state is', async () => {
    await openMonitors('de-DE');
    expect(within(screen.getByTestId('monitor-row')).getByText('Noch nicht autorisiert')).toBeInTheDocument();
  });

  it('"Authorize" that fails says in German why and what to do, Entra’s own words quoted as they came', async () => {
    const refused: Partial<MonitorView> = {
      state: 'failed',
      lastError:
        'sign-in refused: AADSTS50126: Error validating credentials due to invalid username or password. Check the presence monitor account: its name, its password, and that it is not locked, disabled or expired.',
      lastErrorText: {
        code: 'monitor.problemAndFix',
        params: {
          problem: {
            code: 'sync.signInRefused',
            params: {
              detail: 'AADSTS50126: Error validating credentials due to invalid username or password.',
            },
          },
          fix: { code: 'fix.signIn.accountCredentials' },
        },
      },
    };
    const german =
      'Anmeldung abgelehnt: AADSTS50126: Error validating credentials due to invalid username or password. Prüfen Sie das Konto des Presence-Monitors: Name, Passwort, und dass es nicht gesperrt, deaktiviert oder abgelaufen ist.';
    const server = await openMonitors('de-DE', { afterAuthorize: refused });
    await userEvent.click(screen.getByRole('button', { name: 'Autorisieren monitor1@contoso.example' }));
    server.releaseAuthorize();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(german);
    expect(within(screen.getByTestId('monitor-row')).getByText(german)).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/sign-in refused|Check the presence monitor/);
  });

  it('shows a monitor problem stored before codes existed as it was written', async () => {
    const old = 'Microsoft Graph failed (503)';
    renderShell({
      routes: monitorServer([monitor({ state: 'failed', lastError: old })]).routes,
      context: { locale: 'de-DE' },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Verwaltung' }));
    await userEvent.click(await screen.findByRole('tab', { name: 'Presence-Monitore' }, { timeout: 5000 }));
    expect(await within(await screen.findByTestId('monitor-row')).findByText(old)).toBeInTheDocument();
  });
});
