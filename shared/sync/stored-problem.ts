import { z } from 'zod';
import type { Problem } from '../api/contract';
import type { CodedText, TextParam } from '../api/texts/coded-text';
import { english, said } from '../api/texts/english';

/**
 * A user's sync problem as the store keeps it (sync_states.last_error, a text column): JSON with the coded message
 * and fix, so a restart or a standby still words them in the reader's language. Rows written before codes existed
 * hold the English message alone; they read back as that English with "see the trace" as the fix.
 */

const codedText: z.ZodType<CodedText> = z.lazy(() =>
  z.object({
    code: z.string().min(1),
    params: z.record(z.string(), textParam).optional(),
  }),
);
const textParam: z.ZodType<TextParam> = z.lazy(() =>
  z.union([z.string(), z.number(), z.object({ date: z.string() }), codedText]),
);
const storedProblem = z.object({ message: codedText, fix: codedText });

/** A problem from our own coded sentences: the English beside the codes. */
export function codedProblem(message: CodedText, fix: CodedText): Problem {
  return { message: english(message), fix: english(fix), messageText: message, fixText: fix };
}

export function storedProblemText(problem: Problem): string {
  // A problem read from an old row has only its English: it is stored as it was.
  if (!problem.messageText || !problem.fixText) return problem.message;
  return JSON.stringify({ message: problem.messageText, fix: problem.fixText });
}

export function problemFromStore(text: string): Problem {
  const coded = text.startsWith('{') ? storedProblem.safeParse(parseJson(text)) : null;
  if (coded?.success) return codedProblem(coded.data.message, coded.data.fix);
  const fix = said('fix.seeTrace');
  return { message: text, fix: english(fix), fixText: fix };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Only the problem's own fields (not the engine's bookkeeping beside them), for the API. */
export function problemOnly(p: Problem): Problem {
  const { message, fix, messageText, fixText } = p;
  return { message, fix, ...(messageText && { messageText }), ...(fixText && { fixText }) };
}
