import { z } from 'zod';
import type { Problem } from '../api/contract';
import type { CodedText } from '../api/texts/coded-text';
import { english, said } from '../api/texts/english';
import { codedTextSchema, storedJson } from '../api/texts/stored-text';

/**
 * A user's sync problem as the store keeps it (sync_states.last_error, a text column): JSON with the coded message
 * and fix, so a restart or a standby still words them in the reader's language. Rows written before codes existed
 * hold the English message alone; they read back as that English with "see the trace" as the fix.
 */

const storedProblem = z.object({ message: codedTextSchema, fix: codedTextSchema });

/** A problem from our own coded sentences: the English beside the codes. */
export function codedProblem(message: CodedText, fix: CodedText): Problem {
  return { message: english(message), fix: english(fix), messageText: message, fixText: fix };
}

/** The column's text for a problem. */
export function storedProblemText(problem: Problem): string {
  // A problem read from an old row has only its English: it is stored as it was.
  if (!problem.messageText || !problem.fixText) return problem.message;
  return JSON.stringify({ message: problem.messageText, fix: problem.fixText });
}

/** A problem from the column's text, coded or (an old row) plain English. */
export function problemFromStore(text: string): Problem {
  const coded = storedJson(text, storedProblem);
  if (coded) return codedProblem(coded.message, coded.fix);
  const fix = said('fix.seeTrace');
  return { message: text, fix: english(fix), fixText: fix };
}

/** Only the problem's own fields (not the engine's bookkeeping beside them), for the API. */
export function problemOnly(p: Problem): Problem {
  const { message, fix, messageText, fixText } = p;
  return { message, fix, ...(messageText && { messageText }), ...(fixText && { fixText }) };
}
