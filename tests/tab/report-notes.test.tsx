import { screen, within } from '@testing-library/react';
import type { ReportSummary } from '../../shared/api/contract';
import { me, renderShell } from './harness';

/** Issue 14 item 4: what an admin asked and what the user answered in the bot chat show on "My earlier reports". */
describe('my earlier reports', () => {
  it("shows the admin's question and my answer under the report, with who wrote them", async () => {
    const report: ReportSummary = {
      reportId: 'R-9',
      category: 'presence',
      description: 'Teams shows me busy all day',
      status: 'acknowledged',
      createdAt: '2026-11-20T09:30:00Z',
      updatedAt: '2026-11-20T11:00:00Z',
      reporterName: 'Ada Example',
      source: 'bot',
      history: [
        { at: '2026-11-20T09:30:00Z', by: 'Ada Example', status: 'new' },
        {
          at: '2026-11-20T10:00:00Z',
          by: 'Grace Admin',
          status: 'needsInfo',
          note: 'Which phone do you use?',
        },
        { at: '2026-11-20T11:00:00Z', by: 'Ada Example', status: 'acknowledged', note: 'A Mitel 6930' },
      ],
    };
    renderShell({
      page: 'report',
      routes: {
        'GET /api/me': () => ({ body: me() }),
        'GET /api/me/reports': () => ({ body: { items: [report] } }),
      },
    });
    // The page loads the list after start-up; on a busy machine that takes more than the default second.
    const mine = await screen.findByRole('list', { name: 'My earlier reports' }, { timeout: 10_000 });
    const item = within(mine).getAllByRole('listitem')[0]!;
    expect(within(item).getByText('Which phone do you use?')).toBeInTheDocument();
    expect(within(item).getByText(/^Grace Admin · /)).toBeInTheDocument();
    expect(within(item).getByText('A Mitel 6930')).toBeInTheDocument();
    expect(within(item).getAllByText(/^Ada Example · /)).toHaveLength(1);
  });

  const reportIn = (status: ReportSummary['status'], n: number): ReportSummary => ({
    reportId: `${n}a7f3c2e-0000-4000-8000-00000000000${n}`,
    category: 'callHistory',
    description: `Report number ${n}`,
    status,
    createdAt: '2026-11-20T09:30:00Z',
    updatedAt: '2026-11-20T09:30:00Z',
    reporterName: 'Ada Example',
    source: 'tab',
    history: [{ at: '2026-11-20T10:00:00Z', by: 'Grace Admin', status, note: `Note ${n}` }],
  });
  const statuses: ReportSummary['status'][] = ['new', 'acknowledged', 'needsInfo', 'resolved'];

  it.each([
    ['en-US', 'My earlier reports', ['New', 'Acknowledged', 'Needs information', 'Resolved'], 'Report'],
    ['de-DE', 'Meine bisherigen Meldungen', ['Neu', 'In Bearbeitung', 'Rückfrage', 'Erledigt'], 'Meldung'],
  ])(
    'in %s, says every status in words with a capital, and a short report number, never a raw token',
    async (locale, listName, words, reportWord) => {
      renderShell({
        page: 'report',
        context: { locale },
        routes: {
          'GET /api/me': () => ({ body: me() }),
          'GET /api/me/reports': () => ({ body: { items: statuses.map((st, i) => reportIn(st, i + 1)) } }),
        },
      });
      const mine = await screen.findByRole('list', { name: listName }, { timeout: 10_000 });
      const items = within(mine)
        .getAllByRole('listitem')
        .filter((li) => li.parentElement === mine);
      expect(items).toHaveLength(4);
      items.forEach((item, i) => {
        const text = item.textContent ?? '';
        // The badge, and the status beside the admin's note.
        expect(within(item).getAllByText(new RegExp(`^${words[i]}$|· ${words[i]}$`))).toHaveLength(2);
        expect(text).toContain(`${reportWord} ${i + 1}A7F3C`);
        for (const token of ['needsInfo', 'acknowledged', 'resolved', '-0000-4000-'])
          expect(text).not.toContain(token);
      });
    },
  );
});
