import { isCodedText, type CodedText } from '../api/texts/coded-text';
import { said } from '../api/texts/english';
import { storedText, textFromStore } from '../api/texts/stored-text';
import { SIGN_IN_REFUSED } from './errors';

/**
 * A presence monitor's last problem as the store keeps it (monitors.last_error): the coded sentence as JSON, so the
 * admin page words it in the admin's language and the sync decides by code what it means. A row written before
 * codes existed holds English; it is read as that, and its meaning taken from how those sentences began.
 */

/** What an earlier version stored for a 409, first words of the English (still read from old rows). */
const OLD_CONFLICT_PROBLEM = 'This account already holds a presence subscription for this app';

export function storedMonitorProblem(problem: CodedText): string {
  return storedText(problem);
}

/** The stored problem: its English, with its code when it was stored with one; null when there is none. */
export function monitorProblemFromStore(stored: string | null): { english: string; text?: CodedText } | null {
  return stored === null ? null : textFromStore(stored);
}

/** Entra refused the monitor's sign-in (wrong password, locked, MFA): nobody retries it without a person acting. */
export function isRefusedSignIn(stored: string | null): boolean {
  const problem = monitorProblemFromStore(stored);
  if (!problem) return false;
  if (!problem.text) return problem.english.startsWith(SIGN_IN_REFUSED);
  const head = problem.text.code === 'monitor.problemAndFix' ? problem.text.params?.problem : problem.text;
  return head !== undefined && isCodedText(head) && head.code === 'sync.signInRefused';
}

/** Graph answered 409: the account holds another subscription of this app, which has to lapse first. */
export function isSubscriptionConflict(stored: string | null): boolean {
  const problem = monitorProblemFromStore(stored);
  if (!problem) return false;
  return problem.text
    ? problem.text.code === 'monitor.subscriptionConflict'
    : problem.english.startsWith(OLD_CONFLICT_PROBLEM);
}

/** A monitor's problem from a failure: the sentence alone while it passes, with its fix when a person must act. */
export function monitorProblem(message: CodedText, fix?: CodedText): CodedText {
  return fix ? said('monitor.problemAndFix', { problem: message, fix }) : message;
}
