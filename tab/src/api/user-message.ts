import type { MessageKey, Translate } from '../i18n';
import { ConsentWindowError } from '../teams/host';
import { ApiRequestError } from './errors';

/**
 * The one place that turns a failed call into words for the person in front of the tab. A browser's own error
 * ("TypeError: Failed to fetch") and a server's internals never reach the page: they say nothing the user can act on.
 * A refusal with a known code gets the tab's own words for it; only an input refusal the tab has no words for
 * (400/409/422) carries the server's sentence, which is written to be shown.
 */
export function userMessage(t: Translate, error: unknown): string {
  if (error instanceof ConsentWindowError) return t('errConsent');
  if (!(error instanceof ApiRequestError)) return t('errOffline');
  const { status } = error;
  // A refusal the server names by its code has words of its own here, in the user's language.
  const known = WORDS_FOR_CODE[error.code];
  if (known) return t(known);
  if (status === 401) return t('errSession');
  if (status === 403) return t('errForbidden');
  if (status === 404) return t('errNotFound');
  if (status === 429) return t('errBusy');
  if (status === 400 || status === 409 || status === 422) return t('errRefused', { detail: error.message });
  return t('errServer');
}

/**
 * The server's refusals that say more than their status (bot/http, bot/services: the `code` of an ApiError). Their
 * English sentence is the server's; the tab says the same in the user's language, so a German admin never reads
 * "This was not accepted: Your company has not linked its phone system yet."
 */
const WORDS_FOR_CODE: Partial<Record<string, MessageKey>> = {
  sync_queued: 'errQueued',
  // A 404 about the user, not about an item: "this item no longer exists" would send them looking for one.
  no_phone_user: 'errNoPhoneUser',
  tenant_not_linked: 'errTenantNotLinked',
  cloudlink_not_linked: 'errPhoneSystemNotLinked',
  invalid_cursor: 'errPageExpired',
  override_conflict: 'errOverrideConflict',
  app_registration_managed: 'errAppRegistrationManaged',
  graph_permission_missing: 'errGroupsPermission',
  graph_failed: 'errGraphFailed',
  group_not_found: 'errGroupNotFound',
  payload_too_large: 'errTooLarge',
  // Adding it again would sign the account in again, and wrong passwords count toward Entra's lockout.
  monitor_exists: 'errMonitorExists',
};

/** The request id to quote in a report, when the server gave one (never for a network failure). */
export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiRequestError ? error.requestId : undefined;
}
