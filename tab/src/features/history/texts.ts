import type { Language } from '../../i18n';

/** Texts of the dial box and the call list that came with the company's dialling rules. */
const texts = {
  en: {
    dialNeedsCountry:
      'Your admin has not set your company’s country yet, so only international numbers (+…) and extensions can be dialled.',
  },
  de: {
    dialNeedsCountry:
      'Ihr Admin hat das Land Ihrer Firma noch nicht festgelegt. Wählbar sind nur internationale Nummern (+…) und Nebenstellen.',
  },
} satisfies Record<Language, Record<string, string>>;

export type HistoryTextKey = keyof (typeof texts)['en'];

export function historyText(language: Language, key: HistoryTextKey): string {
  return texts[language][key];
}
