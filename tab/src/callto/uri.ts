import type { ClientType, ClickToCallConfig, DialRules } from '../../../shared/api/contract';
import { isValidCallTemplate, TEL_TEMPLATE } from '../../../shared/api/click-to-call';
import { dialStringOf, dialTargetOf, telUriOf, type PhoneContext } from '../../../shared/domain/dialing';

/**
 * Which URI launches the user's telephony client. `tel:` works on Windows, macOS, Android and the web (and new Teams
 * desktop lets it through its scheme allow list); on iOS `tel:` opens the native dialer, so admins configure the
 * vendor's custom scheme there. A template is 'tel' or a string containing {number}.
 */
export { TEL_TEMPLATE };

/** Teams reports more host client types than the four we configure; map each to the one whose rules apply. */
export function clientTypeOf(hostClientType: string | undefined): ClientType {
  switch (hostClientType) {
    case 'ios':
    case 'ipados':
      return 'ios';
    case 'android':
    case 'teamsRoomsAndroid':
    case 'teamsPhones':
    case 'teamsDisplays':
      return 'android';
    case 'web':
      return 'web';
    case 'desktop':
    case 'macos':
    case 'teamsRoomsWindows':
    case 'surfaceHub':
    case 'rigel':
      return 'desktop';
    default:
      return 'web';
  }
}

/** The user's override wins over the admin default; an empty override means "use the admin default". */
export function effectiveTemplate(
  adminDefaults: ClickToCallConfig['byClient'],
  override: Partial<Record<ClientType, string>> | undefined,
  client: ClientType,
): string {
  const mine = override?.[client]?.trim();
  return mine ? mine : adminDefaults[client];
}

/**
 * A template is usable when it is "tel" or a phone-client URI with exactly one {number}. Web and script schemes never
 * become a link (the server applies the same shared rule when saving; this guards what it sends back).
 */
export const isValidTemplate = isValidCallTemplate;

/**
 * The href for a call to `rawNumber` under the company's dialling rules, or null when the number cannot be dialled
 * or the template is unusable. `tel` gives an RFC 3966 URI; a custom template gets the dial string URI-encoded.
 */
export function buildCallUri(
  template: string,
  rawNumber: string,
  rules: DialRules,
  context: PhoneContext,
): string | null {
  const target = dialTargetOf(rawNumber, rules);
  if (!target || !isValidTemplate(template)) return null;
  const dial = dialStringOf(target, rules);
  if (template === TEL_TEMPLATE) return telUriOf(dial, context);
  return template.replace('{number}', encodeURIComponent(dial));
}
