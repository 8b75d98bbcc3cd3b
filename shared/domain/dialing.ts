import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js';

/**
 * The company's dialling rules and what a typed or recorded number means under them. Pure: the rules come from the
 * admin (per tenant), never from the Teams UI language, so the same input gives the same number for every user of a
 * company. Numbering plans are libphonenumber-js's; the only rules written here are the PBX's own: short digit
 * strings are extensions, strings with `*` or `#` are feature codes, and the outside-line prefix.
 */

export interface DialRules {
  /** ISO 3166-1 alpha-2 region of the company ("DE"); national numbers are read in it. Null: not set yet. */
  country: string | null;
  /** The PBX's outside-line prefix ("0", "9"), or "" when the PBX needs none. */
  outsidePrefix: string;
  /** Dial outside numbers as the prefix and the number as dialled from the company's country, instead of E.164. */
  dialWithPrefix: boolean;
}

export const NO_DIAL_RULES: DialRules = { country: null, outsidePrefix: '', dialWithPrefix: false };

/** Internal extensions are short; they are dialled as typed, never given a country code. */
export const MAX_EXTENSION_DIGITS = 6;
/** Outside-line prefixes are one or two digits on every PBX we know (0, 9, 00). */
export const OUTSIDE_PREFIX = /^\d{0,2}$/;

export type DialTarget =
  /** A PBX feature code (`*72`, `#31#`): kept exactly as typed, never read as a number. */
  | { kind: 'feature'; code: string }
  /** An internal extension, as typed. */
  | { kind: 'extension'; digits: string }
  /** A number outside the company, in E.164, with how people read it. */
  | { kind: 'external'; e164: string; display: string };

/** Visual separators people type or PBXs record: spaces, dashes, dots, parentheses, slashes. */
const SEPARATORS = /[\s\-.()/\u00a0]/g;

export function isCountry(code: string | null): code is CountryCode {
  return code !== null && /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/**
 * What `raw` dials under the company's rules, or null when it cannot be dialled (letters, an invalid number, a
 * national number while the company has no country).
 */
export function dialTargetOf(raw: string, rules: DialRules): DialTarget | null {
  const text = raw.trim().replace(/^tel:/i, '').replace(SEPARATORS, '');
  if (!text) return null;
  if (/[*#]/.test(text)) return /^[\d*#]+$/.test(text) ? { kind: 'feature', code: text } : null;
  if (!/^\+?\d+$/.test(text)) return null;
  if (!text.startsWith('+') && text.length <= MAX_EXTENSION_DIGITS)
    return { kind: 'extension', digits: text };
  const number = readNumber(text, rules);
  return number ? { kind: 'external', e164: number.number, display: number.formatInternational() } : null;
}

/**
 * As typed first; only when that is no valid number and it starts with the outside-line prefix (typed out of desk
 * phone habit, or recorded so by the PBX), the prefix is taken off and the rest read again. "0 030 1234567" in a
 * German company with prefix 0 reads as 030 1234567, while "0044 20 7183 8750" stays a London number.
 */
function readNumber(text: string, rules: DialRules): PhoneNumber | null {
  const country = isCountry(rules.country) ? rules.country : undefined;
  const asTyped = parseValid(text, country);
  if (asTyped) return asTyped;
  const prefix = rules.outsidePrefix;
  if (prefix && !text.startsWith('+') && text.startsWith(prefix) && text.length > prefix.length) {
    return parseValid(text.slice(prefix.length), country);
  }
  return null;
}

function parseValid(text: string, country: CountryCode | undefined): PhoneNumber | null {
  // Without a company country only international numbers can be read: guessing one would dial the wrong country.
  if (!country && !text.startsWith('+') && !text.startsWith('00')) return null;
  const international =
    !text.startsWith('+') && text.startsWith('00') && !country ? `+${text.slice(2)}` : text;
  const number = parsePhoneNumberFromString(international, country ? { defaultCountry: country } : undefined);
  if (!number) return null;
  if (number.isValid()) return readsBackAsItself(number) ? number : null;
  // libphonenumber validates an international number against one region of its calling code; some numbers are
  // valid only in another region sharing the code (+39 for Italy and the Vatican). A number we would have built
  // from a national one there must read back as itself.
  for (const region of number.getPossibleCountries()) {
    const there = parsePhoneNumberFromString(number.nationalNumber, { defaultCountry: region });
    if (there?.isValid() && there.number === number.number && readsBackAsItself(there)) return there;
  }
  return null;
}

/**
 * Whether the number's international form reads as the same number again. libphonenumber can build a number from
 * national digits that it reads differently once written internationally (property test: "08100000000" in Belarus
 * became +375 810 000 0000, which reads back as +375 10 000 00 00): dialling such a number would call someone else.
 */
function readsBackAsItself(number: PhoneNumber): boolean {
  return parsePhoneNumberFromString(number.number)?.number === number.number;
}

/** How the call list shows a number: international format for outside numbers, as recorded otherwise. */
export function displayNumber(raw: string, rules: DialRules): string {
  const target = dialTargetOf(raw, rules);
  return target?.kind === 'external' ? target.display : raw;
}

/**
 * The string the telephony client dials. E.164 for outside numbers, unless the PBX wants its outside-line prefix
 * dialled: then the prefix and the number as dialled from the company's country ("0" + "030 1234567").
 */
export function dialStringOf(target: DialTarget, rules: DialRules): string {
  switch (target.kind) {
    case 'feature':
      return target.code;
    case 'extension':
      return target.digits;
    case 'external': {
      if (!rules.dialWithPrefix || !rules.outsidePrefix || !isCountry(rules.country)) return target.e164;
      const number = parsePhoneNumberFromString(target.e164)!;
      const fromHere = number.format('IDD', { fromCountry: rules.country }) || target.e164;
      return rules.outsidePrefix + fromHere.replace(/\D/g, '');
    }
  }
}

/**
 * An RFC 3966 `tel:` URI for a dial string. A global number ("+4930...") stands alone; anything else is a local
 * number, which RFC 3966 only allows with a `phone-context`: the company's domain (the PBX's numbering plan) when we
 * know a usable one, else the company country's calling code. `#` is the URI fragment delimiter, so it is
 * percent-encoded (%23); `*` is a plain URI character and stays.
 */
export function telUriOf(dial: string, context: PhoneContext): string | null {
  if (/^\+\d+$/.test(dial)) return `tel:${dial}`;
  if (!/^[\d*#]+$/.test(dial)) return null;
  const descriptor = descriptorOf(context);
  if (!descriptor) return null;
  return `tel:${dial.replace(/#/g, '%23')};phone-context=${descriptor}`;
}

export interface PhoneContext {
  /** The company's DNS domain, e.g. the user's UPN domain. */
  domain: string | null;
  country: string | null;
}

const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOP_LABEL = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function descriptorOf(context: PhoneContext): string | null {
  const domain = context.domain?.trim().toLowerCase();
  if (domain) {
    const labels = domain.split('.');
    const top = labels[labels.length - 1]!;
    if (labels.length > 1 && TOP_LABEL.test(top) && labels.slice(0, -1).every((l) => DOMAIN_LABEL.test(l)))
      return domain;
  }
  return isCountry(context.country) ? `+${getCountryCallingCode(context.country)}` : null;
}

/** The domain of a user principal name ("alice@contoso.com" → "contoso.com"). */
export function domainOfUpn(upn: string | undefined): string | null {
  const at = upn?.lastIndexOf('@') ?? -1;
  return at >= 0 ? upn!.slice(at + 1) : null;
}
