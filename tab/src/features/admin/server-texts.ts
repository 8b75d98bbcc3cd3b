import { checkTextsEn } from '../../../../shared/api/texts/check';
import { healthTextsEn } from '../../../../shared/api/texts/health';
import { secretTextsEn } from '../../../../shared/api/texts/secrets';
import type { Language } from '../../i18n';
import { useServerText, type SayServerText } from '../../i18n/server-texts';
import type { Wording } from '../../i18n/server-texts/render';
import { checkTextsDe, healthTextsDe, secretTextsDe } from './server-texts-de';

/** The admin page's server sentences (check, jobs, secrets, health), in the admin chunk with the rest of its texts. */
const adminWording: Record<Language, Wording> = {
  en: { ...checkTextsEn, ...secretTextsEn, ...healthTextsEn },
  de: { ...checkTextsDe, ...secretTextsDe, ...healthTextsDe },
};

/** Words the server's sentences on the admin page: the admin's own codes and the sync's (nested fixes). */
export function useAdminServerText(): SayServerText {
  return useServerText(adminWording);
}
