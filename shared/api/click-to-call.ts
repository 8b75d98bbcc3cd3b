import type { ClientType } from './contract';

/**
 * Click-to-call templates, one rule for both sides: the server refuses what the tab would never turn into a link,
 * so an admin default or user override that was accepted always works. Pure: no I/O.
 */
export const TEL_TEMPLATE = 'tel';

export const CLIENT_TYPES: readonly ClientType[] = ['desktop', 'web', 'ios', 'android'];

/**
 * `tel:` launches the registered telephony app on Windows, macOS, Android and the web; on iOS it opens the native
 * dialer and bypasses the PBX, so iOS defaults to the MiCollab app's custom scheme.
 */
export const DEFAULT_CLICK_TO_CALL: Readonly<Record<ClientType, string>> = {
  desktop: TEL_TEMPLATE,
  web: TEL_TEMPLATE,
  ios: 'micollab://dial?number={number}',
  android: TEL_TEMPLATE,
};

/** Script and web schemes never become a call link: a template ends up as an href the user clicks inside Teams. */
const REFUSED_SCHEMES = /^(javascript|data|vbscript|file|https?):/i;

/** Usable: "tel", or a URI with a scheme, exactly one {number}, and not a script or web scheme. */
export function isValidCallTemplate(template: string): boolean {
  if (template === TEL_TEMPLATE) return true;
  const placeholders = template.split('{number}').length - 1;
  return placeholders === 1 && /^[a-z][a-z0-9+.-]*:/i.test(template) && !REFUSED_SCHEMES.test(template);
}
