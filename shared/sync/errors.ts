import { CloudLinkError } from '../ports/cloudlink';
import { GraphError } from '../ports/graph';
import { SignInError, type SignInRefusal } from '../ports/sign-in';

/**
 * How long a refused write (401/403/404) waits before it is tried again on its own: a person has to act (consent, a
 * licence, a secret), so retrying sooner only adds refusals, but once they have acted the user should not have to
 * wait for their next phone call to see it work.
 */
export const REFUSED_WRITE_RETRY_MS = 15 * 60_000;

/**
 * How the engine treats a failed call: try again later (after at least `afterMs`), or give up and say why. A refusal
 * that someone can fix carries `healAfterMs`: writes are tried again after it, besides at the next change or resync.
 */
export type Failure =
  | { retry: true; afterMs?: number; message: string }
  | { retry: false; message: string; fix: string; healAfterMs?: number };

/** Throttling, server errors and network failures are passing; anything else needs a person. */
export function classify(err: unknown): Failure {
  if (err instanceof GraphError || err instanceof CloudLinkError) {
    const system = err instanceof GraphError ? 'Microsoft Graph' : 'CloudLink';
    if (err.status === 429)
      return { retry: true, afterMs: err.retryAfterMs ?? 1000, message: `${system} is throttling` };
    if (err.status === 0 || err.status >= 500 || err.status === 408)
      return { retry: true, message: `${system} failed (${err.status})` };
    return {
      retry: false,
      message: `${system} refused: ${err.message}`,
      fix: fixFor(err.status, system),
      ...([401, 403, 404].includes(err.status) && { healAfterMs: REFUSED_WRITE_RETRY_MS }),
    };
  }
  if (err instanceof SignInError && err.refusal) {
    return {
      retry: false,
      message: `sign-in refused: ${err.message}`,
      fix: SIGN_IN_FIXES[err.refusal],
      // Someone has to act, and once they have, writes should heal without waiting for the next change.
      healAfterMs: REFUSED_WRITE_RETRY_MS,
    };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { retry: true, message: `network failure: ${text}` };
}

/** What to do about each kind of refusal, in the words an integration admin reads on the admin page. */
export const SIGN_IN_FIXES: Record<SignInRefusal, string> = {
  appCredentials:
    "Switchboard's app secret was refused by Entra ID: create a new client secret in Entra ID (App registrations > Certificates & secrets) and save it on the tenant link page.",
  accountCredentials:
    'Check the presence monitor account: its name, its password, and that it is not locked, disabled or expired.',
  mfaRequired: 'Exclude the presence monitor account from MFA and Conditional Access policies.',
  consentRequired:
    'An administrator must grant admin consent to the Switchboard app in Entra ID (Enterprise applications > Permissions).',
  other: 'Run the configuration check on the admin page; it tests each step and names the fix.',
};

function fixFor(status: number, system: string): string {
  if (status === 401) return `Check the ${system} credentials in the admin page (a secret may have expired).`;
  if (status === 403) {
    return system === 'Microsoft Graph'
      ? 'Grant admin consent for Presence.ReadWrite.All and Presence.Read.All (application) in Entra ID.'
      : 'Give the CloudLink account the admin rights Switchboard needs.';
  }
  if (status === 404) return `The user no longer exists in ${system}; refresh the user list.`;
  return 'Look at the trace of this user and report a problem if it persists.';
}

/** Exponential backoff: 1 s, 2 s, 4 s ... up to 5 minutes, so queued work is retried but never hammered. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 300_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}
