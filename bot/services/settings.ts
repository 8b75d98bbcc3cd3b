import { z } from 'zod';
import {
  CLIENT_TYPES as ALL_CLIENT_TYPES,
  DEFAULT_CLICK_TO_CALL,
  isValidCallTemplate,
} from '../../shared/api/click-to-call';
import type { ClickToCallConfig, ClientType } from '../../shared/api/contract';
import type { Store, UserSettings } from '../../shared/ports/store';

export const CLIENT_TYPES: ClientType[] = [...ALL_CLIENT_TYPES];

/**
 * A click-to-call method: `tel`, or a link template with {number}. Only schemes a phone client registers are
 * allowed, never script or web schemes: the template ends up as a link the user clicks inside Teams.
 */
export const clickToCallMethod = z
  .string()
  .max(200)
  .refine(
    isValidCallTemplate,
    'must be "tel" or a link template with exactly one {number}, like micollab://dial?number={number} (not http, javascript or data)',
  );

/** PUT /api/admin/click-to-call: the tenant's default method for every client type. */
export const adminClickToCallSchema = z
  .object({
    byClient: z
      .object({
        desktop: clickToCallMethod,
        web: clickToCallMethod,
        ios: clickToCallMethod,
        android: clickToCallMethod,
      })
      .strict(),
  })
  .strict();

export const mySettingsSchema = z
  .object({
    missedCallNotice: z.boolean(),
    clickToCall: z
      .object({
        desktop: clickToCallMethod,
        web: clickToCallMethod,
        ios: clickToCallMethod,
        android: clickToCallMethod,
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/** The tenant's defaults live in TenantRecord.settings.clickToCall (set by admins); DEFAULT_CLICK_TO_CALL otherwise. */
export async function tenantClickToCall(store: Store, tenantId: string): Promise<ClickToCallConfig> {
  const tenant = await store.getTenant(tenantId);
  const chosen = clickToCallMethodsOf(tenant?.settings.clickToCall);
  const byClient = {} as Record<ClientType, string>;
  for (const client of CLIENT_TYPES) byClient[client] = chosen[client] ?? DEFAULT_CLICK_TO_CALL[client];
  return { byClient };
}

/** What /api/me answers: the user's override where they set one, the tenant's default elsewhere. */
export async function clickToCallFor(
  store: Store,
  tenantId: string,
  settings: UserSettings,
): Promise<ClickToCallConfig> {
  const defaults = (await tenantClickToCall(store, tenantId)).byClient;
  const byClient = {} as Record<ClientType, string>;
  for (const client of CLIENT_TYPES) byClient[client] = settings.clickToCall?.[client] ?? defaults[client];
  return { byClient };
}

function clickToCallMethodsOf(value: unknown): Partial<Record<ClientType, string>> {
  const parsed = z.record(z.string()).safeParse(value);
  if (!parsed.success) return {};
  const out: Partial<Record<ClientType, string>> = {};
  for (const client of CLIENT_TYPES) {
    const method = parsed.data[client];
    if (method !== undefined && clickToCallMethod.safeParse(method).success) out[client] = method;
  }
  return out;
}
