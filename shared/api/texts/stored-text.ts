import { z } from 'zod';
import type { CodedText, TextParam } from './coded-text';
import { english } from './english';

/**
 * Coded texts kept in a store's text column (a user's sync problem, a job's summary): JSON read back through one
 * schema. A column written before codes existed holds plain English, which reads back as exactly that.
 */

export const codedTextSchema: z.ZodType<CodedText> = z.lazy(() =>
  z.object({
    code: z.string().min(1),
    params: z.record(z.string(), textParamSchema).optional(),
  }),
);
const textParamSchema: z.ZodType<TextParam> = z.lazy(() =>
  z.union([z.string(), z.number(), z.object({ date: z.string() }), codedTextSchema]),
);
const storedSentence = z.object({ text: codedTextSchema });

/** A sentence of ours as a store keeps it. */
export function storedText(text: CodedText): string {
  return JSON.stringify({ text });
}

/** A stored sentence: its English, with its code when it was stored with one. */
export function textFromStore(stored: string): { english: string; text?: CodedText } {
  const coded = storedJson(stored, storedSentence);
  return coded ? { english: english(coded.text), text: coded.text } : { english: stored };
}

/** `stored` parsed as JSON of the schema's shape, or undefined for plain text (an old row) or another shape. */
export function storedJson<T>(stored: string, schema: z.ZodType<T>): T | undefined {
  if (!stored.startsWith('{')) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
