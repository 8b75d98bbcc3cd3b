import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DialRules } from '../../shared/api/contract';
import { me, quietHealth, renderShell, type SeenRequest } from './harness';

const byClient = { desktop: 'tel', web: 'tel', ios: 'micollab://dial?number={number}', android: 'tel' };

function routes(stored: DialRules) {
  return {
    'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
    'GET /api/admin/health': () => ({ body: quietHealth }),
    'GET /api/admin/problems': () => ({ body: { items: [] } }),
    'GET /api/admin/click-to-call': () => ({ body: { byClient } }),
    'GET /api/admin/dial-rules': () => ({ body: stored }),
    'PUT /api/admin/dial-rules': (r: SeenRequest) => ({ body: r.body }),
  };
}

async function openDialRules(tab = 'Admin', section = 'Click-to-call', title = 'Dialling rules') {
  await userEvent.click(await screen.findByRole('tab', { name: tab }));
  await userEvent.click(await screen.findByRole('tab', { name: section }, { timeout: 5000 }));
  // The section holds a native select of about 245 regions; role queries over it are slow in jsdom, so the panel
  // and its fields are found by their texts and labels.
  const heading = await screen.findByText(title, { selector: 'h2, h3' });
  return heading.closest('section')!;
}

describe('admin dialling rules', () => {
  it('sets the company country and outside-line prefix, shows what a number dials, and saves', async () => {
    const { seen } = renderShell({
      routes: routes({ country: null, outsidePrefix: '', dialWithPrefix: false }),
    });
    const panel = await openDialRules();
    const prefixBox = within(panel).getByLabelText(/Dial the prefix/);
    expect(prefixBox).toBeDisabled(); // no prefix, no country: nothing to dial before numbers

    fireEvent.change(within(panel).getByLabelText(/Company country/), { target: { value: 'DE' } });
    expect(within(panel).getByText(/ dials | wählt /)).toHaveTextContent('030 1234567 dials +49301234567');
    await userEvent.type(within(panel).getByLabelText(/Outside-line prefix/), '0');
    await userEvent.click(prefixBox);
    expect(within(panel).getByText(/ dials | wählt /)).toHaveTextContent('030 1234567 dials 00301234567');

    await userEvent.click(within(panel).getByText('Save'));
    expect(await within(panel).findByText('Saved.')).toHaveAttribute('role', 'status');
    const put = seen.find((r) => r.method === 'PUT' && r.path === '/api/admin/dial-rules');
    expect(put?.body).toEqual({ country: 'DE', outsidePrefix: '0', dialWithPrefix: true });
  });

  it('refuses a prefix that is not one or two digits before saving', async () => {
    const { seen } = renderShell({
      routes: routes({ country: 'DE', outsidePrefix: '', dialWithPrefix: false }),
    });
    const panel = await openDialRules();
    await userEvent.type(within(panel).getByLabelText(/Outside-line prefix/), '9x');
    expect(within(panel).getByText('Empty, or one or two digits.')).toBeInTheDocument();
    expect(within(panel).getByText('Save').closest('button')).toBeDisabled();
    await waitFor(() => expect(seen.some((r) => r.method === 'PUT')).toBe(false));
  });

  it('speaks German to a German Teams client, with country names in German', async () => {
    renderShell({
      routes: routes({ country: 'AT', outsidePrefix: '0', dialWithPrefix: false }),
      context: { locale: 'de-DE' },
    });
    const panel = await openDialRules('Verwaltung', 'Click-to-Call', 'Wählregeln');
    const country = within(panel).getByLabelText(/Land der Firma/);
    expect(country).toHaveValue('AT');
    expect(within(country).getByText('Österreich (AT)')).toBeInTheDocument();
    expect(within(panel).getByText(/ dials | wählt /)).toHaveTextContent('01 234 5678 wählt +4312345678');
  });
});
