jest.mock('botbuilder', () => {
  throw new Error('the message catalogue loaded botbuilder');
});

import { CATALOGUES, formatMoment, languageOf } from '../../bot/conversation/messages';

/** Every key of a catalogue, nested objects spelled out (`categories.presence`), with what kind of value it is. */
function shape(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value !== 'object' || value === null) return { [prefix]: typeof value };
  return Object.assign(
    {},
    ...Object.entries(value).map(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k)),
  ) as Record<string, string>;
}

describe("the bot's message catalogue", () => {
  it('has every English key in German, of the same kind and arity, and nothing extra', () => {
    const en = shape(CATALOGUES.en);
    const de = shape(CATALOGUES.de);
    // English spells Graph availability tokens out itself; German names each one.
    const withoutAvailability = (s: Record<string, string>) =>
      Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('availability')));
    expect(withoutAvailability(de)).toEqual(withoutAvailability(en));
    const arity = (c: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(c)
          .filter(([, v]) => typeof v === 'function')
          .map(([k, v]) => [k, (v as () => unknown).length]),
      );
    expect(arity(CATALOGUES.de)).toEqual(arity(CATALOGUES.en));
  });

  it('translates every German message (none left in English)', () => {
    // A message that takes a report status must be asked with one: any other word words nothing in either language.
    const argsOf: Record<string, unknown[]> = { reportStatusNotice: ['X', 'needsInfo', 'Z'] };
    const sample = (v: unknown, k = ''): string =>
      typeof v === 'function'
        ? String((v as (...a: unknown[]) => unknown)(...(argsOf[k] ?? ['X', 'Y', 'Z'])))
        : String(v);
    // Words that are the same in both languages, or not words at all.
    const same = new Set(['statusTeams', 'statusProblem', 'adminCardStatus', 'listJoin']);
    const untranslated = Object.entries(CATALOGUES.en)
      .filter(([k, v]) => typeof v !== 'object' && !same.has(k))
      .filter(([k, v]) => sample(v, k) === sample((CATALOGUES.de as Record<string, unknown>)[k], k))
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });

  it('speaks German to de, de-DE, de-AT and de-CH, English to everyone else', () => {
    expect(['de', 'de-DE', 'de-AT', 'DE-ch'].map(languageOf)).toEqual(['de', 'de', 'de', 'de']);
    expect(['en-US', 'fr-FR', 'dev', undefined, ''].map(languageOf)).toEqual(['en', 'en', 'en', 'en', 'en']);
  });

  it("writes a moment in the reader's language and time zone, and says UTC when the zone is unknown", () => {
    const at = '2026-12-02T01:46:46.108Z';
    expect(formatMoment(at, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe('02.12.2026, 02:46');
    expect(formatMoment(at, { locale: 'en-US', timeZone: 'America/New_York' })).toMatch(
      /^Dec 1, 2026, 8:46\sPM$/,
    );
    expect(formatMoment(at, { locale: 'en-GB' })).toBe('2 Dec 2026, 01:46 UTC');
    expect(formatMoment(at, { locale: 'de-DE', timeZone: 'Not/AZone' })).toBe('02.12.2026, 01:46 UTC');
  });
});
