import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminClickToCall } from '../../shared/api/contract';
import { me, renderShell, type Route, quietHealth } from './harness';

const health = quietHealth;
const defaults: AdminClickToCall = {
  byClient: { desktop: 'tel', web: 'tel', ios: 'micollab://dial?number={number}', android: 'tel' },
};

function routes(put: Route): Record<string, Route> {
  return {
    'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
    'GET /api/admin/health': () => ({ body: health }),
    'GET /api/admin/click-to-call': () => ({ body: defaults }),
    'PUT /api/admin/click-to-call': put,
    // The dialling rules share the section (their own test: admin-dial-rules.test.tsx).
    'GET /api/admin/dial-rules': () => ({
      body: { country: 'DE', outsidePrefix: '0', dialWithPrefix: false },
    }),
  };
}

/** The click-to-call section's own Save (the dialling rules below it have one too). */
const saveButton = () =>
  within(screen.getByRole('region', { name: 'Click-to-call' })).getByRole('button', { name: 'Save' });

async function openSection(admin: string, section: string) {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  // The admin pages are a lazily loaded chunk: the first import takes a moment.
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
}

describe('admin click-to-call defaults', () => {
  it('shows the current default per client type and saves a change for all four', async () => {
    const { seen } = renderShell({ routes: routes((req) => ({ body: req.body })) });
    await openSection('Admin', 'Click-to-call');
    const ios = await screen.findByRole('textbox', { name: /iPhone \/ iPad/ });
    expect(ios).toHaveValue('micollab://dial?number={number}');
    expect(screen.getByRole('textbox', { name: /Browser/ })).toHaveValue('tel');

    fireEvent.change(screen.getByRole('textbox', { name: /Browser/ }), {
      target: { value: ' sip:{number}@pbx.contoso.example ' },
    });
    await userEvent.click(saveButton());

    expect(await screen.findByRole('status')).toHaveTextContent('Saved.');
    const put = seen.find((r) => r.method === 'PUT' && r.path === '/api/admin/click-to-call');
    expect(put?.body).toEqual({
      byClient: { ...defaults.byClient, web: 'sip:{number}@pbx.contoso.example' },
    });
  });

  it('says it is saving while the server answers, and cannot be sent twice', async () => {
    let answer!: () => void;
    renderShell({
      routes: routes((req) => new Promise((resolve) => (answer = () => resolve({ body: req.body })))),
    });
    await openSection('Admin', 'Click-to-call');
    await screen.findByRole('textbox', { name: /Browser/ });
    await userEvent.click(saveButton());
    const region = screen.getByRole('region', { name: 'Click-to-call' });
    expect(await within(region).findByRole('button', { name: 'Saving…' })).toBeDisabled();
    answer();
    expect(await screen.findByRole('status')).toHaveTextContent('Saved.');
    expect(within(region).getByRole('button', { name: 'Save' })).toBeEnabled();
  });

  it('names a link that could run script or has no {number}, and does not send it', async () => {
    const { seen } = renderShell({ routes: routes((req) => ({ body: req.body })) });
    await openSection('Admin', 'Click-to-call');
    const desktop = await screen.findByRole('textbox', { name: /Windows \/ Mac/ });
    const save = saveButton();

    for (const bad of ['javascript:alert({number})', 'https://evil.example/?n={number}', 'micollab://dial']) {
      fireEvent.change(desktop, { target: { value: bad } });
      expect(await screen.findByText(/exactly one \{number\}/)).toBeVisible();
      expect(save).toBeDisabled();
    }
    fireEvent.change(desktop, { target: { value: 'tel' } });
    await waitFor(() => expect(save).toBeEnabled());
    expect(screen.queryByText(/exactly one \{number\}/)).toBeNull();
    expect(seen.some((r) => r.method === 'PUT')).toBe(false);
  });

  it("shows the server's refusal when saving fails", async () => {
    renderShell({
      routes: routes(() => ({
        status: 400,
        body: { error: { code: 'bad_request', message: 'byClient.ios: must be "tel" or a link template' } },
      })),
    });
    await openSection('Admin', 'Click-to-call');
    await screen.findByRole('textbox', { name: /Android/ });
    await userEvent.click(saveButton());
    expect(await screen.findByRole('alert')).toHaveTextContent('byClient.ios');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('speaks German in a German Teams', async () => {
    renderShell({ routes: routes((req) => ({ body: req.body })), context: { locale: 'de-DE' } });
    await openSection('Verwaltung', 'Click-to-Call');
    expect(await screen.findByText(/Wie ein Klick auf eine Rufnummer den Anruf startet/)).toBeVisible();
    fireEvent.change(await screen.findByRole('textbox', { name: /Android/ }), {
      target: { value: 'data:{number}' },
    });
    expect(await screen.findByText(/genau einem \{number\}/)).toBeVisible();
  });
});
