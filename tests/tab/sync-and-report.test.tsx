import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CreateReportRequest, ReportSummary } from '../../shared/api/contract';
import { me, renderShell, syncStatus } from './harness';

describe('my sync status', () => {
  it('shows both sides, what Switchboard set, and a problem in words with its fix', async () => {
    renderShell({
      page: 'sync',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => ({
          body: syncStatus({
            enabled: { toTeams: true, fromTeams: false },
            problem: {
              message: 'Your Teams status is set by hand, so Switchboard cannot show your calls.',
              fix: 'Reset your status in Teams.',
            },
          }),
        }),
      },
    });
    expect(await screen.findByText(/set by hand/)).toBeInTheDocument();
    expect(screen.getByText('Reset your status in Teams.')).toBeInTheDocument();
    expect(screen.getByText('Busy')).toBeInTheDocument();
    expect(screen.getByText('On a call')).toBeInTheDocument();
    expect(screen.getByText('Busy · In a call')).toBeInTheDocument();
  });

  it('shows what Switchboard last set on the phone side, in the shape the server sends', async () => {
    renderShell({
      page: 'sync',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => ({
          body: syncStatus({
            lastAssertion: { side: 'pbx', what: 'DND on: In a Teams call', at: '2026-11-23T11:20:01.272Z' },
          }),
        }),
      },
    });
    expect(await screen.findByText('Phone do-not-disturb on: In a Teams call')).toBeInTheDocument();
    expect(screen.getByText(/^on the phone ·/)).toBeInTheDocument();
    expect(screen.queryByText('No data yet')).toBeNull();
  });

  it('syncs on request and shows the new state', async () => {
    let synced = false;
    const { seen } = renderShell({
      page: 'sync',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/sync': () => ({
          body: syncStatus({ pbx: { callState: 'idle', dnd: false, statusText: null, at: null } }),
        }),
        'POST /api/me/sync': () => {
          synced = true;
          return {
            body: syncStatus({
              pbx: {
                callState: 'idle',
                dnd: true,
                statusText: 'In a Teams meeting',
                at: new Date().toISOString(),
              },
            }),
          };
        },
      },
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect(await screen.findByText('In a Teams meeting')).toBeInTheDocument();
    expect(screen.getByText('Do not disturb')).toBeInTheDocument();
    expect(synced).toBe(true);
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('report a problem', () => {
  function reportRoutes(store: ReportSummary[]) {
    return {
      'GET /api/me': () => ({ body: me() }),
      'GET /api/me/reports': () => ({ body: { items: store } }),
      'GET /api/me/reports/diagnostics-preview': () => ({
        body: { user: 'ada@contoso.example', sync: { lastSyncAt: '2026-11-23T10:00:00Z' } },
      }),
      'POST /api/me/reports': (r: { body: unknown }) => {
        const req = r.body as CreateReportRequest;
        const now = new Date().toISOString();
        const summary: ReportSummary = {
          reportId: 'R-1042',
          category: req.category,
          description: req.description,
          status: 'new',
          createdAt: now,
          updatedAt: now,
          reporterName: 'Ada Example',
          source: 'tab',
          history: [],
        };
        store.unshift(summary);
        return { status: 201, body: summary };
      },
    };
  }

  it('sends category, description, diagnostics choice and client, then shows the id and status', async () => {
    const store: ReportSummary[] = [];
    const { seen } = renderShell({
      page: 'report',
      routes: reportRoutes(store),
      context: { hostClientType: 'android' },
    });
    expect(await screen.findByText('You have not reported anything yet.')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'What is it about?' }), 'clickToCall');
    await userEvent.type(
      screen.getByRole('textbox', { name: /What happened/ }),
      'The call button does nothing',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send report' }));
    expect(
      await screen.findByText(/Your report R-1042 was received; its status is "New"/),
    ).toBeInTheDocument();
    const sent = seen.find((r) => r.method === 'POST')?.body as CreateReportRequest;
    expect(sent).toEqual({
      category: 'clickToCall',
      description: 'The call button does nothing',
      includeDiagnostics: true,
      client: { type: 'android', locale: 'en-US' },
    });
    const mine = screen.getByRole('list', { name: 'My earlier reports' });
    expect(within(mine).getByText('Calling from Teams: The call button does nothing')).toBeInTheDocument();
    expect(within(mine).getByText(/^Report R-1042 · /)).toBeInTheDocument();
  });

  it('titles earlier reports by their translated category and first words, not by their id', async () => {
    const created = '2026-11-20T09:30:00Z';
    const report: ReportSummary = {
      reportId: 'R-7',
      category: 'presence',
      description: 'Mein Status bleibt auf Besetzt, obwohl ich seit einer Stunde nicht telefoniere',
      status: 'acknowledged',
      createdAt: created,
      updatedAt: created,
      reporterName: 'Ada Example',
      source: 'tab',
      history: [],
    };
    renderShell({ page: 'report', routes: reportRoutes([report]), context: { locale: 'de-DE' } });
    const mine = await screen.findByRole('list', { name: 'Meine bisherigen Meldungen' });
    const item = within(mine).getByRole('listitem');
    expect(
      within(item).getByText('Anwesenheit / Status: Mein Status bleibt auf Besetzt, obwohl ich seit…'),
    ).toBeInTheDocument();
    expect(within(item).getByText(/^Meldung R-7 · 20\.11\.2026/)).toBeInTheDocument();
    expect(within(item).queryByText('R-7')).toBeNull();
  });

  it('shows exactly what diagnostics would be sent before sending', async () => {
    renderShell({ page: 'report', routes: reportRoutes([]) });
    await userEvent.click(await screen.findByRole('button', { name: 'Preview what will be sent' }));
    expect(await screen.findByTestId('diagnostics-preview')).toHaveTextContent(
      '"user": "ada@contoso.example"',
    );
  });

  it('does not send an empty description', async () => {
    const { seen } = renderShell({ page: 'report', routes: reportRoutes([]) });
    await userEvent.click(await screen.findByRole('button', { name: 'Send report' }));
    expect(await screen.findByText('Please describe what happened.')).toBeInTheDocument();
    await waitFor(() => expect(seen.some((r) => r.method === 'POST')).toBe(false));
  });
});
