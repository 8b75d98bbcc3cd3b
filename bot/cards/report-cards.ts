import type { ReportCategory, ReportStatus } from '../../shared/api/contract';
import type { ProblemReport } from '../../shared/ports/store';
import { adaptiveCard, facts, submit, text, type Card } from './adaptive';

export const REPORT_CATEGORIES: { value: ReportCategory; title: string }[] = [
  { value: 'presence', title: 'Presence is wrong' },
  { value: 'callHistory', title: 'Call history' },
  { value: 'clickToCall', title: 'Click-to-call' },
  { value: 'signIn', title: 'Signing in' },
  { value: 'other', title: 'Something else' },
];

export const STATUS_WORDS: Record<ReportStatus, string> = {
  new: 'new',
  acknowledged: 'acknowledged: an admin is looking at it',
  needsInfo: 'waiting for more information from you',
  resolved: 'resolved',
};

/** The form the `report` command shows. */
export function reportFormCard(): Card {
  return adaptiveCard(
    [
      text('Report a problem', { weight: 'Bolder', size: 'Medium' }),
      {
        type: 'Input.ChoiceSet',
        id: 'category',
        label: 'What is it about?',
        isRequired: true,
        value: 'presence',
        choices: REPORT_CATEGORIES.map((c) => ({ title: c.title, value: c.value })),
      },
      {
        type: 'Input.Text',
        id: 'description',
        label: 'What happened?',
        isMultiline: true,
        isRequired: true,
        maxLength: 4000,
        errorMessage: 'Please describe the problem.',
      },
      {
        type: 'Input.Toggle',
        id: 'includeDiagnostics',
        title: 'Attach diagnostics (your sync state and recent trace; never passwords or tokens)',
        value: 'true',
        valueOn: 'true',
        valueOff: 'false',
      },
    ],
    [submit('Send report', { verb: 'submitReport' })],
  );
}

/** What admins see in their channel: the report and buttons to act on it. */
export function adminReportCard(report: ProblemReport): Card {
  const statusActions: unknown[] = [];
  if (report.status !== 'acknowledged' && report.status !== 'resolved') {
    statusActions.push(
      submit('Acknowledge', { verb: 'reportStatus', reportId: report.reportId, status: 'acknowledged' }),
    );
  }
  if (report.status !== 'resolved') {
    statusActions.push(
      submit('Resolve', { verb: 'reportStatus', reportId: report.reportId, status: 'resolved' }),
    );
    statusActions.push({
      type: 'Action.ShowCard',
      title: 'Ask for more',
      card: adaptiveCard(
        [
          {
            type: 'Input.Text',
            id: 'note',
            label: 'What do you need to know?',
            isMultiline: true,
            isRequired: true,
          },
        ],
        [submit('Send question', { verb: 'reportStatus', reportId: report.reportId, status: 'needsInfo' })],
      ),
    });
  }
  return adaptiveCard(
    [
      text(`Problem report from ${report.reporterName}`, { weight: 'Bolder', size: 'Medium' }),
      facts([
        ['Category', REPORT_CATEGORIES.find((c) => c.value === report.category)?.title ?? report.category],
        ['Status', STATUS_WORDS[report.status]],
        ['From', report.source === 'bot' ? 'bot chat' : 'tab'],
        ['Report id', report.reportId],
        ['Diagnostics', report.diagnostics ? 'attached (open the admin page to read them)' : 'not attached'],
      ]),
      text(report.description),
    ],
    statusActions,
  );
}
