import type { ReportCategory } from '../../../shared/api/contract';
import type { ProblemReport } from '../../../shared/ports/store';
import { reportNumber } from '../../../shared/domain/report-number';
import type { Messages } from '../messages';
import { adaptiveCard, facts, submit, text, type Card } from './adaptive';

export const REPORT_CATEGORIES: ReportCategory[] = [
  'presence',
  'callHistory',
  'clickToCall',
  'signIn',
  'other',
];

/** The form the `report` command shows; `report <text>` starts it with that text as the description. */
export function reportFormCard(m: Messages, description = ''): Card {
  return adaptiveCard(
    [
      text(m.reportFormTitle, { weight: 'Bolder', size: 'Medium' }),
      {
        type: 'Input.ChoiceSet',
        id: 'category',
        label: m.reportCategoryLabel,
        isRequired: true,
        value: 'presence',
        choices: REPORT_CATEGORIES.map((c) => ({ title: m.categories[c], value: c })),
      },
      {
        type: 'Input.Text',
        id: 'description',
        label: m.reportDescriptionLabel,
        isMultiline: true,
        isRequired: true,
        maxLength: 4000,
        errorMessage: m.reportDescriptionMissing,
        ...(description ? { value: description } : {}),
      },
      {
        type: 'Input.Toggle',
        id: 'includeDiagnostics',
        title: m.reportDiagnosticsToggle,
        value: 'true',
        valueOn: 'true',
        valueOff: 'false',
      },
    ],
    [submit(m.reportSend, { verb: 'submitReport' })],
  );
}

/** What admins see in their channel: the report, the conversation so far, and buttons to act on it. */
export function adminReportCard(report: ProblemReport, m: Messages): Card {
  const statusActions: unknown[] = [];
  if (report.status !== 'acknowledged' && report.status !== 'resolved') {
    statusActions.push(
      submit(m.acknowledge, { verb: 'reportStatus', reportId: report.reportId, status: 'acknowledged' }),
    );
  }
  if (report.status !== 'resolved') {
    statusActions.push(
      submit(m.resolve, { verb: 'reportStatus', reportId: report.reportId, status: 'resolved' }),
    );
    statusActions.push({
      type: 'Action.ShowCard',
      title: m.askForMore,
      card: adaptiveCard(
        [{ type: 'Input.Text', id: 'note', label: m.askWhat, isMultiline: true, isRequired: true }],
        [submit(m.sendQuestion, { verb: 'reportStatus', reportId: report.reportId, status: 'needsInfo' })],
      ),
    });
  }
  const notes = report.history.filter((h) => h.note);
  return adaptiveCard(
    [
      text(m.adminCardTitle(report.reporterName), { weight: 'Bolder', size: 'Medium' }),
      facts([
        [m.adminCardCategory, m.categories[report.category as ReportCategory] ?? report.category],
        [m.adminCardStatus, m.statusWords[report.status]],
        [m.adminCardFrom, report.source === 'bot' ? m.adminCardFromBot : m.adminCardFromTab],
        [m.adminCardId, reportNumber(report.reportId)],
        [
          m.adminCardDiagnostics,
          report.diagnostics ? m.adminCardDiagnosticsAttached : m.adminCardDiagnosticsNone,
        ],
      ]),
      text(report.description),
      ...(notes.length
        ? [
            text(m.adminCardConversation, { weight: 'Bolder', spacing: 'Medium' }),
            facts(notes.map((h) => [h.by, h.note ?? ''])),
          ]
        : []),
    ],
    statusActions,
  );
}

/** Sent to the reporter with an admin's question: answering in the box attaches to this very report. */
export function questionCard(report: ProblemReport, question: string, m: Messages): Card {
  return adaptiveCard(
    [
      text(m.adminAsks(question), { weight: 'Bolder', wrap: true }),
      text(m.replyHint, { isSubtle: true }),
      {
        type: 'Input.Text',
        id: 'answer',
        label: m.replyLabel,
        isMultiline: true,
        isRequired: true,
        maxLength: 4000,
        errorMessage: m.replyMissing,
      },
    ],
    [submit(m.replySend, { verb: 'replyToReport', reportId: report.reportId })],
  );
}

/** The question card once answered: what was asked and what the user said, nothing left to send twice. */
export function answeredCard(question: string, answer: string, m: Messages): Card {
  return adaptiveCard([text(m.adminAsks(question), { weight: 'Bolder' }), facts([[m.replyLabel, answer]])]);
}
