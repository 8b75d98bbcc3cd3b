import type { CodedText } from '../contract';
import { languageOf } from './language';
import { serverText, type Wording } from './render';
import { syncTextsEn } from './sync';
import { syncTextsDe } from './sync-de';

/**
 * The sync's sentences (a user's problem and its fix) for a reader outside the tab: the bot's chat. German for a
 * German client, English otherwise, by the rule the bot's own words follow (language.ts); the tab words
 * the same codes through its own i18n (tab/src/i18n/server-texts).
 */
export function saySyncText(
  text: CodedText | undefined,
  english: string,
  reader: { locale?: string; timeZone?: string },
): string {
  const wording: Wording = languageOf(reader.locale) === 'de' ? syncTextsDe : syncTextsEn;
  return serverText(text, english, wording, reader.locale ?? 'en-US', reader.timeZone);
}
