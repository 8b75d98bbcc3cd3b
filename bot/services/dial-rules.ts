import { z } from 'zod';
import type { DialRules } from '../../shared/api/contract';
import { isCountry, NO_DIAL_RULES, OUTSIDE_PREFIX } from '../../shared/domain/dialing';
import type { Store } from '../../shared/ports/store';
import { readTenantDocument } from './tenant-settings';

/** The tenant settings document the rules live in (TenantRecord.settings.dialRules). */
export const DIAL_RULES_DOCUMENT = 'dialRules';

/** PUT /api/admin/dial-rules. A prefix dialled before numbers needs a prefix, and a country to dial them from. */
export const dialRulesSchema: z.ZodType<DialRules> = z
  .object({
    country: z
      .string()
      .refine(isCountry, 'must be an ISO 3166-1 alpha-2 region code such as DE, in capitals')
      .nullable(),
    outsidePrefix: z.string().regex(OUTSIDE_PREFIX, 'must be empty or one or two digits, such as 0 or 9'),
    dialWithPrefix: z.boolean(),
  })
  .strict()
  .refine((r) => !r.dialWithPrefix || (r.outsidePrefix !== '' && r.country !== null), {
    message: 'dialling with the outside-line prefix needs a prefix and a country',
    path: ['dialWithPrefix'],
  });

/** What the admin saved, or no rules (no country, no prefix) when nothing valid is stored. */
export async function tenantDialRules(store: Store, tenantId: string): Promise<DialRules> {
  return readTenantDocument(store, tenantId, DIAL_RULES_DOCUMENT, dialRulesSchema, NO_DIAL_RULES);
}
