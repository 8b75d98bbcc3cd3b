import { reportNumber } from '../../shared/domain/report-number';
import { adminReportCard, answeredCard } from './cards/report-cards';
import { helpText } from './commands';
import { replyForm, reportForm, reportStatusForm } from './forms';
import { isAdmin, say, signInGate, type Turn } from './turn';
import type { Delivery } from '../services/notifier';
import type { Messages } from './messages';
import type { Outgoing } from './types';

/** The report card came back: file it. */
export async function fileReport({ deps, msg, sender, m }: Turn): Promise<Outgoing[]> {
  const form = reportForm.safeParse(msg.submit);
  if (!form.success) return [say(m.reportFormIncomplete)];
  const report = await deps.reports.create(
    sender,
    {
      category: form.data.category,
      description: form.data.description,
      includeDiagnostics: form.data.includeDiagnostics === 'true',
    },
    {
      source: 'bot',
      client: msg.client,
      correlationIds: [msg.activityId ?? '', msg.place.id].filter(Boolean),
    },
  );
  return [say(m.reportFiled(reportNumber(report.reportId)))];
}

/** Text that is no command: the answer to an admin's open question, if there is one; otherwise help. */
export async function freeText(turn: Turn, text: string): Promise<Outgoing[]> {
  const { deps, msg, sender, m } = turn;
  const notUnderstood = [say(`${m.notUnderstood(text.slice(0, 60))} ${helpText(m)}`)];
  if (msg.place.kind !== 'personal') return notUnderstood;
  const open = await deps.reports.openQuestion(sender);
  if (!open) return notUnderstood;
  const gate = await signInGate(deps, sender, msg.place, m);
  if (gate) return gate;
  const answered = await deps.reports.answer(sender, open, text);
  return [say(answered ? m.replyAttached(reportNumber(open.reportId)) : m.reportNotFound)];
}

/** The answer box of a question card: attach to that report, and turn the card into question and answer. */
export async function answerFromCard({ deps, msg, sender, m }: Turn): Promise<Outgoing[]> {
  const form = replyForm.safeParse(msg.submit);
  if (!form.success) return [say(m.replyMissing)];
  const open = await deps.reports.openQuestion(sender, form.data.reportId);
  if (!open) return [say(m.noOpenQuestion)];
  const answered = await deps.reports.answer(sender, open, form.data.answer);
  if (!answered) return [say(m.reportNotFound)];
  const question = [...open.history].reverse().find((h) => h.status === 'needsInfo' && h.note)?.note ?? '';
  const card = answeredCard(question, form.data.answer, m);
  return [
    ...(msg.replyToId ? [{ kind: 'updateCard' as const, messageId: msg.replyToId, card }] : []),
    say(m.replyAttached(reportNumber(open.reportId))),
  ];
}

/** Acknowledge / Resolve / Ask for more on an admin notice; the card itself then shows the new state. */
export async function changeReport({ deps, msg, sender, m }: Turn): Promise<Outgoing[]> {
  // Teams SSO works in personal chats; in a channel an admin is known from an earlier sign-in or the admin group.
  if (msg.place.kind === 'personal') {
    const gate = await signInGate(deps, sender, msg.place, m);
    if (gate) return gate;
  }
  const form = reportStatusForm.safeParse(msg.submit);
  if (!form.success) return [say(m.actionIncomplete)];
  if (!(await isAdmin(deps, sender))) {
    const signedIn = (await deps.signIns.get(sender.tenantId, sender.userId))?.signedIn ?? false;
    const hint = signedIn || !deps.requireSignIn ? '' : ` ${m.signInInChat}`;
    return [say(`${m.onlyAdminsChangeReport}${hint}`)];
  }
  const updated = await deps.reports.update(
    sender.tenantId,
    form.data.reportId,
    { status: form.data.status, note: form.data.note },
    sender.displayName,
  );
  if (!updated) return [say(m.reportNotFound)];
  const { report, reporterTold } = updated;
  const card = adminReportCard(report, m);
  return [
    ...(msg.replyToId ? [{ kind: 'updateCard' as const, messageId: msg.replyToId, card }] : []),
    say(statusChanged(m, reportNumber(report.reportId), m.statusWords[report.status], reporterTold)),
  ];
}

/** The line under the card: whether the reporter heard of the change, so the admin knows to tell them otherwise. */
function statusChanged(m: Messages, number: string, status: string, reporterTold: Delivery): string {
  switch (reporterTold) {
    case 'delivered':
      return m.reportChanged(number, status);
    case 'noConversation':
      return m.reportChangedReporterHasNoChat(number, status);
    case 'failed':
      return m.reportChangedReporterNotReached(number, status);
  }
}
