import { useMemo } from 'react';
import { dialTargetOf, displayNumber, domainOfUpn, isCountry } from '../../../shared/domain/dialing';
import { useEnv } from '../app/env';
import { buildCallUri } from './uri';

/**
 * Numbers as this user's company dials them: the admin's dialling rules (country, outside-line prefix) from
 * /api/me, never the Teams UI language, and this device's click-to-call template.
 */
export function useDialing() {
  const env = useEnv();
  const rules = env.me.dialRules;
  const template = env.me.clickToCall.byClient[env.clientType];
  const upn = env.me.user.upn;
  return useMemo(() => {
    const context = { domain: domainOfUpn(upn), country: rules.country };
    // Parsing a number (libphonenumber) for every call row that scrolls into view showed in the scroll profile;
    // a history repeats the same numbers, so each is parsed once per set of rules.
    const uris = new Map<string, string | null>();
    const shown = new Map<string, string>();
    return {
      /** The link that calls `raw`, or null when it cannot be dialled. */
      callUri: (raw: string) => cached(uris, raw, () => buildCallUri(template, raw, rules, context)),
      /** `raw` as people read it (`+49 30 901820`); extensions and feature codes as recorded. */
      display: (raw: string) => cached(shown, raw, () => displayNumber(raw, rules)),
      /** True when `raw` looks like a national number and cannot be read because the company has no country. */
      needsCountry: (raw: string) =>
        !isCountry(rules.country) &&
        dialTargetOf(raw, rules) === null &&
        /^[\d\s\-./()]+$/.test(raw.trim()) &&
        !raw.trim().startsWith('00'),
    };
  }, [rules, template, upn]);
}

/** Distinct numbers a user's history holds are few; the cache is dropped with the rules it was made for. */
const CACHE_LIMIT = 5_000;
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  const value = make();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}
