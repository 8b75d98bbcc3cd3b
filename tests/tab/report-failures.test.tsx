import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CreateReportRequest, ReportSummary } from '../../shared/api/contract';
import { me, renderShell } from './harness';

/** What a browser's fetch does when the server is down: it rejects with a TypeError, not an HTTP answer. */
const serverDown = (): never => {
  throw new TypeError('Failed to fetch');
};

function summaryOf(req: CreateReportRequest): ReportSummary {
  const now = new Date().toISOString();
  return {
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
}

/** A report page whose server answers the list and the send only while they are up; sent reports are listed. */
function reportServer(up: { list: boolean; send: boolean }) {
  const store: ReportSummary[] = [];
  const routes = {
    'GET /api/me': () => ({ body: me() }),
    'GET /api/me/reports': () => (up.list ? { body: { items: store } } : serverDown()),
    'POST /api/me/reports': (r: { body: unknown }) => {
      if (!up.send) return serverDown();
      const summary = summaryOf(r.body as CreateReportRequest);
      store.unshift(summary);
      return { status: 201, body: summary };
    },
  };
  return { store, routes };
}

const browserWords = /TypeError|Failed to fetch|Something went wrong/;

describe('the report page with the server down, in German', () => {
  it('says my earlier reports could not be loaded, in words, and a retry lists them', async () => {
    const up = { list: false, send: false };
    const { store, routes } = reportServer(up);
    store.push(
      summaryOf({
        category: 'presence',
        description: 'Status bleibt rot',
        includeDiagnostics: false,
        client: { type: 'desktop' },
      }),
    );
    renderShell({ page: 'report', routes, context: { locale: 'de-DE' } });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihre bisherigen Meldungen konnten nicht geladen werden.');
    expect(alert).toHaveTextContent('Switchboard ist gerade nicht erreichbar.');
    expect(document.body.textContent).not.toMatch(browserWords);

    up.list = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Erneut versuchen' }));
    const mine = await screen.findByRole('list', { name: 'Meine bisherigen Meldungen' });
    expect(within(mine).getByText(/Status bleibt rot/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says the report was not sent, keeps what I wrote, and a retry sends it', async () => {
    const up = { list: true, send: false };
    const { routes } = reportServer(up);
    const { seen } = renderShell({ page: 'report', routes, context: { locale: 'de-DE' } });
    await screen.findByText('Sie haben noch nichts gemeldet.');

    await userEvent.type(screen.getByRole('textbox', { name: /Was ist passiert/ }), 'Anruf-Knopf tut nichts');
    await userEvent.click(screen.getByRole('button', { name: 'Meldung senden' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihre Meldung wurde nicht gesendet.');
    expect(alert).toHaveTextContent('Switchboard ist gerade nicht erreichbar.');
    expect(document.body.textContent).not.toMatch(browserWords);
    expect(screen.getByRole('textbox', { name: /Was ist passiert/ })).toHaveValue('Anruf-Knopf tut nichts');

    up.send = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Erneut versuchen' }));
    expect(await screen.findByText(/Ihre Meldung R-1042 ist eingegangen/)).toBeInTheDocument();
    const posts = seen
      .filter((r) => r.method === 'POST')
      .map((r) => (r.body as CreateReportRequest).description);
    expect(posts).toEqual(['Anruf-Knopf tut nichts', 'Anruf-Knopf tut nichts']);
    const mine = screen.getByRole('list', { name: 'Meine bisherigen Meldungen' });
    expect(within(mine).getByText(/Anruf-Knopf tut nichts/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
