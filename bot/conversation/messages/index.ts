import { de } from './de';
import { en, type Messages } from './en';
import type { Audience } from '../types';
import { languageOf, type Language } from '../../../shared/api/texts/language';

export type { Messages } from './en';
export type { Language } from '../../../shared/api/texts/language';
export { languageOf } from '../../../shared/api/texts/language';

export const CATALOGUES: Record<Language, Messages> = { en, de };

export function messagesFor(locale: string | undefined): Messages {
  return CATALOGUES[languageOf(locale)];
}

/**
 * A moment as the reader reads it: their language and time zone. Without a time zone (Teams did not send one) the
 * time is in UTC and says so, rather than pretending to be local.
 */
export function formatMoment(at: number | string, audience: Audience): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const locale =
    languageOf(audience.locale) === 'de' ? (audience.locale ?? 'de-DE') : (audience.locale ?? 'en-US');
  const timeZone = validTimeZone(audience.timeZone);
  const format = (loc: string) =>
    new Intl.DateTimeFormat(loc, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: timeZone ?? 'UTC',
    }).format(date);
  let text: string;
  try {
    text = format(locale);
  } catch {
    text = format('en-US'); // a locale tag Intl does not know
  }
  return timeZone ? text : `${text} UTC`;
}

function validTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
