import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { me, renderShell, syncStatus } from './harness';

const base = { 'GET /api/me/calls': () => ({ body: { items: [] } }) };

describe('the tab shell', () => {
  it('shows no admin page to a user without the admin role', async () => {
    renderShell({ routes: { ...base, 'GET /api/me': () => ({ body: me({ isAdmin: false }) }) } });
    expect(await screen.findByRole('tab', { name: 'Calls' })).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('does not open the admin page for a non-admin even when asked to', async () => {
    const { seen } = renderShell({
      page: 'admin',
      routes: { ...base, 'GET /api/me': () => ({ body: me({ isAdmin: false }) }) },
    });
    expect(await screen.findByRole('tab', { name: 'Calls', selected: true })).toBeInTheDocument();
    expect(seen.some((r) => r.path.startsWith('/api/admin'))).toBe(false);
  });

  it('loads the admin pages for an admin', async () => {
    renderShell({
      routes: {
        ...base,
        'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
        'GET /api/admin/health': () => ({
          body: {
            latency: [
              {
                direction: 'toTeams',
                buckets: [
                  { le: 1, count: 3 },
                  { le: 5, count: 4 },
                ],
                p50: 0.8,
                p95: 2.1,
                p99: 4,
              },
            ],
            queueDepth: 2,
            errorsLastHour: 1,
            subscriptions: { active: 2 },
            throttledWaitsLastHour: 0,
            secretExpiresAt: null,
          },
        }),
      },
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    // The admin pages are a lazily loaded chunk: on a busy machine the first import takes seconds.
    expect(await screen.findByText('Queue depth', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('p50 0.8 s · p95 2.1 s · p99 4.0 s')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'up to 1 s: 3, up to 5 s: 1' })).toBeInTheDocument();
  });

  it('follows the Teams theme live', async () => {
    const { container, changeTheme } = renderShell({
      routes: { ...base, 'GET /api/me': () => ({ body: me() }) },
      context: { theme: 'default' },
    });
    await screen.findByRole('tab', { name: 'Calls' });
    const provider = container.querySelector('[data-theme]') as HTMLElement;
    expect(provider).toHaveAttribute('data-theme', 'default');
    act(() => changeTheme('dark'));
    expect(provider).toHaveAttribute('data-theme', 'dark');
    act(() => changeTheme('contrast'));
    expect(provider).toHaveAttribute('data-theme', 'contrast');
  });

  it.each([
    [
      'en-US',
      'Your organisation has not set up Switchboard yet.',
      'Set up Switchboard for your organisation',
    ],
    [
      'de-DE',
      'Ihre Organisation hat Switchboard noch nicht eingerichtet.',
      'Switchboard für Ihre Organisation einrichten',
    ],
  ])(
    '(%s) says the organisation has not set up Switchboard, with the sign-up link for its admin',
    async (locale, text, link) => {
      const { seen } = renderShell({
        context: { locale },
        routes: {
          ...base,
          'GET /api/me': () => ({
            status: 403,
            body: {
              error: {
                code: 'tenant_not_onboarded',
                message: 'Your organisation has not set up Switchboard yet.',
                onboardUrl: 'https://switchboard.partner.example/onboard',
              },
            },
          }),
        },
      });
      expect(await screen.findByText(text)).toBeInTheDocument();
      const anchor = screen.getByRole('link', { name: link });
      expect(anchor).toHaveAttribute('href', 'https://switchboard.partner.example/onboard');
      expect(anchor).toHaveAttribute('target', '_blank');
      // Nothing to retry and no consent to ask: no button, no other page loaded.
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
      expect(seen.filter((r) => r.path !== '/api/me')).toEqual([]);
    },
  );

  it('makes no link of an onboarding address that is not http(s)', async () => {
    renderShell({
      routes: {
        ...base,
        'GET /api/me': () => ({
          status: 403,
          body: {
            error: { code: 'tenant_not_onboarded', message: 'x', onboardUrl: 'javascript:alert(1)' },
          },
        }),
      },
    });
    expect(await screen.findByText('Your organisation has not set up Switchboard yet.')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('asks for consent when the server needs it, then retries', async () => {
    let consented = false;
    const { host } = renderShell({
      routes: {
        ...base,
        'GET /api/me': () =>
          consented
            ? { body: me() }
            : {
                status: 403,
                body: {
                  error: {
                    code: 'consent_required',
                    message: 'Consent needed for Graph',
                    action: 'consent_required',
                  },
                },
              },
      },
    });
    const button = await screen.findByRole('button', { name: 'Give permission' });
    expect(screen.getByText(/needs your permission/)).toBeInTheDocument();
    consented = true;
    await userEvent.click(button);
    expect(host.consentRequests).toBe(1);
    expect(await screen.findByRole('tab', { name: 'Calls' })).toBeInTheDocument();
  });

  it('asks for consent when any page finds it missing, then shows that page', async () => {
    let consented = false;
    const { host } = renderShell({
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/calls': () =>
          consented
            ? { body: { items: [] } }
            : {
                status: 403,
                body: {
                  error: { code: 'consent_required', message: 'Consent needed', action: 'consent_required' },
                },
              },
      },
    });
    const button = await screen.findByRole('button', { name: 'Give permission' }, { timeout: 10_000 });
    consented = true;
    await userEvent.click(button);
    expect(host.consentRequests).toBe(1);
    expect(await screen.findByText('No calls here yet.')).toBeInTheDocument();
  });

  it('explains other sign-in failures with the request id', async () => {
    renderShell({
      routes: {
        'GET /api/me': () => ({
          status: 401,
          body: { error: { code: 'invalid_token', message: 'The token expired.' }, requestId: 'req-42' },
        }),
      },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Sign-in failed: Your sign-in has expired. Close and reopen Switchboard, then try again.',
    );
    expect(screen.getByText('Request id: req-42')).toBeInTheDocument();
  });

  it('with the server unreachable says so in words, never the browser’s "TypeError: Failed to fetch"', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: {
        'GET /api/me': () => {
          throw new TypeError('Failed to fetch');
        },
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/Switchboard ist gerade nicht erreichbar/);
    expect(alert).not.toHaveTextContent(/TypeError|Failed to fetch/);
    expect(within(alert).getByRole('button', { name: 'Erneut versuchen' })).toBeInTheDocument();
  });

  it('can be used with the keyboard: a focused section tab opens with Enter', async () => {
    renderShell({
      routes: {
        ...base,
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => ({ body: syncStatus() }),
      },
    });
    await screen.findByRole('tab', { name: 'Calls' });
    screen.getByRole('tab', { name: 'My sync status' }).focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'My sync status' })).toHaveAttribute('aria-selected', 'true'),
    );
  });
});
