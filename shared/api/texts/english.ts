import { fillPlaceholders, isCodedText, type CodedText, type TextParam } from './coded-text';
import { checkTextsEn, type CheckTextCode } from './check';
import { healthTextsEn, type HealthTextCode } from './health';
import { monitorTextsEn, type MonitorTextCode } from './monitors';
import { secretTextsEn, type SecretTextCode } from './secrets';
import { syncTextsEn, type SyncTextCode } from './sync';

/** Every code the server writes, with its English: one catalog per area, one place that knows them all. */
const englishByCode: Record<ServerTextCode, string> = {
  ...syncTextsEn,
  ...secretTextsEn,
  ...checkTextsEn,
  ...healthTextsEn,
  ...monitorTextsEn,
};

export type ServerTextCode = SyncTextCode | SecretTextCode | CheckTextCode | HealthTextCode | MonitorTextCode;

/** One of our sentences, by code: what the server stores and sends beside its English. */
export function said(code: ServerTextCode, params?: Record<string, TextParam>): CodedText {
  return params ? { code, params } : { code };
}

/**
 * The English the server writes for a coded text (logs, API clients, older tabs). A date reads as its ISO day
 * (2026-12-01), as the server always wrote it: it does not know the reader; the tab formats dates itself.
 */
export function english(text: CodedText): string {
  const template = Object.hasOwn(englishByCode, text.code)
    ? englishByCode[text.code as ServerTextCode]
    : text.code;
  return fillPlaceholders(template, text.params, (value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    return isCodedText(value) ? english(value) : value.date.slice(0, 10);
  });
}
