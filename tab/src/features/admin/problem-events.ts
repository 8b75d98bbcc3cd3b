import type { OperatorEventsResponse } from '../../../../shared/api/contract';
import type { Language } from '../../i18n';

/**
 * The server's log lines the admin page lists as recent problems, said by their event code in the admin's language.
 * The log's own message is English and for operators; a code not listed here (a newer server's) shows it as it is.
 */
const EVENT_WORDS: Record<Language, Record<string, string>> = {
  en: {
    'outbound.retry': 'A call to {service} failed for a moment and was tried again.',
    'outbound.throttled': '{service} asked Switchboard to slow down; the call was tried again later.',
    'outbound.refused': '{service} refused a call.',
    'outbound.gaveUp': 'A call to {service} still failed after its retries.',
    'credentials.refused': 'Entra ID refused a token request.',
    'config.environmentIgnored':
      'A setting in the environment differs from the tenant link saved here; the saved one is used.',
    'config.teamsAppIdMissing': "TEAMS_APP_ID is not set: missed-call notices open the tab's web address.",
    'bot.noticeFailed': 'A bot notice was not delivered.',
    'bot.noticeGaveUp': 'A missed-call notice was given up after its tries.',
    'sync.startFailed': 'The presence sync could not start.',
    'graph.subscriptionFailed': "A presence monitor's Graph subscription could not be kept.",
    'monitor.signInFailed': 'A presence monitor could not sign in.',
    'cloudlink.subscribeFailed': 'CloudLink refused or failed a subscription.',
    'cloudlink.subscriptionLost': 'A CloudLink subscription was lost.',
    'sync.standby': "Another Switchboard process runs this tenant's sync.",
    'sync.leaseLost': 'This process lost the sync to another one.',
    'sync.leaseRenewFailed': 'The sync could not renew its lease.',
    'report.noAdminChannel': 'A problem report reached no admin: no channel takes admin notices.',
    'report.noticeFailed': 'The reporter could not be told of a change to their report.',
    'webhook.refused': 'A webhook post could not be used and was refused.',
    'http.failed': 'A request failed on the server.',
    'sync.bug': 'Switchboard hit an internal error in the sync.',
  },
  de: {
    'outbound.retry': 'Ein Aufruf bei {service} ist kurz fehlgeschlagen und wurde wiederholt.',
    'outbound.throttled': '{service} hat Switchboard gebremst; der Aufruf wurde später wiederholt.',
    'outbound.refused': '{service} hat einen Aufruf abgelehnt.',
    'outbound.gaveUp': 'Ein Aufruf bei {service} ist auch nach den Wiederholungen fehlgeschlagen.',
    'credentials.refused': 'Entra ID hat eine Tokenanfrage abgelehnt.',
    'config.environmentIgnored':
      'Eine Einstellung in der Umgebung weicht von der hier gespeicherten Mandantenverknüpfung ab; die gespeicherte gilt.',
    'config.teamsAppIdMissing':
      'TEAMS_APP_ID ist nicht gesetzt: Hinweise zu verpassten Anrufen öffnen die Webadresse der Registerkarte.',
    'bot.noticeFailed': 'Ein Hinweis des Bots wurde nicht zugestellt.',
    'bot.noticeGaveUp': 'Ein Hinweis zu einem verpassten Anruf wurde nach allen Versuchen aufgegeben.',
    'sync.startFailed': 'Der Presence-Abgleich konnte nicht starten.',
    'graph.subscriptionFailed': 'Das Graph-Abonnement eines Presence-Monitors konnte nicht gehalten werden.',
    'monitor.signInFailed': 'Ein Presence-Monitor konnte sich nicht anmelden.',
    'cloudlink.subscribeFailed': 'CloudLink hat ein Abonnement abgelehnt oder nicht angelegt.',
    'cloudlink.subscriptionLost': 'Ein CloudLink-Abonnement ist verloren gegangen.',
    'sync.standby': 'Ein anderer Switchboard-Prozess führt den Abgleich dieses Mandanten aus.',
    'sync.leaseLost': 'Dieser Prozess hat den Abgleich an einen anderen abgegeben.',
    'sync.leaseRenewFailed': 'Der Abgleich konnte seine Zuständigkeit nicht verlängern.',
    'report.noAdminChannel':
      'Eine Problemmeldung hat niemanden erreicht: Kein Kanal erhält die Hinweise für die Verwaltung.',
    'report.noticeFailed':
      'Die meldende Person konnte über eine Änderung ihrer Meldung nicht informiert werden.',
    'webhook.refused': 'Eine Webhook-Nachricht war nicht verwendbar und wurde abgelehnt.',
    'http.failed': 'Eine Anfrage ist auf dem Server fehlgeschlagen.',
    'sync.bug': 'Switchboard ist im Abgleich auf einen internen Fehler gestoßen.',
  },
};

/** How each service a problem names is called, whatever the language. */
const SERVICE_NAMES: Record<string, string> = {
  graph: 'Microsoft Graph',
  cloudlink: 'CloudLink',
  entra: 'Entra ID',
  botConnector: 'Bot Framework',
};

/** The detail fields worth a glance in the list, with their labels; the rest stays in the server log. */
export const PROBLEM_FIELDS = ['service', 'operation', 'status', 'code', 'requestId'] as const;
export const PROBLEM_FIELD_LABELS: Record<Language, Record<(typeof PROBLEM_FIELDS)[number], string>> = {
  en: { service: 'service', operation: 'operation', status: 'status', code: 'code', requestId: 'request id' },
  de: { service: 'Dienst', operation: 'Vorgang', status: 'Status', code: 'Code', requestId: 'Anfrage-ID' },
};

type Problem = OperatorEventsResponse['items'][number];

/** The problem in the admin's words when its event is known; the log's own message otherwise. */
export function problemWords(p: Problem, language: Language): string {
  const words = p.event ? EVENT_WORDS[language][p.event] : undefined;
  if (!words) return p.message;
  const service = typeof p.detail.service === 'string' ? p.detail.service : '';
  return words.replace('{service}', SERVICE_NAMES[service] ?? service);
}

/** A detail field's value as the list shows it: services by their names, the rest as logged. */
export function problemFieldValue(field: (typeof PROBLEM_FIELDS)[number], value: unknown): string {
  const text = String(value);
  return field === 'service' ? (SERVICE_NAMES[text] ?? text) : text;
}
