import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TenantLinkUpdate, TenantLinkView } from '../../shared/api/contract';
import { me, quietHealth, renderShell, type SeenRequest } from './harness';

const linked: TenantLinkView = {
  tenantId: 't1',
  clientId: '11111111-2222-4333-8444-555555555555',
  clientSecretSet: true,
  clientSecretExpiresAt: '2027-06-30T00:00:00.000Z',
  cloudlink: { accountId: 'acc-1', clientId: 'cl-client', clientSecretSet: true },
};

function renderTenantLink(locale = 'en-US') {
  const puts: TenantLinkUpdate[] = [];
  const view = renderShell({
    context: { locale },
    routes: {
      'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
      'GET /api/admin/health': () => ({ body: quietHealth }),
      'GET /api/admin/problems': () => ({ body: { items: [] } }),
      'GET /api/admin/tenant': () => ({ body: linked }),
      'PUT /api/admin/tenant': (r: SeenRequest) => {
        puts.push(r.body as TenantLinkUpdate);
        return { body: linked };
      },
    },
  });
  return { ...view, puts };
}

async function open(admin: string, section: string) {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
}

// Fluent in jsdom is slow on a busy machine; these limits are for that, never a speed assertion.
jest.setTimeout(240_000);

describe('tenant link form', () => {
  it('refuses to empty a saved client id or CloudLink account, says why at the field, and saves nothing', async () => {
    const { puts } = renderTenantLink();
    await open('Admin', 'Tenant link');
    const clientId = await screen.findByLabelText('App (client) id');
    await waitFor(() => expect(clientId).toHaveValue(linked.clientId));
    fireEvent.change(clientId, { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('CloudLink account id'), { target: { value: ' ' } });
    await userEvent.click(screen.getByText('Save', { selector: 'button' }));
    expect(
      await screen.findAllByText('Required. A saved value can be replaced here, but not removed.'),
    ).toHaveLength(2);
    expect(screen.queryByText('Saved.')).toBeNull();
    expect(puts).toEqual([]);

    // Secrets stay write-only: empty keeps them, and the field says so.
    expect(screen.getAllByText('Write-only: leave empty to keep the current secret.')).toHaveLength(2);
    fireEvent.change(clientId, { target: { value: linked.clientId } });
    fireEvent.change(screen.getByLabelText('CloudLink account id'), { target: { value: 'acc-2' } });
    await userEvent.click(screen.getByText('Save', { selector: 'button' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(puts).toEqual([{ cloudlink: { accountId: 'acc-2', clientId: 'cl-client' } }]);
    expect(screen.queryByText(/^Required\./)).toBeNull();
  });

  it('an untouched form says nothing changed instead of "Saved.", in German too', async () => {
    const { puts } = renderTenantLink('de-DE');
    await open('Verwaltung', 'Mandanten-Verknüpfung');
    await waitFor(() => expect(screen.getByLabelText('App-(Client-)ID')).toHaveValue(linked.clientId));
    await userEvent.click(screen.getByText('Speichern', { selector: 'button' }));
    expect(
      await screen.findByText('Nichts geändert: Das Formular entspricht dem Gespeicherten.'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Gespeichert.')).toBeNull();
    expect(puts).toEqual([]);
  });
});
