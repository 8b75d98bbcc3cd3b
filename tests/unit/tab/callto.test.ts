import type { DialRules } from '../../../shared/api/contract';
import { buildCallUri, clientTypeOf, effectiveTemplate, isValidTemplate } from '../../../tab/src/callto/uri';

const rulesIn = (country: string | null): DialRules => ({
  country,
  outsidePrefix: '',
  dialWithPrefix: false,
});
const DE = rulesIn('DE');
const contoso = { domain: 'contoso.com', country: 'DE' };

describe('numbers read in the company country (libphonenumber-js)', () => {
  it.each([
    ['+49 (30) 123-4567', null, '+49301234567'],
    ['0049 30 1234567', null, '+49301234567'],
    ['030 1234567', 'DE', '+49301234567'],
    ['01 234 5678', 'AT', '+4312345678'],
    ['(212) 555-0100', 'US', '+12125550100'],
    ['1 212 555 0100', 'US', '+12125550100'],
    ['020 7946 0018', 'GB', '+442079460018'],
  ])('%s in %s dials %s', (raw, country, e164) => {
    expect(buildCallUri('tel', raw, rulesIn(country), contoso)).toBe(`tel:${e164}`);
  });

  it.each(['', '   ', 'call bob', '+0 123 4567', '+1234567890123456'])('refuses %p', (raw) => {
    expect(buildCallUri('tel', raw, DE, contoso)).toBeNull();
  });
});

describe('call URIs', () => {
  it('uses tel: with E.164 for the tel method', () => {
    expect(buildCallUri('tel', '030 1234567', DE, contoso)).toBe('tel:+49301234567');
  });

  it('fills a custom scheme template, encoding the number', () => {
    expect(buildCallUri('micollab://dial?number={number}', '030 1234567', DE, contoso)).toBe(
      'micollab://dial?number=%2B49301234567',
    );
    expect(buildCallUri('mitelone:{number}', '2042', DE, contoso)).toBe('mitelone:2042');
    expect(buildCallUri('mitelone:{number}', '#31#', DE, contoso)).toBe('mitelone:%2331%23');
  });

  it('refuses templates that would make a web or script link', () => {
    for (const bad of [
      'javascript:alert({number})',
      'https://evil.example/?n={number}',
      'data:text/html,{number}',
      'micollab://dial',
      'x:{number}{number}',
    ]) {
      expect(isValidTemplate(bad)).toBe(false);
      expect(buildCallUri(bad, '2042', DE, contoso)).toBeNull();
    }
  });

  it('maps every Teams host client type to the rules of its platform', () => {
    expect(clientTypeOf('ipados')).toBe('ios');
    expect(clientTypeOf('macos')).toBe('desktop');
    expect(clientTypeOf('teamsPhones')).toBe('android');
    expect(clientTypeOf('web')).toBe('web');
    expect(clientTypeOf(undefined)).toBe('web');
  });

  it('lets the user override the admin default per client type', () => {
    const admin = { desktop: 'tel', web: 'tel', android: 'tel', ios: 'micollab://dial?number={number}' };
    expect(effectiveTemplate(admin, { ios: 'mitelone:{number}' }, 'ios')).toBe('mitelone:{number}');
    expect(effectiveTemplate(admin, { ios: '  ' }, 'ios')).toBe('micollab://dial?number={number}');
    expect(effectiveTemplate(admin, undefined, 'desktop')).toBe('tel');
  });
});
