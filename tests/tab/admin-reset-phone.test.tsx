import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminUserRow, PhoneResetResult, UserDiagnostics } from '../../shared/api/contract';
import { me, renderShell, quietHealth, type Route } from './harness';

/** The admin's "reset phone status" says what it did (issue 11: a repair that clears what it says it clears). */

const health = quietHealth;
const row: AdminUserRow = {
  key: 'e1',
  entraUserId: 'e1',
  upn: 'megan@contoso.example',
  displayName: 'Megan Bowen',
  extension: '2001',
  selected: true,
  matched: true,
  status: 'matched',
  pbx: { principalId: 'p1', name: 'Megan Bowen', email: 'megan@contoso.example', extension: '2001' },
  candidates: [],
  rivals: [],
};
const status = {
  teams: { availability: 'Available', activity: 'Available', at: null },
  pbx: { callState: 'idle' as const, dnd: false, statusText: null, at: null },
  lastAssertion: null,
  lastSyncAt: null,
  enabled: { toTeams: true, fromTeams: true },
  problem: null,
};
const diagnostics: UserDiagnostics = {
  user: {
    entraUserId: 'e1',
    upn: row.upn!,
    displayName: row.displayName,
    pbxPrincipalId: 'p1',
    extension: '2001',
  },
  sync: status,
  teamsRaw: null,
  pbxRaw: null,
  trace: [],
};

/** An admin signed in, with Megan the one user and `current()` her diagnostics as the server reads them now. */
function adminRoutes(current: () => UserDiagnostics): Record<string, Route> {
  return {
    'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
    'GET /api/admin/health': () => ({ body: health }),
    'GET /api/admin/problems': () => ({ body: { items: [] } }),
    'GET /api/admin/users': () => ({
      body: {
        items: [row],
        total: 1,
        skip: 0,
        top: 50,
        directory: { entraReadAt: null, pbxReadAt: null, problem: null },
      },
    }),
    'GET /api/admin/users/e1/diagnostics': () => ({ body: current() }),
  };
}

/** Opens Megan's diagnostics on the admin page. */
async function openDiagnostics(admin = 'Admin', section = 'User diagnostics', diagnose = 'Diagnose') {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
  await userEvent.click(await screen.findByRole('button', { name: `${diagnose} Megan Bowen` }));
}

function render(
  reset: PhoneResetResult['reset'],
  locale = 'en-US',
  answer: () => { status?: number; body?: unknown } = () => ({ body: { ...status, reset } }),
) {
  return renderShell({
    context: { locale },
    routes: {
      ...adminRoutes(() => diagnostics),
      'POST /api/admin/users/e1/reset-phone': answer,
    },
  });
}

async function resetMegan(
  admin = 'Admin',
  section = 'User diagnostics',
  diagnose = 'Diagnose',
  button = 'Reset phone status',
) {
  await openDiagnostics(admin, section, diagnose);
  await userEvent.click(await screen.findByRole('button', { name: button }));
}

describe("the admin's reset phone status", () => {
  it('says it turned off a do-not-disturb Switchboard had set, and cleared its Teams presence', async () => {
    render({
      teamsSessionCleared: true,
      phoneDndCleared: { statusText: 'Presenting' },
      phoneDndKept: null,
      callsForgotten: 0,
    });
    await resetMegan();
    expect(
      await screen.findByText(
        'Turned off the phone’s do-not-disturb (“Presenting”) that Switchboard had set. Cleared Switchboard’s presence in Teams.',
      ),
    ).toHaveAttribute('role', 'status');
  });

  it("says it left the user's own do-not-disturb, in German too", async () => {
    render(
      {
        teamsSessionCleared: false,
        phoneDndCleared: null,
        phoneDndKept: { statusText: 'Lunch' },
        callsForgotten: 0,
      },
      'de-DE',
    );
    await resetMegan('Verwaltung', 'Benutzerdiagnose', 'Diagnose', 'Telefonstatus zurücksetzen');
    expect(
      await screen.findByText(
        '„Nicht stören“ am Telefon („Lunch“) bleibt: Der Benutzer hat es selbst gesetzt.',
      ),
    ).toHaveAttribute('role', 'status');
  });

  it('says it forgot a call the phone system never ended, and that a call still going on comes back', async () => {
    render({ teamsSessionCleared: true, phoneDndCleared: null, phoneDndKept: null, callsForgotten: 1 });
    await resetMegan();
    expect(
      await screen.findByText(
        'Cleared Switchboard’s presence in Teams. Forgot a call the phone system never said had ended; if the user is still on it, it shows again at its next change.',
      ),
    ).toHaveAttribute('role', 'status');
  });

  it('says the request was taken on when the process that runs the sync has not finished it yet (202)', async () => {
    render(null as unknown as PhoneResetResult['reset'], 'en-US', () => ({
      status: 202,
      body: {
        error: {
          code: 'sync_queued',
          message: 'The Switchboard process that runs the sync has the request.',
        },
        requestId: 'r-1',
        syncRequest: { id: '7', href: '/api/admin/sync-requests/7' },
      },
    }));
    await resetMegan();
    expect(await screen.findByText(/has taken this on and is still working on it/)).toBeInTheDocument();
    // The 202 body is no reset result: nothing claims a do-not-disturb was turned off.
    expect(screen.queryByText(/Turned off/)).not.toBeInTheDocument();
  });
});

describe("the admin's user diagnostics", () => {
  const busy: UserDiagnostics = {
    ...diagnostics,
    sync: {
      ...status,
      teams: { availability: 'Busy', activity: 'InACall', at: null },
      pbx: { callState: 'connected', dnd: true, statusText: 'In a Teams call', at: null },
    },
  };

  it.each([
    [
      'en-US',
      'Admin',
      'User diagnostics',
      'Busy · In a call',
      'On a call · Do not disturb · In a Teams call',
    ],
    [
      'de-DE',
      'Verwaltung',
      'Benutzerdiagnose',
      'Beschäftigt · In einem Anruf',
      'Im Gespräch · Nicht stören · In a Teams call',
    ],
  ])(
    'shows both sides in words, not Graph and CloudLink tokens (%s)',
    async (locale, admin, section, teams, phone) => {
      renderShell({ context: { locale }, routes: adminRoutes(() => busy) });
      await openDiagnostics(admin, section, 'Diagnose');
      expect(await screen.findByText(teams)).toBeInTheDocument();
      expect(screen.getByText(phone)).toBeInTheDocument();
      expect(screen.queryByText(/InACall|connected/)).not.toBeInTheDocument();
    },
  );
});

describe("the admin's resync of one user", () => {
  it('says when it finished, and the cards show both sides as read again', async () => {
    let resynced = false;
    renderShell({
      routes: {
        ...adminRoutes(() =>
          resynced
            ? {
                ...diagnostics,
                sync: { ...status, teams: { availability: 'Away', activity: 'Away', at: null } },
              }
            : diagnostics,
        ),
        'POST /api/admin/users/e1/resync': () => {
          resynced = true;
          return { body: status };
        },
      },
    });
    await openDiagnostics();
    expect(await screen.findByText('Available')).toBeInTheDocument();
    expect(screen.queryByText(/^Synced at /)).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Resync this user' }));
    expect(await screen.findByText(/^Synced at \d{1,2}:\d{2}:\d{2}/)).toHaveAttribute('role', 'status');
    expect(resynced).toBe(true);
    expect(screen.getByText('Away')).toBeInTheDocument();
  });
});

describe("a user's sync problem in the admin's diagnostics", () => {
  it('reads in German in a German tab, the provider’s words quoted as they came', async () => {
    const refused: UserDiagnostics = {
      ...diagnostics,
      sync: {
        ...status,
        problem: {
          message: 'sign-in refused: AADSTS50126: Invalid username or password.',
          fix: 'Check the presence monitor account: its name, its password, and that it is not locked, disabled or expired.',
          messageText: {
            code: 'sync.signInRefused',
            params: { detail: 'AADSTS50126: Invalid username or password.' },
          },
          fixText: { code: 'fix.signIn.accountCredentials' },
        },
      },
    };
    renderShell({ context: { locale: 'de-DE' }, routes: adminRoutes(() => refused) });
    await openDiagnostics('Verwaltung', 'Benutzerdiagnose', 'Diagnose');
    expect(
      await screen.findByText(/Anmeldung abgelehnt: AADSTS50126: Invalid username or password\./),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Prüfen Sie das Konto des Presence-Monitors: Name, Passwort, und dass es nicht gesperrt, deaktiviert oder abgelaufen ist.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/sign-in refused|Check the presence monitor/)).not.toBeInTheDocument();
  });
});
