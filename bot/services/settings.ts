import { z } from 'zod';
import type { ClickToCallConfig, ClientType } from '../../shared/api/contract';
import type { Store, UserSettings } from '../../shared/ports/store';

export const CLIENT_TYPES: ClientType[] = ['desktop', 'web', 'ios', 'android'];

/**
 * A click-to-call method: `tel`, or a link template with {number}. Only schemes a phone client registers are
 * allowed, never script or web schemes: the template ends up as a link the user clicks inside Teams.
 */
export const clickToCallMethod = z
  .string()
  .max(200)
  .refine(
    (v) =>
      v === 'tel' ||
      (/^[a-z][a-z0-9+.-]*:/i.test(v) &&
        v.includes('{number}') &&
        !/^(javascript|data|vbscript|file|https?):/i.test(v)),
    'must be "tel" or a link template like micollab://dial?number={number} (not http, javascript or data)',
  );

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

/** The tenant's defaults live in TenantRecord.settings.clickToCall (set by admins); `tel` everywhere otherwise. */
export async function clickToCallFor(
  store: Store,
  tenantId: string,
  settings: UserSettings,
): Promise<ClickToCallConfig> {
  const tenant = await store.getTenant(tenantId);
  const defaults = clickToCallMethodsOf(tenant?.settings.clickToCall);
  const byClient = {} as Record<ClientType, string>;
  for (const client of CLIENT_TYPES)
    byClient[client] = settings.clickToCall?.[client] ?? defaults[client] ?? 'tel';
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
