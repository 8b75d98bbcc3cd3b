/**
 * Phone number normalisation for click-to-call. Pure: the caller passes the region (from the Teams locale), so the
 * same input always gives the same number. PBX call records hold numbers as the switch saw them ("0301234567",
 * "0049 30 1234567", "+49 (30) 123-4567", or a bare extension "2042"); telephony clients dial E.164 most reliably.
 */

/** Country calling codes for the regions whose national numbers start with a trunk prefix "0" we can strip. */
const TRUNK_ZERO_COUNTRY_CODES: Record<string, string> = {
  DE: '49',
  AT: '43',
  CH: '41',
  GB: '44',
  FR: '33',
  NL: '31',
  BE: '32',
  IT: '39',
  SE: '46',
  NO: '47',
  DK: '45',
  FI: '358',
  PL: '48',
  CZ: '420',
  IE: '353',
  PT: '351',
  ES: '34',
  AU: '61',
  NZ: '64',
  ZA: '27',
  IN: '91',
};
/** NANP regions dial national numbers as 10 digits, optionally with a leading trunk "1". */
const NANP_REGIONS = new Set(['US', 'CA']);

/** Internal extensions are short; they must be dialled as they are, never prefixed with a country code. */
const MAX_EXTENSION_DIGITS = 6;

export interface NormalizedNumber {
  /** What to put into the URI: E.164 ("+4930123456") when we could build it, otherwise the cleaned digits. */
  dial: string;
  isE164: boolean;
  isExtension: boolean;
}

/** Region ("DE") from a BCP 47 locale ("de-DE", "en-us"); undefined when the locale names none. */
export function regionOfLocale(locale: string | undefined): string | undefined {
  const parts = (locale ?? '').split(/[-_]/);
  const region = parts.slice(1).find((p) => /^[A-Za-z]{2}$/.test(p));
  return region?.toUpperCase();
}

export function normalizeNumber(raw: string, region?: string): NormalizedNumber | null {
  const trimmed = raw.trim();
  if (!trimmed) return null;
  const hasPlus = trimmed.startsWith('+');
  // Keep only what a dialler understands; letters (a vanity number or a name typed by mistake) make it unusable.
  if (/[A-Za-z]/.test(trimmed.replace(/^tel:/i, ''))) return null;
  const digits = trimmed.replace(/\D/g, '');
  if (!digits) return null;

  if (hasPlus) return e164(digits);
  if (digits.startsWith('00')) return e164(digits.slice(2));
  if (digits.length <= MAX_EXTENSION_DIGITS) return { dial: digits, isE164: false, isExtension: true };

  const upper = region?.toUpperCase();
  if (upper && NANP_REGIONS.has(upper)) {
    if (digits.length === 10) return e164(`1${digits}`);
    if (digits.length === 11 && digits.startsWith('1')) return e164(digits);
  }
  const cc = upper ? TRUNK_ZERO_COUNTRY_CODES[upper] : undefined;
  if (cc && digits.startsWith('0') && !digits.startsWith('00')) return e164(cc + digits.slice(1));
  return { dial: digits, isE164: false, isExtension: false };
}

function e164(digits: string): NormalizedNumber | null {
  // E.164 allows at most 15 digits and no leading zero in the country code.
  if (digits.length < 7 || digits.length > 15 || digits.startsWith('0')) return null;
  return { dial: `+${digits}`, isE164: true, isExtension: false };
}
