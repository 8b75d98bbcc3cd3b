import { createContext, useContext } from 'react';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';

export type Language = 'en' | 'de';
const catalogs: Record<Language, Messages> = { en, de };

/** Teams hands us a BCP 47 locale ("de-DE", "de-AT", "en-GB"); anything we have no texts for falls back to English. */
export function pickLanguage(locale: string | undefined): Language {
  return (locale ?? '').toLowerCase().startsWith('de') ? 'de' : 'en';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const messages = catalogs[language];
  return (key, values) => fill(messages[key], values);
}

/** Replaces {name} placeholders; unknown placeholders stay visible, so a missing value is noticed, not hidden. */
export function fill(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export const I18nContext = createContext<Translate>(translator('en'));
export const useT = (): Translate => useContext(I18nContext);
export type { MessageKey };
