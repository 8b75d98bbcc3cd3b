/**
 * The sync's sentences about a user's problem and its fix, in English, by code. The server writes its English from
 * here (shared/sync/errors.ts and friends); the tab has the same codes in German (tab/src/i18n/server-texts/).
 * `{system}` is a product name (Microsoft Graph, CloudLink); `{detail}` is the provider's or runtime's own words.
 */
export const syncTextsEn = {
  'sync.noAnswer': '{system} did not answer ({reason})',
  'sync.network.timedOut': 'timed out',
  'sync.network.connectionFailed': 'connection failed',
  'sync.network.connectionFailedBecause': 'connection failed: {cause}',
  'sync.throttled': '{system} is throttling',
  'sync.serverFailed': '{system} failed ({status})',
  'sync.refused': '{system} refused: {detail}',
  'sync.signInFailed': 'sign-in failed: {detail}',
  'sync.signInRefused': 'sign-in refused: {detail}',
  'sync.fenced':
    "{operation} not sent: this process's sync lease ran out, another process may own the tenant's sync now",
  'sync.internalError': 'Switchboard hit an internal error ({kind}); it was logged for the operator.',
  'sync.resyncPbxReadFailed': 'resync could not read the PBX: {reason}',
  'sync.resyncTeamsReadFailed': 'resync could not read Teams: {reason}',
  'sync.pbxEventFailed': 'could not apply a PBX event: {detail}',
  'sync.notMatched': 'Your account is not matched to a phone user.',

  'fix.checkCredentials': 'Check the {system} credentials in the admin page (a secret may have expired).',
  'fix.graphConsent':
    'Grant admin consent for Presence.ReadWrite.All and Presence.Read.All (application) in Entra ID.',
  'fix.cloudlinkRights': 'Give the CloudLink account the admin rights Switchboard needs.',
  'fix.userGone': 'The user no longer exists in {system}; refresh the user list.',
  'fix.lookAtTrace': 'Look at the trace of this user and report a problem if it persists.',
  'fix.signIn.appCredentials':
    "Switchboard's app secret was refused by Entra ID: create a new client secret in Entra ID (App registrations > Certificates & secrets) and save it on the tenant link page.",
  'fix.signIn.accountCredentials':
    'Check the presence monitor account: its name, its password, and that it is not locked, disabled or expired.',
  'fix.signIn.mfaRequired': 'Exclude the presence monitor account from MFA and Conditional Access policies.',
  'fix.signIn.consentRequired':
    'An administrator must grant admin consent to the Switchboard app in Entra ID (Enterprise applications > Permissions).',
  'fix.signIn.other': 'Run the configuration check on the admin page; it tests each step and names the fix.',
  'fix.internalError':
    "Report a problem with this user's trace if it persists; the operator finds the details under sync.bug.",
  'fix.retriesEvery': '{fix} Switchboard tries again every {minutes} minutes.',
  'fix.nextResync': 'The next resync tries again.',
  'fix.nextPbxEventOrResync': 'The next PBX event or resync will read it again.',
  'fix.nextResyncReadsPbx': "The next resync reads this user's PBX again.",
  'fix.seeTrace': 'See the trace for details.',
  'fix.notMatched': 'Ask your admin to check that your PBX user has your work email.',
} as const satisfies Record<string, string>;

export type SyncTextCode = keyof typeof syncTextsEn;
