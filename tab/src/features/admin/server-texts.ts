import { checkTextsEn } from '../../../../shared/api/texts/check';
import { healthTextsEn } from '../../../../shared/api/texts/health';
import { monitorTextsEn } from '../../../../shared/api/texts/monitors';
import { secretTextsEn } from '../../../../shared/api/texts/secrets';
import type { Language } from '../../i18n';
import { useServerText, type SayServerText } from '../../i18n/server-texts';
import type { Wording } from '../../../../shared/api/texts/render';
import { checkTextsDe, healthTextsDe, monitorTextsDe, secretTextsDe } from './server-texts-de';

/** The admin page's server sentences (check, jobs, secrets, health, monitors), in the admin chunk with the rest of its texts. */
const adminWording: Record<Language, Wording> = {
  en: { ...checkTextsEn, ...secretTextsEn, ...healthTextsEn, ...monitorTextsEn },
  de: { ...checkTextsDe, ...secretTextsDe, ...healthTextsDe, ...monitorTextsDe },
};

/** Words the server's sentences on the admin page: the admin's own codes and the sync's (nested fixes). */
export function useAdminServerText(): SayServerText {
  return useServerText(adminWording);
}
