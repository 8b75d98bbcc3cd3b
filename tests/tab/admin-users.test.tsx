import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminUserRow, AdminUsersResponse } from '../../shared/api/contract';
import { me, renderShell, type SeenRequest, quietHealth } from './harness';

/**
 * The admin's user list (issue 10): paged and searched on the server, phone users without a Teams match shown with
 * the reason, and mapping a phone user to a Teams user by hand (and removing that mapping).
 */

const health = quietHealth;

const teamsRow = (i: number, over: Partial<AdminUserRow> = {}): AdminUserRow => ({
  key: `e${i}`,
  entraUserId: `e${i}`,
  upn: `user${i}@contoso.example`,
  displayName: `User ${String(i).padStart(3, '0')}`,
  extension: String(2000 + i),
  selected: true,
  matched: true,
  status: 'matched',
  pbx: {
    principalId: `p${i}`,
    name: `User ${i}`,
    email: `user${i}@contoso.example`,
    extension: String(2000 + i),
  },
  candidates: [],
  rivals: [],
  ...over,
});
const pbxRow = (name: string, over: Partial<AdminUserRow>): AdminUserRow => ({
  key: `pbx:${name}`,
  entraUserId: null,
  upn: null,
  displayName: name,
  extension: '4001',
  selected: false,
  matched: false,
  status: 'notMatched',
  pbx: { principalId: `pbx-${name}`, name, email: null, extension: '4001' },
  candidates: [],
  rivals: [],
  ...over,
});

const special: AdminUserRow[] = [
  pbxRow('Lobby Phone', { status: 'noMail' }),
  pbxRow('Stranger', {
    status: 'notMatched',
    pbx: { principalId: 'pbx-s', name: 'Stranger', email: 's@elsewhere.example', extension: null },
  }),
  pbxRow('Front Desk', {
    status: 'ambiguous',
    pbx: { principalId: 'pbx-fd', name: 'Front Desk', email: 'shared@contoso.example', extension: null },
    candidates: [
      { entraUserId: 'a', upn: 'shared@contoso.example', displayName: 'A' },
      { entraUserId: 'b', upn: 'other@contoso.example', displayName: 'B' },
    ],
  }),
  pbxRow('Desk B', {
    status: 'contested',
    candidates: [{ entraUserId: 'd', upn: 'desk@contoso.example', displayName: 'Desk Owner' }],
    rivals: [{ principalId: 'pbx-da', name: 'Desk A' }],
  }),
  teamsRow(900, {
    displayName: 'Ann Manual',
    status: 'manual',
    pbx: { principalId: 'pbx-ann', name: 'Ann Phone', email: null, extension: '4100' },
  }),
];
const all = [...special, ...Array.from({ length: 120 }, (_, i) => teamsRow(i))];

const readAt = '2026-12-01T08:00:00.000Z';
let directory: AdminUsersResponse['directory'] = { entraReadAt: readAt, pbxReadAt: readAt, problem: null };

/** A server that searches and pages like the real one. */
function usersRoute(req: SeenRequest): { body: AdminUsersResponse } {
  const q = (req.query.get('q') ?? '').toLowerCase();
  const skip = Number(req.query.get('skip') ?? 0);
  const top = Number(req.query.get('top') ?? 50);
  const hits = all.filter((r) => !q || [r.displayName, r.upn ?? ''].some((v) => v.toLowerCase().includes(q)));
  return { body: { items: hits.slice(skip, skip + top), total: hits.length, skip, top, directory } };
}

function render(locale = 'en-US') {
  return renderShell({
    context: { locale },
    routes: {
      'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
      'GET /api/admin/health': () => ({ body: health }),
      'GET /api/admin/users': usersRoute,
      'PUT /api/admin/users/overrides': (req) => ({
        body: { items: [{ ...(req.body as object), pbxName: null, upn: null, stale: false }] },
      }),
      'DELETE /api/admin/users/overrides/pbx-ann': () => ({ body: { items: [] } }),
    },
  });
}

async function openUsers(admin = 'Admin', section = 'User diagnostics') {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
}

// Fluent in jsdom beside the rest of the suite on 2 cores: one of these tests took 48 s alone and ran past 60 s in a
// clean CI run. The limit guards against a hang, not speed (the config's comment says so).
jest.setTimeout(180_000);

describe('admin user list', () => {
  it('pages and searches on the server', async () => {
    const { seen } = render();
    await openUsers();
    expect(await screen.findByText('1–50 of 125')).toBeVisible();
    const userRequests = () => seen.filter((r) => r.path === '/api/admin/users');
    expect(userRequests().at(-1)?.query.get('top')).toBe('50');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('51–100 of 125')).toBeVisible();
    expect(userRequests().at(-1)?.query.get('skip')).toBe('50');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('101–125 of 125')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search users' }), 'user11');
    // Back to the first page of the server's answer for the search.
    expect(await screen.findByText('1–11 of 11')).toBeVisible();
    const last = userRequests().at(-1)!;
    expect(last.query.get('q')).toBe('user11');
    expect(last.query.get('skip')).toBeNull();
  });

  it('shows phone users without a Teams match with the reason', async () => {
    render();
    await openUsers();
    const table = await screen.findByRole('table', { name: 'Search users' });
    const row = (name: string) => within(table).getByText(name).closest('tr') as HTMLElement;
    expect(row('Lobby Phone')).toHaveTextContent('Not matched: the phone user has no e-mail address');
    expect(row('Stranger')).toHaveTextContent('no Teams user has the e-mail address s@elsewhere.example');
    expect(row('Front Desk')).toHaveTextContent(
      'Ambiguous: shared@contoso.example fits several Teams users (shared@contoso.example, other@contoso.example)',
    );
    expect(row('Desk B')).toHaveTextContent('Contested: desk@contoso.example is also claimed by Desk A');
    expect(row('Ann Manual')).toHaveTextContent('Mapped by hand');
    // Phone users have nothing to diagnose, but can be mapped.
    expect(within(row('Lobby Phone')).queryByRole('button', { name: /Diagnose/ })).toBeNull();
  });

  it('maps a phone user to a Teams user by hand, and removes a mapping', async () => {
    const { seen } = render();
    await openUsers();
    await userEvent.click(await screen.findByRole('button', { name: 'Map to a Teams user: Lobby Phone' }));
    const panel = screen.getByRole('region', { name: 'Map phone user Lobby Phone to a Teams user' });
    await userEvent.type(within(panel).getByRole('searchbox', { name: 'Search Teams users' }), 'User 007');
    await userEvent.click(await within(panel).findByRole('button', { name: 'Map: User 007' }));
    await waitFor(() =>
      expect(seen.find((r) => r.method === 'PUT')?.body).toEqual({
        pbxPrincipalId: 'pbx-Lobby Phone',
        entraUserId: 'e7',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('region', { name: /Map phone user/ })).toBeNull());

    await userEvent.click(screen.getByRole('button', { name: 'Remove mapping: Ann Manual' }));
    await waitFor(() =>
      expect(seen.some((r) => r.method === 'DELETE' && r.path === '/api/admin/users/overrides/pbx-ann')).toBe(
        true,
      ),
    );
  });

  it('says when the directories were read, and warns when the last read failed', async () => {
    render();
    await openUsers();
    expect(await screen.findByText(/Teams users last read .*every 5 minutes/)).toBeVisible();
    expect(screen.queryByText(/could not be read/)).toBeNull();
    directory = { ...directory, problem: { at: readAt, message: 'Graph 403 Authorization_RequestDenied' } };
    try {
      await userEvent.type(screen.getByRole('searchbox', { name: 'Search users' }), 'x');
      expect(
        await screen.findByText(
          'The user directories could not be read (Graph 403 Authorization_RequestDenied). The list shows what was read before.',
        ),
      ).toBeVisible();
    } finally {
      directory = { ...directory, problem: null };
    }
  });

  it('says in German that Microsoft Graph refused the directory read, Graph’s words quoted as they came', async () => {
    render('de-DE');
    await openUsers('Verwaltung', 'Benutzerdiagnose');
    expect(await screen.findByText('1–50 von 125')).toBeVisible();
    directory = {
      ...directory,
      problem: {
        at: readAt,
        message: 'Microsoft Graph refused: Authorization_RequestDenied',
        messageText: {
          code: 'sync.refused',
          params: { system: 'Microsoft Graph', detail: 'Authorization_RequestDenied' },
        },
      },
    };
    try {
      await userEvent.type(screen.getByRole('searchbox', { name: 'Benutzer suchen' }), 'x');
      expect(
        await screen.findByText(/\(Microsoft Graph hat abgelehnt: Authorization_RequestDenied\)/),
      ).toBeVisible();
      expect(screen.queryByText(/Microsoft Graph refused/)).toBeNull();
    } finally {
      directory = { ...directory, problem: null };
    }
  });

  it('speaks German in a German Teams', async () => {
    render('de-DE');
    await openUsers('Verwaltung', 'Benutzerdiagnose');
    expect(await screen.findByText('1–50 von 125')).toBeVisible();
    expect(screen.getByText('Nicht zugeordnet: Der Telefonbenutzer hat keine E-Mail-Adresse')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Einem Teams-Benutzer zuordnen: Lobby Phone' })).toBeVisible();
  });
});
