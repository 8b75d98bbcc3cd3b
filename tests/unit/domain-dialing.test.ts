import fc from 'fast-check';
import { getCountries } from 'libphonenumber-js';
import {
  dialStringOf,
  dialTargetOf,
  displayNumber,
  domainOfUpn,
  telUriOf,
  type DialRules,
  type PhoneContext,
} from '../../shared/domain/dialing';

const german: DialRules = { country: 'DE', outsidePrefix: '', dialWithPrefix: false };
const contoso: PhoneContext = { domain: 'contoso.com', country: 'DE' };
const uriOf = (raw: string, rules: DialRules = german, context: PhoneContext = contoso) => {
  const target = dialTargetOf(raw, rules);
  return target ? telUriOf(dialStringOf(target, rules), context) : null;
};

/**
 * RFC 3966 section 3, as a URI: `telephone-subscriber` is a global number (with optional parameters) or a local one,
 * which must carry a phone-context. `#` is the URI fragment delimiter, so inside a URI it only appears as %23.
 */
const PHONEDIGIT = String.raw`[0-9\-.()]`;
const GLOBAL = String.raw`\+${PHONEDIGIT}*[0-9]${PHONEDIGIT}*`;
const HEX = String.raw`[0-9A-Fa-f*#\-.()]`;
const LOCAL = String.raw`${HEX}*[0-9A-Fa-f*#]${HEX}*`;
const LABEL = String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?`;
const TOP = String.raw`[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?`;
const DOMAIN = String.raw`(?:${LABEL}\.)*${TOP}\.?`;
const PVALUE = String.raw`(?:[A-Za-z0-9\-_.!~*'()\[\]/:&+$]|%[0-9A-Fa-f]{2})+`;
const PAR = String.raw`;(?:ext=${PHONEDIGIT}+|isub=${PVALUE}|(?!phone-context=)[A-Za-z0-9-]+(?:=${PVALUE})?)`;
const CONTEXT = String.raw`;phone-context=(?:${DOMAIN}|${GLOBAL})`;
const RFC3966 = new RegExp(
  String.raw`^tel:(?:${GLOBAL}(?:${PAR})*|${LOCAL}(?:${PAR})*${CONTEXT}(?:${PAR})*)$`,
);

export function isRfc3966(uri: string): boolean {
  if (uri.includes('#') || /%(?![0-9A-Fa-f]{2})/.test(uri)) return false;
  return RFC3966.test(uri.replace(/%23/gi, '#'));
}

describe('the RFC 3966 check the properties rely on', () => {
  it.each(['tel:+4930901820', 'tel:2042;phone-context=contoso.com', 'tel:*72;phone-context=+49'])(
    'accepts %s',
    (uri) => expect(isRfc3966(uri)).toBe(true),
  );
  it.each([
    'tel:*72',
    'tel:2042',
    'tel:#31#;phone-context=contoso.com',
    'tel:+',
    'tel:+49 30',
    'tel:12;phone-context=-x',
  ])('refuses %s', (uri) => expect(isRfc3966(uri)).toBe(false));
});

describe('dialling by the company rules', () => {
  it.each([
    ['030 1234567', 'tel:+49301234567'],
    ['0170 1234567', 'tel:+491701234567'],
    ['+49 (30) 123-4567', 'tel:+49301234567'],
    ['0049 30 1234567', 'tel:+49301234567'],
    ['0044 20 7183 8750', 'tel:+442071838750'],
  ])('a German company dials %s as %s', (raw, uri) => expect(uriOf(raw)).toBe(uri));

  it('reads national numbers in the company country, whatever else is going on', () => {
    const us: DialRules = { country: 'US', outsidePrefix: '', dialWithPrefix: false };
    expect(uriOf('(212) 555-0100', us)).toBe('tel:+12125550100');
    expect(uriOf('030 1234567', us)).toBeNull();
  });

  it('keeps extensions as typed, in the company numbering plan', () => {
    expect(dialTargetOf('2042', german)).toEqual({ kind: 'extension', digits: '2042' });
    expect(uriOf('2042')).toBe('tel:2042;phone-context=contoso.com');
  });

  it('keeps feature codes with their * and #, never turning them into numbers', () => {
    expect(dialTargetOf('*72', german)).toEqual({ kind: 'feature', code: '*72' });
    expect(uriOf('*72')).toBe('tel:*72;phone-context=contoso.com');
    expect(uriOf('#31#')).toBe('tel:%2331%23;phone-context=contoso.com');
    expect(uriOf('*21*030 1234567#')).toBe('tel:*21*0301234567%23;phone-context=contoso.com');
    expect(dialTargetOf('*7a', german)).toBeNull();
  });

  it('uses the country calling code as the context when the domain is unusable', () => {
    expect(uriOf('*72', german, { domain: 'localhost', country: 'DE' })).toBe('tel:*72;phone-context=+49');
    expect(uriOf('*72', german, { domain: null, country: null })).toBeNull();
  });

  it('reads only international numbers while the company has no country', () => {
    const none: DialRules = { country: null, outsidePrefix: '', dialWithPrefix: false };
    expect(uriOf('030 1234567', none)).toBeNull();
    expect(uriOf('+49 30 1234567', none)).toBe('tel:+49301234567');
    expect(uriOf('0049 30 1234567', none)).toBe('tel:+49301234567');
    expect(uriOf('2042', none)).toBe('tel:2042;phone-context=contoso.com');
  });

  it('takes off the outside-line prefix typed out of habit or recorded by the PBX', () => {
    const zero: DialRules = { country: 'DE', outsidePrefix: '0', dialWithPrefix: false };
    expect(uriOf('0 030 1234567', zero)).toBe('tel:+49301234567');
    expect(uriOf('0 0044 20 7183 8750', zero)).toBe('tel:+442071838750');
    // Valid as typed, so the prefix is not taken: this is London, not a German number.
    expect(uriOf('0044 20 7183 8750', zero)).toBe('tel:+442071838750');
    const nine: DialRules = { country: 'US', outsidePrefix: '9', dialWithPrefix: false };
    expect(uriOf('9 1 212 555 0100', nine)).toBe('tel:+12125550100');
  });

  it('dials the prefix and the number as dialled from the company country when the PBX needs it', () => {
    const zero: DialRules = { country: 'DE', outsidePrefix: '0', dialWithPrefix: true };
    expect(uriOf('+49 30 1234567', zero)).toBe('tel:00301234567;phone-context=contoso.com');
    expect(uriOf('+44 20 7183 8750', zero)).toBe('tel:000442071838750;phone-context=contoso.com');
    expect(uriOf('2042', zero)).toBe('tel:2042;phone-context=contoso.com');
  });

  it('shows outside numbers formatted for people, the rest as recorded', () => {
    expect(displayNumber('+4930901820', german)).toBe('+49 30 901820');
    expect(displayNumber('+442071838750', german)).toBe('+44 20 7183 8750');
    expect(displayNumber('2042', german)).toBe('2042');
    expect(displayNumber('Anonymous', german)).toBe('Anonymous');
  });

  it('finds the company domain in a UPN', () => {
    expect(domainOfUpn('ada@contoso.example')).toBe('contoso.example');
    expect(domainOfUpn('nobody')).toBeNull();
  });
});

const COUNTRIES = getCountries();
const rulesArb: fc.Arbitrary<DialRules> = fc.record({
  country: fc.option(fc.constantFrom(...COUNTRIES), { nil: null }),
  outsidePrefix: fc.constantFrom('', '0', '9', '00'),
  dialWithPrefix: fc.boolean(),
});
const contextArb: fc.Arbitrary<PhoneContext> = fc.record({
  domain: fc.option(fc.oneof(fc.domain(), fc.string()), { nil: null }),
  country: fc.option(fc.constantFrom(...COUNTRIES), { nil: null }),
});
/** What people type into a dial box or a PBX records: digits, +, *, #, separators, now and then a letter. */
const typedArb = fc.oneof(
  fc.stringMatching(/^\+?[0-9 ()\-./*#]{0,20}$/),
  fc.stringMatching(/^[0-9*#]{1,12}$/),
  fc.string({ maxLength: 24 }),
);
const runs = { numRuns: 3000 };

describe('properties of the dial-string builder', () => {
  it('never builds a tel: URI that is invalid RFC 3966', () => {
    fc.assert(
      fc.property(typedArb, rulesArb, contextArb, (raw, rules, context) => {
        const uri = uriOf(raw, rules, context);
        return uri === null || isRfc3966(uri);
      }),
      runs,
    );
  });

  it('never loses a * or # of a feature code', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9 *#-]{0,16}$/).filter((s) => /[*#]/.test(s)),
        rulesArb,
        (raw, rules) => {
          const uri = uriOf(raw, rules, contoso);
          const keys = raw.replace(/[^0-9*#]/g, '');
          if (uri === null) return false;
          const dialled = decodeURIComponent(uri.slice('tel:'.length, uri.indexOf(';')));
          return dialled === keys;
        },
      ),
      runs,
    );
  });

  it('never builds a number whose international form reads as another (a counterexample the property found)', () => {
    // libphonenumber took "08100000000" in Belarus as +375 810 000 0000, which it reads back as +375 10 000 00 00.
    const built = dialTargetOf('08100000000', { country: 'BY', outsidePrefix: '', dialWithPrefix: false });
    if (built?.kind === 'external')
      expect(
        dialTargetOf(built.e164, { country: null, outsidePrefix: '', dialWithPrefix: false }),
      ).toMatchObject({
        e164: built.e164,
      });
    else expect(built).toBeNull();
  });

  it('is idempotent on E.164: a number it built dials and reads as itself under any rules', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^0?[1-9][0-9]{6,11}$/),
        fc.constantFrom(...COUNTRIES),
        rulesArb,
        (national, country, rules) => {
          const first = dialTargetOf(national, { country, outsidePrefix: '', dialWithPrefix: false });
          if (first?.kind !== 'external') return true;
          const again = dialTargetOf(first.e164, rules);
          const plain = { ...rules, dialWithPrefix: false };
          return (
            again?.kind === 'external' &&
            again.e164 === first.e164 &&
            uriOf(first.e164, plain, contoso) === `tel:${first.e164}`
          );
        },
      ),
      runs,
    );
  });
});
