import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { UserSelection } from '../../shared/api/contract';
import { me, quietHealth, renderShell, type SeenRequest } from './harness';

/**
 * Issue 14 item 9: the admin chooses the synced group by searching groups by name (the server asks Graph), not by
 * pasting a GUID; what is saved is the group's id with its name, and the name is what the page shows after.
 */

const GROUPS = [
  { id: '11111111-2222-3333-4444-555555555555', displayName: 'Sales Berlin', description: 'Field sales' },
  { id: '66666666-7777-8888-9999-000000000000', displayName: 'Salesforce Admins', description: null },
];

function render(
  options: { groups?: (req: SeenRequest) => { status?: number; body: unknown }; locale?: string } = {},
) {
  let selection: UserSelection = {
    mode: 'allWithBlockList',
    blockList: [],
    groupId: null,
    allowList: [],
    sendToTeams: true,
    getFromTeams: true,
  };
  const view = renderShell({
    context: { locale: options.locale ?? 'en-US' },
    routes: {
      'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
      'GET /api/admin/health': () => ({ body: quietHealth }),
      'GET /api/admin/users': () => ({
        body: {
          items: [],
          total: 0,
          skip: 0,
          top: 50,
          directory: { entraReadAt: null, pbxReadAt: null, problem: null },
        },
      }),
      'GET /api/admin/selection': () => ({ body: selection }),
      'PUT /api/admin/selection': (req) => {
        selection = req.body as UserSelection;
        return { body: selection };
      },
      'GET /api/admin/groups': (req) =>
        options.groups
          ? options.groups(req)
          : {
              body: {
                items: GROUPS.filter((g) =>
                  g.displayName.toLowerCase().startsWith((req.query.get('q') ?? '').toLowerCase()),
                ),
              },
            },
    },
  });
  return { ...view, saved: () => selection };
}

async function openSelection(admin = 'Admin', section = 'User selection') {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
}

// The admin page is heavy for jsdom; on a busy machine a test takes tens of seconds.
jest.setTimeout(240_000);

describe('choosing the synced group', () => {
  it('searches groups by name and saves the chosen group with its name', async () => {
    const { seen, saved } = render();
    await openSelection();
    await userEvent.click(
      await screen.findByRole('radio', { name: 'Members of a group, plus the allow list' }),
    );
    expect(screen.getByTestId('selected-group')).toHaveTextContent('No group chosen yet.');
    const box = screen.getByRole('combobox', { name: /Group/ });
    await userEvent.type(box, 'sales');
    const option = await screen.findByRole('option', { name: /^Sales Berlin/ }, { timeout: 5000 });
    expect(screen.getByRole('option', { name: 'Salesforce Admins' })).toBeInTheDocument();
    // The search the page sent last is the whole name typed (earlier keystrokes may have searched too, on a slow run).
    expect(
      seen
        .filter((r) => r.path === '/api/admin/groups')
        .at(-1)
        ?.query.get('q'),
    ).toBe('sales');
    await userEvent.click(option);
    expect(screen.getByTestId('selected-group')).toHaveTextContent('Synced group: Sales Berlin');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(saved()).toMatchObject({
        mode: 'groupWithAllowList',
        groupId: GROUPS[0]!.id,
        groupName: 'Sales Berlin',
      }),
    );
  });

  it('says when no group matches, and takes a pasted group id', async () => {
    const { saved } = render();
    await openSelection();
    await userEvent.click(
      await screen.findByRole('radio', { name: 'Members of a group, plus the allow list' }),
    );
    const box = screen.getByRole('combobox', { name: /Group/ });
    await userEvent.type(box, 'zzz');
    expect(
      await screen.findByRole(
        'option',
        { name: 'No group has a name starting with "zzz".' },
        { timeout: 5000 },
      ),
    ).toHaveAttribute('aria-disabled', 'true');
    await userEvent.clear(box);
    await userEvent.click(box);
    await userEvent.paste(GROUPS[1]!.id);
    await userEvent.click(
      await screen.findByRole('option', { name: `Use the group with id ${GROUPS[1]!.id}` }),
    );
    expect(screen.getByTestId('selected-group')).toHaveTextContent(`Synced group: id ${GROUPS[1]!.id}`);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saved()).toMatchObject({ groupId: GROUPS[1]!.id, groupName: null }));
  });

  it('tells the admin which permission is missing when Graph refuses to list groups, in German too', async () => {
    render({
      locale: 'de-DE',
      groups: () => ({
        status: 502,
        body: { error: { code: 'graph_permission_missing', message: 'refused' }, requestId: 'r-1' },
      }),
    });
    await openSelection('Verwaltung', 'Benutzerauswahl');
    await userEvent.click(
      await screen.findByRole('radio', { name: 'Mitglieder einer Gruppe plus Zulassungsliste' }),
    );
    await userEvent.type(screen.getByRole('combobox', { name: /Gruppe/ }), 'vert');
    expect(await screen.findByRole('alert', {}, { timeout: 5000 })).toHaveTextContent(
      /Anwendungsberechtigung GroupMember\.Read\.All/,
    );
  });
});
