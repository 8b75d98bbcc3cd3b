import type { CodedText } from '../../shared/api/contract';
import { said } from '../../shared/api/texts/english';

/** "The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215." — what an admin mid-rotation needs to read. */
export function refusedSecret(system: string, savedAt: number | null, code: string | undefined): CodedText {
  if (savedAt === null)
    return code
      ? said('secret.refusedInUse', { system, code })
      : said('secret.refusedInUseNoCode', { system });
  const date = { date: new Date(savedAt).toISOString() };
  return code
    ? said('secret.refusedSavedOn', { date, system, code })
    : said('secret.refusedSavedOnNoCode', { date, system });
}
