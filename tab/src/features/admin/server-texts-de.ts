import type { CheckTextCode } from '../../../../shared/api/texts/check';
import type { HealthTextCode } from '../../../../shared/api/texts/health';
import type { MonitorTextCode } from '../../../../shared/api/texts/monitors';
import type { SecretTextCode } from '../../../../shared/api/texts/secrets';

/** German for the configuration check's and the jobs' sentences; every code the server writes (or it does not compile). */
export const checkTextsDe: Record<CheckTextCode, string> = {
  'check.fix.unexpected':
    'Unerwarteter Fehler; führen Sie die Prüfung erneut aus und melden Sie ihn, wenn er sich wiederholt.',
  'check.fix.entraNoAnswer':
    'Entra ID hat nicht geantwortet: Prüfen Sie, ob dieser Server login.microsoftonline.com (AUTHORITY_HOST) erreicht, und führen Sie die Prüfung erneut aus.',
  'check.noUsersYet':
    'Noch keine Benutzer zugeordnet, daher wurde der Zugriff auf die Anwesenheit nicht versucht.',
  'check.fix.permissions':
    'Fügen Sie in Entra ID > App-Registrierungen > API-Berechtigungen die Anwendungsberechtigungen Presence.ReadWrite.All und User.Read.All hinzu und erteilen Sie die Administratorzustimmung.',
  'check.pollingNoMonitors': 'Im Abfragemodus wird die Anwesenheit ohne Monitore gelesen.',
  'check.noMonitor': 'Es ist kein Presence-Monitor eingerichtet.',
  'check.fix.addMonitor':
    'Fügen Sie auf der Seite „Presence-Monitore“ ein Monitorkonto hinzu (einen Benutzer ohne MFA).',
  'check.monitorsBroken': 'Monitore, die Aufmerksamkeit brauchen: {list}',
  'check.fix.reauthorizeMonitors':
    'Autorisieren Sie jeden aufgeführten Monitor erneut; wurde sein Kennwort in Entra ID geändert, geben Sie ihm das neue mit „Neues Kennwort“ in seiner Zeile.',
  'check.monitorsTooFew': '{count} Monitore, {needed} nötig (je 650 Benutzer).',
  'check.fix.addMonitors': 'Fügen Sie Monitorkonten hinzu, bis es genug sind.',
  'check.monitorCount': '{count} Monitor(e).',
  'check.pollingNoSubscriptions': 'Der Abfragemodus verwendet keine Abonnements.',
  'check.subscriptionsDead': '{count} Abonnement(s) fehlen oder sind abgelaufen: {names}.',
  'check.fix.subscriptions':
    'Autorisieren Sie die Monitore erneut; prüfen Sie, ob die Benachrichtigungs-URL aus dem Internet erreichbar ist.',
  'check.subscriptionsAlive': '{count} Abonnement(s) aktiv.',
  'check.notHttps':
    '{url} ist kein https: Microsoft Graph stellt Änderungsbenachrichtigungen nur an https-URLs zu.',
  'check.fix.httpsUrl':
    'Setzen Sie PUBLIC_BASE_URL auf die https-Adresse dieses Servers (hinter einem Reverse-Proxy, der TLS beendet).',
  'check.urlAnswered': '{url} hat mit {status} geantwortet.',
  'check.urlNoEcho':
    '{url} hat geantwortet, aber nicht mit dem Prüfwert, den Graph sendet: Etwas vor diesem Server (ein Proxy, eine Anmeldeseite) antwortet stattdessen, daher kann Graph keine Abonnements anlegen.',
  'check.urlFailed': '{url}: {detail}',
  'check.fix.publicUrl':
    'PUBLIC_BASE_URL muss per HTTPS auf diesen Server zeigen, erreichbar für Microsoft Graph und CloudLink.',
  'check.phoneUsersFound': '{count} Benutzer der Telefonanlage gefunden.',
  'check.fix.cloudlinkSecret':
    'Erstellen Sie im Mitel-Verwaltungsportal einen neuen geheimen Clientschlüssel für den CloudLink-Client und speichern Sie ihn auf der Seite der Mandanten-Verknüpfung.',
  'check.fix.cloudlinkAccount':
    'Prüfen Sie CloudLink-Konto-ID, Client-ID und geheimen Schlüssel der Mandanten-Verknüpfung und ob das Konto API-Zugriff hat.',
  'check.secretExpiryUnknown':
    'Das Ablaufdatum des geheimen Clientschlüssels ist nicht bekannt, daher kann Switchboard nicht vor dem Ablauf warnen.',
  'check.fix.enterExpiry':
    'Tragen Sie das Ablaufdatum des geheimen Clientschlüssels in der Mandanten-Verknüpfung ein, damit Switchboard rechtzeitig warnen kann.',
  'check.secretExpired':
    'Der geheime Clientschlüssel ist am {date} abgelaufen: Switchboard kann sich nicht anmelden, der Sync steht.',
  'check.secretExpiresToday':
    'Der geheime Clientschlüssel läuft heute ab, am {date}: Dann stoppt der Abgleich, wenn er nicht ersetzt wird.',
  'check.secretExpiresInOneDay':
    'Der geheime Clientschlüssel läuft am {date} ab, in 1 Tag: Dann stoppt der Sync, wenn er nicht ersetzt wird.',
  'check.secretExpiresInDays':
    'Der geheime Clientschlüssel läuft am {date} ab, in {days} Tagen: Dann stoppt der Sync, wenn er nicht ersetzt wird.',
  'check.secretValid': 'Der geheime Clientschlüssel gilt bis {date} (noch {days} Tage); noch nichts zu tun.',
  'check.adminNotices':
    'Ein Kanal oder Gruppenchat erhält die Hinweise für die Verwaltung (Problemmeldungen, ablaufende Schlüssel).',
  'check.noAdminNotices':
    'Kein Kanal und kein Gruppenchat erhält die Hinweise für die Verwaltung: Problemmeldungen und Warnungen vor ablaufenden Schlüsseln erreichen niemanden.',
  'check.fix.adminNotices':
    'Fügen Sie den Switchboard-Bot einem Teamkanal oder Gruppenchat Ihrer Verwaltung hinzu und senden Sie ihm: admin notices here',
  'check.callHistoryDeepLink':
    'Hinweise zu verpassten Anrufen öffnen die Registerkarte „Anrufe“ in Teams (die App-ID ist gesetzt).',
  'check.callHistoryDemoHost':
    'In der Demo öffnen Hinweise zu verpassten Anrufen ihre Teams-ähnliche Host-Seite.',
  'check.callHistoryWebAddress':
    'TEAMS_APP_ID ist nicht gesetzt: Hinweise zu verpassten Anrufen öffnen die Webadresse der Registerkarte, die außerhalb von Teams nur auffordert, Teams zu öffnen.',
  'check.fix.teamsAppId':
    'Setzen Sie TEAMS_APP_ID auf die ID des Teams-App-Pakets (die ID im Manifest) und starten Sie Switchboard neu.',
  'check.fix.newSecret':
    'Erstellen Sie in Entra ID einen neuen geheimen Clientschlüssel und tragen Sie ihn mit seinem Ablaufdatum in der Mandanten-Verknüpfung ein.',

  'check.summary.allPassed': 'Alle Prüfungen bestanden.',
  'check.summary.oneWarning':
    'Keine Prüfung fehlgeschlagen, aber 1 Schritt braucht Aufmerksamkeit: Siehe die so markierten Schritte mit ihrer Lösung.',
  'check.summary.warnings':
    'Keine Prüfung fehlgeschlagen, aber {warnings} Schritte brauchen Aufmerksamkeit: Siehe die so markierten Schritte mit ihrer Lösung.',
  'check.summary.failed': '{failed} von {total} Prüfungen fehlgeschlagen; jede nennt ihre Lösung.',
  'check.summary.failedAndOneWarning':
    '{failed} von {total} Prüfungen fehlgeschlagen; jede nennt ihre Lösung. Außerdem 1 Warnung.',
  'check.summary.failedAndWarnings':
    '{failed} von {total} Prüfungen fehlgeschlagen; jede nennt ihre Lösung. Außerdem {warnings} Warnungen.',

  'resync.summaryEveryPhone': '{done} von {total} Benutzern neu synchronisiert (jedes Telefon gelesen).',
  'resync.summarySomePhones':
    '{done} von {total} Benutzern neu synchronisiert ({reads} Telefone gelesen, den Rest deckte der Live-Feed der Telefonanlage ab).',
  'job.interrupted':
    'Unterbrochen: Der Serverprozess, der diesen Auftrag ausführte, wurde beendet (Neustart oder Absturz), bevor er fertig war. Führen Sie ihn erneut aus.',
};

/** German for a refused secret of the tenant link. */
export const secretTextsDe: Record<SecretTextCode, string> = {
  'secret.refusedSavedOn': 'Das am {date} gespeicherte Geheimnis wurde von {system} abgelehnt: {code}.',
  'secret.refusedSavedOnNoCode': 'Das am {date} gespeicherte Geheimnis wurde von {system} abgelehnt.',
  'secret.refusedInUse': 'Das verwendete Geheimnis wurde von {system} abgelehnt: {code}.',
  'secret.refusedInUseNoCode': 'Das verwendete Geheimnis wurde von {system} abgelehnt.',
};

/** German for the health view's sentences. */
export const healthTextsDe: Record<HealthTextCode, string> = {
  'health.cloudlinkSubscriptionRecreated':
    'CloudLink hatte dieses Abonnement nicht mehr; es wurde neu angelegt.',
  'health.cloudlinkSubscriptionRefused': 'CloudLink hat das Abonnement abgelehnt: {detail}',
  'health.standby':
    'Ein anderer Switchboard-Prozess führt den Sync dieser Organisation aus; dieser steht bereit und übernimmt, wenn er endet.',
  'health.stopped': 'Der Sync läuft nicht.',
};

/** German for a presence monitor's last problem. */
export const monitorTextsDe: Record<MonitorTextCode, string> = {
  'monitor.subscriptionConflict':
    'Dieses Konto hat schon ein Presence-Abonnement für diese App (Graph erlaubt eines). Es läuft innerhalb von 60 Minuten ab; Switchboard versucht es erneut.',
  'monitor.problemAndFix': '{problem} {fix}',
};
