import { normalizeNumber, regionOfLocale } from '../../../tab/src/callto/normalize';
import { buildCallUri, clientTypeOf, effectiveTemplate, isValidTemplate } from '../../../tab/src/callto/uri';

describe('number normalisation', () => {
  it.each([
    ['+49 (30) 123-4567', 'DE', '+49301234567'],
    ['0049 30 1234567', undefined, '+49301234567'],
    ['030 1234567', 'DE', '+49301234567'],
    ['01 234 5678', 'AT', '+4312345678'],
    ['(212) 555-0100', 'US', '+12125550100'],
    ['1 212 555 0100', 'US', '+12125550100'],
    ['020 7946 0018', 'GB', '+442079460018'],
  ])('%s in %s becomes %s', (raw, region, e164) => {
    expect(normalizeNumber(raw, region)).toEqual({ dial: e164, isE164: true, isExtension: false });
  });

  it('dials internal extensions as they are', () => {
    expect(normalizeNumber('2042', 'DE')).toEqual({ dial: '2042', isE164: false, isExtension: true });
  });

  it('keeps a national number without a known region as digits', () => {
    expect(normalizeNumber('030 1234567')).toEqual({ dial: '0301234567', isE164: false, isExtension: false });
  });

  it.each(['', '   ', 'call bob', '+0 123 4567', '+1234567890123456'])('refuses %p', (raw) => {
    expect(normalizeNumber(raw, 'DE')).toBeNull();
  });

  it('reads the region from a Teams locale', () => {
    expect(regionOfLocale('de-DE')).toBe('DE');
    expect(regionOfLocale('en-us')).toBe('US');
    expect(regionOfLocale('zh-Hant-TW')).toBe('TW');
    expect(regionOfLocale('de')).toBeUndefined();
  });
});

describe('call URIs', () => {
  it('uses tel: with E.164 for the tel method', () => {
    expect(buildCallUri('tel', '030 1234567', 'DE')).toBe('tel:+49301234567');
  });

  it('fills a custom scheme template, encoding the number', () => {
    expect(buildCallUri('micollab://dial?number={number}', '030 1234567', 'DE')).toBe(
      'micollab://dial?number=%2B49301234567',
    );
    expect(buildCallUri('mitelone:{number}', '2042', 'DE')).toBe('mitelone:2042');
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
      expect(buildCallUri(bad, '2042')).toBeNull();
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
