import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobView, MappingTable, ReportSummary, UpdateReportRequest } from '../../shared/api/contract';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import { me, quietHealth, renderShell } from './harness';

const adminRoutes = {
  'GET /api/me': () => ({ body: me({ isAdmin: true }) }),
  'GET /api/admin/health': () => ({ body: quietHealth }),
  'GET /api/admin/problems': () => ({ body: { items: [] } }),
};

async function openSection(name: string, admin = 'Admin') {
  await userEvent.click(await screen.findByRole('tab', { name: admin }));
  await userEvent.click(await screen.findByRole('tab', { name }, { timeout: 5000 }));
}

// Fluent in jsdom is slow on a busy machine; these limits are for that, never a speed assertion.
jest.setTimeout(240_000);

describe('admin triage', () => {
  it('lists reports with a short number and readable category, and opens one with its diagnostics and notes', async () => {
    const now = new Date().toISOString();
    const report: ReportSummary = {
      reportId: '3f9a2c71-0d4e-4b8a-9c1f-5e6d7a8b9c0d',
      category: 'clickToCall',
      description: 'Clicking a number opens nothing',
      status: 'needsInfo',
      createdAt: now,
      updatedAt: now,
      reporterName: 'Bob',
      source: 'bot',
      history: [{ at: now, by: 'Ada Admin', status: 'needsInfo', note: 'Which phone app do you use?' }],
    };
    const patches: UpdateReportRequest[] = [];
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/reports': () => ({ body: { items: [report] } }),
        [`GET /api/admin/reports/${report.reportId}`]: () => ({
          body: { ...report, diagnostics: { clientType: 'desktop', lastSyncError: 'Graph 429' } },
        }),
        [`PATCH /api/admin/reports/${report.reportId}`]: (r) => {
          patches.push(r.body as UpdateReportRequest);
          report.status = (r.body as UpdateReportRequest).status;
          return { body: report };
        },
      },
    });
    await openSection('Problem reports');
    // Test-id and text queries: computing every accessible name of a Fluent table is slow in jsdom.
    const table = await screen.findByTestId('admin-reports');
    expect(within(table).getByText('3F9A2C')).toBeInTheDocument();
    expect(within(table).getByText('Calling from Teams')).toBeInTheDocument();
    expect(within(table).getByText('Bob (in the chat)')).toBeInTheDocument();
    expect(table).not.toHaveTextContent(/clickToCall|3f9a2c71-|needsInfo/);

    await userEvent.click(within(table).getByText('3F9A2C'));
    expect(await screen.findByText('Report 3F9A2C', { selector: 'h2' })).toBeInTheDocument();
    expect(screen.getByText('“Which phone app do you use?”')).toBeInTheDocument();
    expect(await screen.findByLabelText('Attached diagnostics')).toHaveTextContent(
      '"lastSyncError": "Graph 429"',
    );

    await userEvent.selectOptions(screen.getByLabelText('Set status'), 'resolved');
    fireEvent.change(screen.getByLabelText('Note for the reporter (optional)'), {
      target: { value: 'Set MiCollab as the default' },
    });
    await userEvent.click(screen.getByText('Set status', { selector: 'button' }));
    expect(await screen.findByText('Status set to “Resolved”.')).toBeInTheDocument();
    expect(patches).toEqual([{ status: 'resolved', note: 'Set MiCollab as the default' }]);
  });

  it('the configuration check shows step states, titles, details and summary in German; a passed step never reads as a warning', async () => {
    const job: JobView = {
      jobId: 'j1',
      kind: 'configurationCheck',
      state: 'succeeded',
      done: 2,
      total: 2,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      summary: 'All checks passed.',
      summaryText: { code: 'check.summary.allPassed' },
      steps: [
        { id: 'token', title: 'Switchboard gets a token from Entra ID', state: 'passed' },
        {
          id: 'secretExpiry',
          title: 'Client secret expiry',
          state: 'passed',
          detail: 'The client secret is valid until 2027-06-20 (200 days from now); nothing to do yet.',
          detailText: {
            code: 'check.secretValid',
            params: { date: { date: '2027-06-20T12:00:00.000Z' }, days: 200 },
          },
        },
        { id: 'adminNotices', title: 'Admin notices have a channel', state: 'passed' },
        { id: 'callHistoryLink', title: 'Missed-call notices open the call history', state: 'passed' },
      ],
    };
    renderShell({
      context: { locale: 'de-DE' },
      routes: { ...adminRoutes, 'POST /api/admin/check': () => ({ status: 202, body: job }) },
    });
    await openSection('Konfigurationsprüfung', 'Verwaltung');
    await userEvent.click(await screen.findByText('Konfiguration prüfen', { selector: 'button' }));
    await screen.findByText('Alle Prüfungen bestanden.');
    const steps = document.querySelectorAll('ol > li');
    expect(steps[1]).toHaveTextContent(/^Bestanden Ablauf des geheimen Clientschlüssels/);
    expect(steps[1]).toHaveTextContent(
      'Der geheime Clientschlüssel gilt bis 20.06.2027 (noch 200 Tage); noch nichts zu tun.',
    );
    expect(steps[2]).toHaveTextContent(/^Bestanden Hinweise für die Verwaltung haben einen Kanal/);
    expect(steps[3]).toHaveTextContent(/^Bestanden Hinweise zu verpassten Anrufen öffnen den Anrufverlauf/);
    expect(document.querySelector('ol')!.textContent).not.toMatch(
      /\bpassed\b|\bwarning\b|valid until|Admin notices|Missed-call/,
    );
    expect(screen.queryByText('All checks passed.')).toBeNull();
  });

  it('a failed check step says in German which saved secret was refused and what to do, Entra’s code as Entra gave it', async () => {
    const job: JobView = {
      jobId: 'j2',
      kind: 'configurationCheck',
      state: 'succeeded',
      done: 1,
      total: 1,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      summary: '1 of 1 checks failed; each names its fix.',
      summaryText: { code: 'check.summary.failed', params: { failed: 1, total: 1 } },
      steps: [
        {
          id: 'token',
          title: 'Switchboard gets a token from Entra ID',
          state: 'failed',
          detail: 'The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215.',
          fix: "Switchboard's app secret was refused by Entra ID: create a new client secret in Entra ID (App registrations > Certificates & secrets) and save it on the tenant link page.",
          detailText: {
            code: 'secret.refusedSavedOn',
            params: { date: { date: '2026-12-01T12:00:00.000Z' }, system: 'Entra', code: 'AADSTS7000215' },
          },
          fixText: { code: 'fix.signIn.appCredentials' },
        },
      ],
    };
    renderShell({
      context: { locale: 'de-DE' },
      routes: { ...adminRoutes, 'POST /api/admin/check': () => ({ status: 202, body: job }) },
    });
    await openSection('Konfigurationsprüfung', 'Verwaltung');
    await userEvent.click(await screen.findByText('Konfiguration prüfen', { selector: 'button' }));
    expect(
      await screen.findByText('1 von 1 Prüfungen fehlgeschlagen; jede nennt ihre Lösung.'),
    ).toBeInTheDocument();
    const step = document.querySelector('ol > li')!;
    expect(step).toHaveTextContent(
      'Das am 01.12.2026 gespeicherte Geheimnis wurde von Entra abgelehnt: AADSTS7000215.',
    );
    expect(step).toHaveTextContent(/Entra ID hat das App-Geheimnis von Switchboard abgelehnt/);
    expect(step.textContent).not.toMatch(/was refused|create a new client secret/);
  });

  it('the mapping editor offers only documented values, in words, and saves the tokens the API takes', async () => {
    const table: MappingTable = {
      teamsToPbx: [{ availability: 'BeRightBack', activity: '*', dnd: 'unchanged', statusText: null }],
      pbxToTeams: [{ pbxState: 'connected', teams: { availability: 'Busy', activity: 'InACall' } }],
    };
    const saved: MappingTable[] = [];
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/mapping': () => ({ body: table }),
        'PUT /api/admin/mapping': (r) => (saved.push(r.body as MappingTable), { body: r.body }),
      },
    });
    await openSection('Mapping table');
    const activity = (await screen.findByLabelText('Activity (* = any) 1')) as HTMLSelectElement;
    expect(activity.tagName).toBe('SELECT');
    const activityChoices = Array.from(activity.options).map((o) => o.textContent);
    expect(activityChoices).toContain('In a conference call');
    expect(activityChoices).toContain('Any activity');
    expect(screen.getByLabelText('Availability 1')).toHaveDisplayValue('Be right back');
    expect(screen.getByLabelText('Phone DND 1')).toHaveDisplayValue('Leave DND as it is');
    expect(screen.getByText('On a call', { selector: 'td' })).toBeInTheDocument();
    const shown = screen.getByLabelText('Shown in Teams On a call') as HTMLSelectElement;
    expect(Array.from(shown.options).map((o) => o.textContent)).toEqual([
      'not shown',
      'Available',
      'Busy · In a call',
      'Busy · In a conference call',
      'Away',
      'Do not disturb · Presenting',
    ]);

    fireEvent.change(activity, { target: { value: 'InAMeeting' } });
    fireEvent.change(screen.getByLabelText('Phone DND 1'), { target: { value: 'on' } });
    await userEvent.click(screen.getByText('Save', { selector: 'button' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.teamsToPbx[0]).toEqual({
      availability: 'BeRightBack',
      activity: 'InAMeeting',
      dnd: 'on',
      statusText: null,
    });
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
  });

  it('a table with no phone → Teams rows still shows every phone state, and can be reset to the default', async () => {
    const broken: MappingTable = { teamsToPbx: [], pbxToTeams: [] };
    const saved: MappingTable[] = [];
    renderShell({
      routes: {
        ...adminRoutes,
        'GET /api/admin/mapping': () => ({ body: broken }),
        'PUT /api/admin/mapping': (r) => (saved.push(r.body as MappingTable), { body: r.body }),
      },
    });
    await openSection('Mapping table');
    expect(
      await screen.findByText(
        'The saved table has no row for some phone states; the default is shown for them. Save to keep it.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Shown in Teams Ringing')).toHaveDisplayValue('Busy · In a call');
    expect(screen.getByLabelText('Shown in Teams On a call')).toHaveDisplayValue('Busy · In a call');
    expect(screen.getByLabelText('Shown in Teams Do not disturb on the phone')).toHaveDisplayValue(
      'Do not disturb · Presenting',
    );
    fireEvent.change(screen.getByLabelText('Shown in Teams Ringing'), { target: { value: '' } });
    await userEvent.click(screen.getByText('Save', { selector: 'button' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.pbxToTeams).toEqual([
      { pbxState: 'ringing', teams: null },
      DEFAULT_MAPPING.pbxToTeams[1],
      DEFAULT_MAPPING.pbxToTeams[2],
    ]);
    expect(await screen.findByText('Saved.')).toBeInTheDocument();

    // The Teams → phone rules were all removed; one button brings the whole default back, after asking.
    await userEvent.click(screen.getByText('Reset to default', { selector: 'button' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Reset the mapping table to the default?');
    await userEvent.click(within(dialog).getByText('Cancel', { selector: 'button' }));
    expect(saved).toHaveLength(1);
    await userEvent.click(screen.getByText('Reset to default', { selector: 'button' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByText('Reset and save'));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]).toEqual(DEFAULT_MAPPING);
    expect(await screen.findAllByTestId('mapping-rule')).toHaveLength(DEFAULT_MAPPING.teamsToPbx.length);
  });
});
