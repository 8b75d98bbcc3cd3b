/** The languages Switchboard speaks. */
export type Language = 'en' | 'de';

/** German for any `de` locale (de-DE, de-AT, de-CH…), English otherwise: one rule for every chat reader. Pure. */
export function languageOf(locale: string | undefined): Language {
  return /^de(-|$)/i.test(locale ?? '') ? 'de' : 'en';
}
