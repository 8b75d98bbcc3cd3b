import type { BotCommand } from '../../../shared/teams/bot-commands';
import type { ReportCategory, ReportStatus } from '../../../shared/api/contract';

/**
 * Everything the bot says, in English. de.ts must have every key (its type is this object's type, and
 * tests/unit/conversation-messages.test.ts checks the keys at run time too). Command titles are not translated:
 * Teams sends the chosen title from the command menu as the message text.
 */
export const en = {
  commandDescriptions: {
    help: 'What I can do for you',
    status: 'Your Teams and phone presence, last sync, any problem',
    sync: 'Resync your presence now',
    report: 'Report a problem, with diagnostics attached',
    settings: 'Missed-call notices and how click-to-call dials',
  } satisfies Record<BotCommand, string>,
  signOutCommand: 'forget your sign-in',
  helpIntro: 'You can send me:',
  welcome: 'Hi! I keep your Teams and phone presence in step.',
  notUnderstood: (text: string) => `I did not understand "${text}".`,
  notATeamsUser: 'I can only help people signed in to Microsoft Teams in a company that uses Switchboard.',
  unavailable: 'Switchboard is unavailable for a moment on our side. Please try again in a minute.',
  notOnboarded: (onboardUrl: string) =>
    `Your organisation has not set up Switchboard yet. An admin of your organisation can sign it up here: ${onboardUrl}`,
  signedOut: 'You are signed out. Send any command to sign in again.',
  signedIn: (name: string) => `You are signed in as ${name}. Send "status" to see your presence, or "help".`,
  signInTitle: 'Sign in to Switchboard',
  signInText: 'Sign in once with your Teams account; no phone password is needed.',
  signInInChat: 'Please sign in first: send me any command in a personal chat.',
  turnFailed: 'Sorry, something went wrong on my side. Please try again in a moment.',
  resynced: 'Resynced.',

  // status
  statusTeams: 'Teams',
  statusPhone: 'Phone',
  statusLastSync: 'Last sync',
  statusProblem: 'Problem',
  statusWhatToDo: 'What to do',
  unknown: 'unknown',
  never: 'never',
  noCall: 'no call',
  ringing: 'ringing',
  onCall: 'on a call',
  doNotDisturb: 'do not disturb',
  secondsAgo: (n: number) => `${n} s ago`,
  minutesAgo: (n: number) => `${n} min ago`,
  hoursAgo: (n: number) => `${n} h ago`,
  syncOff: 'Presence sync is switched off for you.',
  toTeamsOff: 'Your phone does not update Teams (switched off by your admin).',
  fromTeamsOff: 'Teams does not update your phone (switched off by your admin).',
  allGood: 'Everything works.',
  notSyncedYet:
    'Not synced yet: Switchboard is waiting to read your Teams and phone status for the first time.',
  /** Graph availability/activity words; English spells the token out ("InACall" → "In A Call"). */
  availability: {} as Record<string, string>,

  // reports
  reportFormTitle: 'Report a problem',
  reportCategoryLabel: 'What is it about?',
  reportDescriptionLabel: 'What happened?',
  reportDescriptionMissing: 'Please describe the problem.',
  reportDiagnosticsToggle: 'Attach diagnostics (your sync state and recent trace; never passwords or tokens)',
  reportSend: 'Send report',
  categories: {
    presence: 'Presence is wrong',
    callHistory: 'Call history',
    clickToCall: 'Click-to-call',
    signIn: 'Signing in',
    other: 'Something else',
  } satisfies Record<ReportCategory, string>,
  // The admins' words for a status (their card, their confirmation "Report … is now …"). The reporter is told in
  // reportStatusNotice, with sentences of its own: "waiting for more information" means from them, not the admin.
  statusWords: {
    new: 'new',
    acknowledged: 'acknowledged: an admin is looking at it',
    needsInfo: 'waiting for more information from the reporter',
    resolved: 'resolved',
  } satisfies Record<ReportStatus, string>,
  reportFormIncomplete: 'Please choose a category and describe the problem, then send the form again.',
  reportFiled: (number: string) =>
    `Thanks, your report is filed as report ${number}. I will tell you here when an admin picks it up.`,
  actionIncomplete: 'That action is incomplete.',
  onlyAdminsChangeReport: 'Only Switchboard admins can change a report.',
  reportNotFound: 'I cannot find that report.',
  reportChanged: (number: string, status: string) =>
    `Report ${number} is now ${status}; the reporter has been told.`,
  reportChangedReporterHasNoChat: (number: string, status: string) =>
    `Report ${number} is now ${status}. I could not tell the reporter, because they have no chat with me ` +
    '(never started, or the app was removed). Please let them know another way.',
  reportChangedReporterNotReached: (number: string, status: string) =>
    `Report ${number} is now ${status}. I could not tell the reporter: sending the message failed. ` +
    'Please let them know another way.',
  adminCardTitle: (name: string) => `Problem report from ${name}`,
  adminCardCategory: 'Category',
  adminCardStatus: 'Status',
  adminCardFrom: 'From',
  adminCardFromBot: 'bot chat',
  adminCardFromTab: 'tab',
  adminCardId: 'Report',
  adminCardDiagnostics: 'Diagnostics',
  adminCardDiagnosticsAttached: 'attached (open the admin page to read them)',
  adminCardDiagnosticsNone: 'not attached',
  adminCardConversation: 'Conversation',
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  askForMore: 'Ask for more',
  askWhat: 'What do you need to know?',
  sendQuestion: 'Send question',
  newReportNotice: (name: string, description: string) => `New problem report from ${name}: ${description}`,
  reportStatusNotice: (description: string, status: ReportStatus, by: string) =>
    ({
      new: `Your problem report "${description}" is new again (by ${by}).`,
      acknowledged: `Your problem report "${description}" is now acknowledged: an admin is looking at it (by ${by}).`,
      needsInfo: `Your problem report "${description}" waits for more information from you (asked by ${by}).`,
      resolved: `Your problem report "${description}" is now resolved (by ${by}).`,
    })[status],
  adminAsks: (question: string) => `The admin asks: ${question}`,
  replyHint: 'Reply here (just write your answer) or use the box below.',
  replyLabel: 'Your answer',
  replySend: 'Send answer',
  replyMissing: 'Please write your answer, then send it again.',
  replyAttached: (number: string) => `Thanks, I added your answer to report ${number} and told the admins.`,
  noOpenQuestion: 'That report is not waiting for an answer any more.',
  replyNotice: (name: string, number: string, answer: string) =>
    `${name} answered on report ${number}: ${answer}`,

  // settings
  settingsTitle: 'Your settings',
  settingsMissedCalls: 'Tell me in this chat when I miss a phone call',
  settingsDialsWith: 'Click-to-call dials with',
  settingsDefault: "My company's default",
  settingsTel: 'The phone app (tel: link) on computers, the web and Android; iPhone keeps the Mitel app',
  settingsCustom: 'A custom link (below), on iPhone and Android',
  settingsCustomLabel: 'Custom link, with {number} where the number goes',
  settingsCustomInvalid:
    'That custom link is not valid: it needs a scheme like micollab: and {number}, e.g. micollab://dial?number={number}.',
  settingsSave: 'Save',
  settingsSaved: (notices: boolean, dialling: string) =>
    `Saved. Missed-call notices are ${notices ? 'on' : 'off'}; click-to-call uses ${dialling}.`,
  companyDefault: "your company's default",
  clients: { desktop: 'computers', web: 'the web', ios: 'iPhone', android: 'Android' },
  dialsOn: (method: string, clients: string) => `${method} on ${clients}`,
  telLink: 'the phone app (tel:)',
  andJoin: ' and ',
  listJoin: ', ',
  elsewhereDefault: "your company's default elsewhere",

  // admin channel
  adminChannelNeedsChannel:
    'Admin notices go to a channel or group chat: add me there, or send "admin notices here" in one.',
  adminChannelOnlyAdmins:
    'Only a Switchboard admin can make this the admin notice channel. An admin can send "admin notices here".',
  adminChannelClaimed: 'Problem reports and credential warnings will be posted here.',

  // notices
  credentialExpires: (what: string, expired: boolean, when: string) =>
    `${what} ${expired ? 'expired' : 'expires'} on ${when}. Presence sync stops when it runs out.`,
  credentialClientSecret: 'The app registration client secret',
  credentialMonitor: (user: string) => `The password of presence monitor ${user}`,
  credentialTitle: (expired: boolean): string =>
    expired ? 'A credential has expired' : 'A credential expires soon',
  credentialWhat: 'What',
  credentialWhen: (expired: boolean): string => (expired ? 'Expired' : 'Expires'),
  credentialFix: 'Fix',
  credentialFixText:
    'Create a new secret or password, enter it on the admin page, then run the configuration check.',
  openAdminPage: 'Open the admin page',
  syncBroken: (error: string) =>
    `Your presence is not syncing between Teams and your phone: ${error}. ` +
    'Your admin has been told in the diagnostics; send "sync" to try again or "report" to add details.',
  missedCall: (who: string, when: string) => `You missed a call from ${who} at ${when}.`,
  missedCallTitle: 'Missed call',
  missedCallFrom: 'From',
  missedCallWhen: 'When',
  openCallHistory: 'Open call history',
};

export type Messages = typeof en;
