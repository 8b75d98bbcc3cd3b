import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { me, renderShell } from './harness';

jest.setTimeout(240_000);

describe('settings: a save shows that it runs and what came of it', () => {
  it('shows "Saving…" while the server works, then "Saved."; a refused save says why in words', async () => {
    let answer: (a: { status?: number; body?: unknown }) => void = () => undefined;
    renderShell({
      page: 'settings',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'PUT /api/me/settings': () => new Promise((resolve) => (answer = resolve)),
      },
    });
    const save = await screen.findByText('Save', { selector: 'button' });
    await userEvent.click(save);
    expect(await screen.findByText('Saving…')).toBeInTheDocument();
    expect(save).toBeDisabled();
    act(() => answer({ body: { missedCallNotice: false } }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();

    await userEvent.click(save);
    act(() => answer({ status: 503, body: { error: { code: 'unavailable', message: 'store down' } } }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Switchboard has a problem on its side.');
    expect(alert).not.toHaveTextContent('store down');
    expect(screen.queryByText('Saved.')).toBeNull();
  });
});
