import type { CodedText, TextParam } from '../contract';
import { fillPlaceholders, isCodedText } from './coded-text';

/** Wording by code for one language; lookups go through Object.hasOwn, so a code like "constructor" is unknown. */
export type Wording = Readonly<Record<string, string>>;

/**
 * A sentence the server wrote, in the reader's words: the catalog's wording for its code, with numbers and dates
 * formatted for the locale and nested sentences worded the same way. The server's English when this tab does not
 * know the code (or a nested one): a newer server's sentence is shown as it wrote it, never as a raw code.
 */
export function serverText(
  text: CodedText | undefined,
  english: string,
  wording: Wording,
  locale: string,
  timeZone?: string,
): string {
  return (text && worded(text, wording, locale, timeZone)) ?? english;
}

function worded(text: CodedText, wording: Wording, locale: string, timeZone?: string): string | null {
  if (!Object.hasOwn(wording, text.code)) return null;
  let complete = true;
  const show = (value: TextParam): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return new Intl.NumberFormat(locale).format(value);
    if (isCodedText(value)) {
      const inner = worded(value, wording, locale, timeZone);
      if (inner === null) complete = false;
      return inner ?? '';
    }
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(new Date(value.date));
  };
  const filled = fillPlaceholders(wording[text.code], text.params, show);
  return complete ? filled : null;
}
