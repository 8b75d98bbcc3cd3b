import { useMemo } from 'react';
import type { CodedText } from '../../../../shared/api/contract';
import { syncTextsEn } from '../../../../shared/api/texts/sync';
import { useEnv } from '../../app/env';
import type { Language } from '..';
import { serverText, type Wording } from '../../../../shared/api/texts/render';
import { syncTextsDe } from '../../../../shared/api/texts/sync-de';

/** The sync's sentences (a user's problem and fix), which every user can meet on their sync page. */
const syncWording: Record<Language, Wording> = { en: syncTextsEn, de: syncTextsDe };

export type SayServerText = (text: CodedText | undefined, english: string) => string;

/** Words the server's sentences for this reader; `extra` adds a page's own codes (the admin page's, in its chunk). */
export function useServerText(extra?: Record<Language, Wording>): SayServerText {
  const env = useEnv();
  return useMemo(() => {
    const wording = { ...syncWording[env.language], ...extra?.[env.language] };
    return (text, english) => serverText(text, english, wording, env.locale, env.timeZone);
  }, [env.language, env.locale, env.timeZone, extra]);
}
