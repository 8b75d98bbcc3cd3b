import type { SyncTextCode } from './sync';

/** German for the sync's problems and fixes; every code the server writes (a missing one does not compile). */
export const syncTextsDe: Record<SyncTextCode, string> = {
  'sync.noAnswer': '{system} hat nicht geantwortet ({reason})',
  'sync.network.timedOut': 'Zeitüberschreitung',
  'sync.network.connectionFailed': 'Verbindung fehlgeschlagen',
  'sync.network.connectionFailedBecause': 'Verbindung fehlgeschlagen: {cause}',
  'sync.throttled': '{system} drosselt die Anfragen',
  'sync.serverFailed': '{system} ist gescheitert ({status})',
  'sync.refused': '{system} hat abgelehnt: {detail}',
  'sync.signInFailed': 'Anmeldung fehlgeschlagen: {detail}',
  'sync.signInRefused': 'Anmeldung abgelehnt: {detail}',
  'sync.fenced':
    '{operation} nicht gesendet: Die Sync-Lease dieses Prozesses ist abgelaufen, ein anderer Prozess führt den Sync der Organisation womöglich jetzt aus',
  'sync.internalError':
    'In Switchboard ist ein interner Fehler aufgetreten ({kind}); er wurde für den Betrieb protokolliert.',
  'sync.resyncPbxReadFailed': 'Der vollständige Sync konnte die Telefonanlage nicht lesen: {reason}',
  'sync.resyncTeamsReadFailed': 'Der vollständige Sync konnte Teams nicht lesen: {reason}',
  'sync.pbxEventFailed': 'Ein Ereignis der Telefonanlage konnte nicht übernommen werden: {detail}',
  'sync.notMatched': 'Ihr Konto ist keinem Benutzer der Telefonanlage zugeordnet.',

  'fix.checkCredentials':
    'Prüfen Sie die Zugangsdaten für {system} auf der Verwaltungsseite (ein Geheimnis ist womöglich abgelaufen).',
  'fix.graphConsent':
    'Erteilen Sie in Entra ID die Administratorzustimmung für Presence.ReadWrite.All und Presence.Read.All (Anwendung).',
  'fix.cloudlinkRights': 'Geben Sie dem CloudLink-Konto die Administratorrechte, die Switchboard braucht.',
  'fix.userGone': 'Den Benutzer gibt es in {system} nicht mehr; aktualisieren Sie die Benutzerliste.',
  'fix.lookAtTrace':
    'Sehen Sie sich den Verlauf dieses Benutzers an und melden Sie ein Problem, wenn es bestehen bleibt.',
  'fix.signIn.appCredentials':
    'Entra ID hat das App-Geheimnis von Switchboard abgelehnt: Erstellen Sie in Entra ID einen neuen geheimen Clientschlüssel (App-Registrierungen > Zertifikate & Geheimnisse) und speichern Sie ihn auf der Seite der Mandanten-Verknüpfung.',
  'fix.signIn.accountCredentials':
    'Prüfen Sie das Konto des Presence-Monitors: Name, Passwort, und dass es nicht gesperrt, deaktiviert oder abgelaufen ist.',
  'fix.signIn.mfaRequired':
    'Nehmen Sie das Konto des Presence-Monitors von MFA und den Richtlinien für bedingten Zugriff aus.',
  'fix.signIn.consentRequired':
    'Ein Administrator muss der Switchboard-App in Entra ID die Administratorzustimmung erteilen (Unternehmensanwendungen > Berechtigungen).',
  'fix.signIn.other':
    'Führen Sie die Konfigurationsprüfung auf der Verwaltungsseite aus; sie testet jeden Schritt und nennt die Lösung.',
  'fix.internalError':
    'Melden Sie ein Problem mit dem Verlauf dieses Benutzers, wenn es bestehen bleibt; der Betrieb findet die Einzelheiten unter sync.bug.',
  'fix.retriesEvery': '{fix} Switchboard versucht es alle {minutes} Minuten erneut.',
  'fix.nextResync': 'Der nächste vollständige Sync versucht es erneut.',
  'fix.nextPbxEventOrResync':
    'Das nächste Ereignis der Telefonanlage oder der nächste vollständige Sync liest es erneut.',
  'fix.nextResyncReadsPbx': 'Der nächste vollständige Sync liest die Telefonanlage dieses Benutzers erneut.',
  'fix.seeTrace': 'Die Einzelheiten stehen im Verlauf.',
  'fix.notMatched':
    'Bitten Sie Ihren Administrator zu prüfen, ob Ihr Benutzer in der Telefonanlage Ihre geschäftliche E-Mail-Adresse hat.',
};
