import type { Messages } from './en';

/** Everything the bot says, in German (Sie-Form, as the tab and the manifest). Same keys as en.ts. */
export const de: Messages = {
  commandDescriptions: {
    help: 'Was ich für Sie tun kann',
    status: 'Ihre Teams- und Telefonpräsenz, letzte Synchronisierung, Probleme',
    sync: 'Ihre Präsenz jetzt neu synchronisieren',
    report: 'Ein Problem melden, mit Diagnosedaten',
    settings: 'Hinweise auf verpasste Anrufe und Wählverfahren',
  },
  signOutCommand: 'Ihre Anmeldung vergessen',
  helpIntro: 'Sie können mir schicken:',
  welcome: 'Hallo! Ich halte Ihre Präsenz in Teams und am Telefon im Einklang.',
  notUnderstood: (text) => `Das habe ich nicht verstanden: „${text}“.`,
  notATeamsUser:
    'Ich kann nur Personen helfen, die in Microsoft Teams in einem Unternehmen angemeldet sind, das Switchboard nutzt.',
  unavailable:
    'Switchboard ist auf unserer Seite kurz nicht erreichbar. Bitte versuchen Sie es in einer Minute noch einmal.',
  notOnboarded: (onboardUrl) =>
    `Ihre Organisation hat Switchboard noch nicht eingerichtet. Ein Administrator Ihrer Organisation kann es hier einrichten: ${onboardUrl}`,
  signedOut: 'Sie sind abgemeldet. Schicken Sie einen beliebigen Befehl, um sich wieder anzumelden.',
  signedIn: (name) =>
    `Sie sind als ${name} angemeldet. Schicken Sie „status“, um Ihre Präsenz zu sehen, oder „help“.`,
  signInTitle: 'Bei Switchboard anmelden',
  signInText: 'Melden Sie sich einmal mit Ihrem Teams-Konto an; ein Telefonpasswort ist nicht nötig.',
  signInInChat: 'Bitte melden Sie sich zuerst an: Schicken Sie mir einen Befehl im persönlichen Chat.',
  turnFailed: 'Entschuldigung, bei mir ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.',
  resynced: 'Neu synchronisiert.',

  statusTeams: 'Teams',
  statusPhone: 'Telefon',
  statusLastSync: 'Letzte Synchronisierung',
  statusProblem: 'Problem',
  statusWhatToDo: 'Was zu tun ist',
  unknown: 'unbekannt',
  never: 'nie',
  noCall: 'kein Anruf',
  ringing: 'klingelt',
  onCall: 'im Gespräch',
  doNotDisturb: 'nicht stören',
  secondsAgo: (n) => `vor ${n} s`,
  minutesAgo: (n) => `vor ${n} min`,
  hoursAgo: (n) => `vor ${n} h`,
  syncOff: 'Die Präsenzsynchronisierung ist für Sie ausgeschaltet.',
  toTeamsOff: 'Ihr Telefon ändert Teams nicht (von Ihrem Admin ausgeschaltet).',
  fromTeamsOff: 'Teams ändert Ihr Telefon nicht (von Ihrem Admin ausgeschaltet).',
  allGood: 'Alles funktioniert.',
  notSyncedYet:
    'Noch nicht synchronisiert: Switchboard wartet darauf, Ihren Teams- und Telefonstatus zum ersten Mal zu lesen.',
  availability: {
    Available: 'Verfügbar',
    AvailableIdle: 'Verfügbar, inaktiv',
    Away: 'Abwesend',
    BeRightBack: 'Bin gleich zurück',
    Busy: 'Beschäftigt',
    BusyIdle: 'Beschäftigt, inaktiv',
    DoNotDisturb: 'Nicht stören',
    Offline: 'Offline',
    PresenceUnknown: 'Unbekannt',
    InACall: 'Im Anruf',
    InAConferenceCall: 'In einer Telefonkonferenz',
    InAMeeting: 'In einer Besprechung',
    Presenting: 'Präsentiert',
    UrgentInterruptionsOnly: 'Nur dringende Unterbrechungen',
    OffWork: 'Nicht im Dienst',
    OutOfOffice: 'Außer Haus',
    Inactive: 'Inaktiv',
  },

  reportFormTitle: 'Ein Problem melden',
  reportCategoryLabel: 'Worum geht es?',
  reportDescriptionLabel: 'Was ist passiert?',
  reportDescriptionMissing: 'Bitte beschreiben Sie das Problem.',
  reportDiagnosticsToggle:
    'Diagnosedaten anhängen (Ihr Synchronisierungsstatus und die letzten Ereignisse; nie Passwörter oder Token)',
  reportSend: 'Meldung senden',
  categories: {
    presence: 'Präsenz ist falsch',
    callHistory: 'Anrufliste',
    clickToCall: 'Anrufen per Klick',
    signIn: 'Anmeldung',
    other: 'Etwas anderes',
  },
  statusWords: {
    new: 'neu',
    acknowledged: 'angenommen: ein Admin sieht sich das an',
    // Follows „Meldung … ist jetzt“ in the admins' confirmation, so it starts with a state, not a verb.
    needsInfo: 'in Rückfrage: wartet auf weitere Angaben der meldenden Person',
    resolved: 'erledigt',
  },
  reportFormIncomplete:
    'Bitte wählen Sie eine Kategorie und beschreiben Sie das Problem, dann senden Sie das Formular erneut.',
  reportFiled: (id) =>
    `Danke, Ihre Meldung ist eingegangen (Nr. ${id}). Ich sage Ihnen hier Bescheid, sobald ein Admin sie übernimmt.`,
  actionIncomplete: 'Diese Aktion ist unvollständig.',
  onlyAdminsChangeReport: 'Nur Switchboard-Admins können eine Meldung ändern.',
  reportNotFound: 'Diese Meldung finde ich nicht.',
  reportChanged: (id, status) => `Meldung ${id} ist jetzt ${status}; die meldende Person wurde informiert.`,
  reportChangedReporterHasNoChat: (id, status) =>
    `Meldung ${id} ist jetzt ${status}. Ich konnte die meldende Person nicht informieren, weil sie keinen Chat ` +
    'mit mir hat (nie begonnen oder die App entfernt). Bitte geben Sie ihr auf anderem Weg Bescheid.',
  reportChangedReporterNotReached: (id, status) =>
    `Meldung ${id} ist jetzt ${status}. Ich konnte die meldende Person nicht informieren: Das Senden der ` +
    'Nachricht ist fehlgeschlagen. Bitte geben Sie ihr auf anderem Weg Bescheid.',
  adminCardTitle: (name) => `Problemmeldung von ${name}`,
  adminCardCategory: 'Kategorie',
  adminCardStatus: 'Status',
  adminCardFrom: 'Über',
  adminCardFromBot: 'Bot-Chat',
  adminCardFromTab: 'Registerkarte',
  adminCardId: 'Meldungsnummer',
  adminCardDiagnostics: 'Diagnosedaten',
  adminCardDiagnosticsAttached: 'angehängt (auf der Admin-Seite lesbar)',
  adminCardDiagnosticsNone: 'nicht angehängt',
  adminCardConversation: 'Verlauf',
  acknowledge: 'Annehmen',
  resolve: 'Erledigen',
  askForMore: 'Nachfragen',
  askWhat: 'Was müssen Sie wissen?',
  sendQuestion: 'Frage senden',
  newReportNotice: (name, description) => `Neue Problemmeldung von ${name}: ${description}`,
  reportStatusNotice: (description, status, by) =>
    ({
      new: `Ihre Problemmeldung „${description}“ ist wieder neu (von ${by}).`,
      acknowledged: `Ihre Problemmeldung „${description}“ ist jetzt angenommen: ein Admin sieht sich das an (von ${by}).`,
      needsInfo: `Ihre Problemmeldung „${description}“ wartet auf weitere Angaben von Ihnen (Rückfrage von ${by}).`,
      resolved: `Ihre Problemmeldung „${description}“ ist jetzt erledigt (von ${by}).`,
    })[status],
  adminAsks: (question) => `Der Admin fragt: ${question}`,
  replyHint: 'Antworten Sie hier (schreiben Sie einfach Ihre Antwort) oder nutzen Sie das Feld unten.',
  replyLabel: 'Ihre Antwort',
  replySend: 'Antwort senden',
  replyMissing: 'Bitte schreiben Sie Ihre Antwort und senden Sie sie erneut.',
  replyAttached: (id) =>
    `Danke, ich habe Ihre Antwort zu Meldung ${id} hinzugefügt und die Admins informiert.`,
  noOpenQuestion: 'Diese Meldung wartet nicht mehr auf eine Antwort.',
  replyNotice: (name, id, answer) => `${name} hat zu Meldung ${id} geantwortet: ${answer}`,

  settingsTitle: 'Ihre Einstellungen',
  settingsMissedCalls: 'In diesem Chat Bescheid geben, wenn ich einen Anruf verpasse',
  settingsDialsWith: 'Anrufen per Klick wählt mit',
  settingsDefault: 'Standard meines Unternehmens',
  settingsTel:
    'Der Telefon-App (tel:-Link) auf Computern, im Web und auf Android; iPhone behält die Mitel-App',
  settingsCustom: 'Einem eigenen Link (unten), auf iPhone und Android',
  settingsCustomLabel: 'Eigener Link, mit {number} an der Stelle der Nummer',
  settingsCustomInvalid:
    'Dieser eigene Link ist ungültig: Er braucht ein Schema wie micollab: und {number}, z. B. micollab://dial?number={number}.',
  settingsSave: 'Speichern',
  settingsSaved: (notices, dialling) =>
    `Gespeichert. Hinweise auf verpasste Anrufe sind ${notices ? 'an' : 'aus'}; Anrufen per Klick nutzt ${dialling}.`,
  companyDefault: 'den Standard Ihres Unternehmens',
  clients: { desktop: 'Computern', web: 'im Web', ios: 'iPhone', android: 'Android' },
  dialsOn: (method, clients) => `${method} auf ${clients}`,
  telLink: 'die Telefon-App (tel:)',
  andJoin: ' und ',
  listJoin: ', ',
  elsewhereDefault: 'sonst den Standard Ihres Unternehmens',

  adminChannelNeedsChannel:
    'Admin-Hinweise gehen in einen Kanal oder Gruppenchat: Fügen Sie mich dort hinzu oder schicken Sie dort „admin notices here“.',
  adminChannelOnlyAdmins:
    'Nur ein Switchboard-Admin kann dies zum Kanal für Admin-Hinweise machen. Ein Admin kann „admin notices here“ schicken.',
  adminChannelClaimed: 'Problemmeldungen und Warnungen zu Zugangsdaten werden hier gepostet.',

  credentialExpires: (what, expired, when) =>
    `${what} ${expired ? 'ist abgelaufen' : 'läuft ab'} am ${when}. Die Präsenzsynchronisierung stoppt, wenn sie abläuft.`,
  credentialClientSecret: 'Der geheime Clientschlüssel der App-Registrierung',
  credentialMonitor: (user) => `Das Passwort des Präsenzmonitors ${user}`,
  credentialTitle: (expired) => (expired ? 'Zugangsdaten sind abgelaufen' : 'Zugangsdaten laufen bald ab'),
  credentialWhat: 'Was',
  credentialWhen: (expired) => (expired ? 'Abgelaufen' : 'Läuft ab'),
  credentialFix: 'Abhilfe',
  credentialFixText:
    'Erstellen Sie einen neuen Schlüssel oder ein neues Passwort, tragen Sie es auf der Admin-Seite ein und führen Sie dann die Konfigurationsprüfung aus.',
  openAdminPage: 'Admin-Seite öffnen',
  syncBroken: (error) =>
    `Ihre Präsenz wird nicht zwischen Teams und Ihrem Telefon synchronisiert: ${error}. ` +
    'Ihr Admin sieht das in der Diagnose; schicken Sie „sync“, um es erneut zu versuchen, oder „report“, um Details zu melden.',
  missedCall: (who, when) => `Sie haben einen Anruf von ${who} verpasst (${when}).`,
  missedCallTitle: 'Verpasster Anruf',
  missedCallFrom: 'Von',
  missedCallWhen: 'Wann',
  openCallHistory: 'Anrufliste öffnen',
};
