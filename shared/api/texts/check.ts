/**
 * The configuration check's step details, fixes and summary, and the other admin jobs' summaries, in English by code
 * (bot/services/config-check.ts, sync-facade.ts, jobs.ts write from here; the tab has the German in its admin
 * chunk). `{detail}` is a provider's or runtime's own words; `{url}` and `{names}` are shown as they are.
 */
export const checkTextsEn = {
  'check.fix.unexpected': 'Unexpected failure; run the check again, and report it if it repeats.',
  'check.fix.entraNoAnswer':
    'Entra ID did not answer: check that this server reaches login.microsoftonline.com (AUTHORITY_HOST), then run the check again.',
  'check.noUsersYet': 'No users matched yet, so presence access was not tried.',
  'check.fix.permissions':
    'In Entra ID > App registrations > API permissions, add the application permissions Presence.ReadWrite.All and User.Read.All and grant admin consent.',
  'check.pollingNoMonitors': 'Polling mode reads presence without monitors.',
  'check.noMonitor': 'No presence monitor is configured.',
  'check.fix.addMonitor': 'Add a presence monitor account (a user without MFA) on the Monitors page.',
  'check.monitorsBroken': 'Monitors that need attention: {list}',
  'check.fix.reauthorizeMonitors':
    'Authorize each listed monitor again; if its password changed in Entra ID, give it the new one with New password on its row.',
  'check.monitorsTooFew': '{count} monitors for {needed} needed (650 users each).',
  'check.fix.addMonitors': 'Add presence monitor accounts until there are enough.',
  'check.monitorCount': '{count} monitor(s).',
  'check.pollingNoSubscriptions': 'Polling mode uses no subscriptions.',
  'check.subscriptionsDead': '{count} subscription(s) missing or expired: {names}.',
  'check.fix.subscriptions':
    'Authorize the monitors again; check that the notification URL is reachable from the internet.',
  'check.subscriptionsAlive': '{count} subscription(s) alive.',
  'check.notHttps': '{url} is not https: Microsoft Graph delivers change notifications to https URLs only.',
  'check.fix.httpsUrl':
    'Set PUBLIC_BASE_URL to the https address of this server (behind a reverse proxy that terminates TLS).',
  'check.urlAnswered': '{url} answered {status}.',
  'check.urlNoEcho':
    '{url} answered, but not with the validation token Graph sends: something in front of this server (a proxy, a sign-in page) answers instead, so Graph cannot create subscriptions.',
  'check.urlFailed': '{url}: {detail}',
  'check.fix.publicUrl':
    'PUBLIC_BASE_URL must point at this server over HTTPS, reachable from Microsoft Graph and CloudLink.',
  'check.phoneUsersFound': '{count} phone users found.',
  'check.fix.cloudlinkSecret':
    'Create a new client secret for the CloudLink client in the Mitel administration portal and save it on the tenant link page.',
  'check.fix.cloudlinkAccount':
    'Check the CloudLink account id, client id and secret on the tenant link, and that the account has API access.',
  'check.secretExpiryUnknown':
    'The expiry date of the client secret is not known, so Switchboard cannot warn before it expires.',
  'check.fix.enterExpiry':
    'Enter the date the client secret expires on the tenant link, so Switchboard can warn in time.',
  'check.secretExpired':
    'The client secret expired on {date}: Switchboard cannot sign in, so sync has stopped.',
  'check.secretExpiresToday':
    'The client secret expires today, {date}: sync stops then unless it is replaced.',
  'check.secretExpiresInOneDay':
    'The client secret expires on {date}, in 1 day: sync stops then unless it is replaced.',
  'check.secretExpiresInDays':
    'The client secret expires on {date}, in {days} days: sync stops then unless it is replaced.',
  'check.secretValid': 'The client secret is valid until {date} ({days} days from now); nothing to do yet.',
  'check.adminNotices': 'A channel or group chat receives admin notices (problem reports, expiring secrets).',
  'check.noAdminNotices':
    'No channel or group chat receives admin notices: problem reports and warnings of expiring secrets reach no admin.',
  'check.fix.adminNotices':
    "Add the Switchboard bot to your admins' team channel or group chat and send it: admin notices here",
  'check.callHistoryDeepLink': "Missed-call notices open the Calls tab in Teams (the app's id is set).",
  'check.callHistoryDemoHost': "The demo's missed-call notices open its Teams-like host page.",
  'check.callHistoryWebAddress':
    "TEAMS_APP_ID is not set: missed-call notices open the tab's web address, which outside Teams only says to open Teams.",
  'check.fix.teamsAppId':
    "Set TEAMS_APP_ID to the Teams app package's id (the manifest's id) and restart Switchboard.",
  'check.fix.newSecret':
    'Create a new client secret in Entra ID, enter it and its expiry date on the tenant link.',

  'check.summary.allPassed': 'All checks passed.',
  'check.summary.oneWarning':
    'No check failed, but 1 step needs attention: see the steps marked so, with their fix.',
  'check.summary.warnings':
    'No check failed, but {warnings} steps need attention: see the steps marked so, with their fix.',
  'check.summary.failed': '{failed} of {total} checks failed; each names its fix.',
  'check.summary.failedAndOneWarning':
    '{failed} of {total} checks failed; each names its fix. Also 1 warning.',
  'check.summary.failedAndWarnings':
    '{failed} of {total} checks failed; each names its fix. Also {warnings} warnings.',

  'resync.summaryEveryPhone': '{done} of {total} users resynced (every phone read).',
  'resync.summarySomePhones':
    '{done} of {total} users resynced ({reads} phones read, the live PBX feed covered the rest).',
  'job.interrupted':
    'Interrupted: the server process running this job stopped (a restart or a crash) before it finished. Run it again.',
} as const satisfies Record<string, string>;

export type CheckTextCode = keyof typeof checkTextsEn;
