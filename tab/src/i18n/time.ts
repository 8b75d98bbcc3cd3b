/**
 * Times for people, through Intl: the locale decides leading zeros, 12/24 h and word order; nothing here pads by hand.
 */

/** A clock time with seconds in the locale's own pattern ("9:05:03 AM" in en-US, "09:05:03" in de-DE). */
export function clockTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium', timeZone }).format(at);
}

/** A date and a time with seconds, for "when exactly". */
export function dateTimeSeconds(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(at);
}

/** "12 seconds ago", "vor 3 Minuten", "now": the largest unit that is at least one whole step. */
export function relativeTime(at: Date, now: Date, locale: string): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}
