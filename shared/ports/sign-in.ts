/**
 * A refusal from the identity provider, typed so that the engine and the admin pages can name the right fix without
 * knowing which provider or which error codes: an app secret someone must replace is a different job from a monitor
 * account whose password changed.
 */
export type SignInRefusal =
  /** The app's client id or secret was refused (wrong, deleted, expired): an admin must enter a new secret. */
  | 'appCredentials'
  /** A presence monitor account's name or password was refused, or the account is disabled or locked. */
  | 'accountCredentials'
  /** Conditional Access asks the account for MFA, which a service account cannot give. */
  | 'mfaRequired'
  /** The app (or a user) still has to consent. */
  | 'consentRequired'
  /** Any other refusal. */
  | 'other';

export abstract class SignInError extends Error {
  /** What kind of refusal this is; undefined when the provider failed rather than refused (try again later). */
  abstract readonly refusal: SignInRefusal | undefined;
  /** The provider's own code for support and logs (e.g. AADSTS7000215). */
  abstract readonly code: string | undefined;
}
