import type { Translate } from '../i18n';
import { ConsentWindowError } from '../teams/host';
import { ApiRequestError } from './errors';

/**
 * The one place that turns a failed call into words for the person in front of the tab. A browser's own error
 * ("TypeError: Failed to fetch") and a server's internals never reach the page: they say nothing the user can act on.
 * Only a refusal of what the user entered (400/409/422) carries the server's sentence, which is written to be shown.
 */
export function userMessage(t: Translate, error: unknown): string {
  if (error instanceof ConsentWindowError) return t('errConsent');
  if (!(error instanceof ApiRequestError)) return t('errOffline');
  const { status } = error;
  if (error.code === 'sync_queued') return t('errQueued');
  // A 404 that is about the user, not about an item: "this item no longer exists" would send them looking for one.
  if (error.code === 'no_phone_user') return t('errNoPhoneUser');
  if (status === 401) return t('errSession');
  if (status === 403) return t('errForbidden');
  if (status === 404) return t('errNotFound');
  if (status === 429) return t('errBusy');
  if (status === 400 || status === 409 || status === 422) return t('errRefused', { detail: error.message });
  return t('errServer');
}

/** The request id to quote in a report, when the server gave one (never for a network failure). */
export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiRequestError ? error.requestId : undefined;
}
