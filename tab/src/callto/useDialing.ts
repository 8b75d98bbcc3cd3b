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
    return {
      /** The link that calls `raw`, or null when it cannot be dialled. */
      callUri: (raw: string) => buildCallUri(template, raw, rules, context),
      /** `raw` as people read it (`+49 30 901820`); extensions and feature codes as recorded. */
      display: (raw: string) => displayNumber(raw, rules),
      /** True when `raw` looks like a national number and cannot be read because the company has no country. */
      needsCountry: (raw: string) =>
        !isCountry(rules.country) &&
        dialTargetOf(raw, rules) === null &&
        /^[\d\s\-./()]+$/.test(raw.trim()) &&
        !raw.trim().startsWith('00'),
    };
  }, [rules, template, upn]);
}
