import { fill, type Language } from '../../i18n';

/** Operator texts live in the operator chunk: customers' users never download them. */
const en = {
  title: 'Tenants',
  intro:
    'Every organisation that signed up for this Switchboard, with its health: the sync as this server sees it, and where it runs among all servers.',
  refresh: 'Refresh',
  empty: 'No organisation has signed up yet.',
  colOrganisation: 'Organisation',
  colState: 'State',
  colOnboarded: 'Signed up',
  colOffboarded: 'Offboarded',
  colSync: 'Presence sync',
  colCloudLink: 'CloudLink',
  colMonitors: 'Monitors',
  colLastError: 'Last error',
  colCheck: 'Configuration check',
  state_active: 'Active',
  state_offboarded: 'Offboarded',
  sync_owner: 'Running',
  sync_standby: 'Standby (another server runs it)',
  sync_stopped: 'Stopped',
  sync_off: 'Off (CloudLink not linked)',
  sync_notOpen: 'Not served here',
  runsOn: 'runs on {server}',
  runsNowhere: 'no server runs it',
  servedBy: 'served by {served} of {servers} servers',
  linked: 'Linked',
  notLinked: 'Not linked',
  monitors: '{active} of {total} active, {failed} failed',
  noMonitors: 'None',
  when: '{when} by {by}',
  never: '–',
  noError: 'None',
  errorAt: '{code} ({when})',
  errorNoCode: 'Error without a code',
  check_never: 'Never run',
  check_running: 'Running ({when})',
  check_failed: 'Could not run ({when})',
  check_passed: 'Passed ({when})',
  check_problems: '{failed} failed, {warnings} warnings ({when})',
};

export type OperatorTextKey = keyof typeof en;

const de: Record<OperatorTextKey, string> = {
  title: 'Organisationen',
  intro:
    'Jede Organisation, die sich für dieses Switchboard angemeldet hat, mit ihrem Zustand: der Abgleich, wie dieser Server ihn sieht, und wo er unter allen Servern läuft.',
  refresh: 'Aktualisieren',
  empty: 'Noch hat sich keine Organisation angemeldet.',
  colOrganisation: 'Organisation',
  colState: 'Status',
  colOnboarded: 'Angemeldet',
  colOffboarded: 'Abgemeldet',
  colSync: 'Präsenzabgleich',
  colCloudLink: 'CloudLink',
  colMonitors: 'Monitore',
  colLastError: 'Letzter Fehler',
  colCheck: 'Konfigurationsprüfung',
  state_active: 'Aktiv',
  state_offboarded: 'Abgemeldet',
  sync_owner: 'Läuft',
  sync_standby: 'Bereitschaft (ein anderer Server führt ihn aus)',
  sync_stopped: 'Angehalten',
  sync_off: 'Aus (CloudLink nicht verbunden)',
  sync_notOpen: 'Hier nicht bedient',
  runsOn: 'läuft auf {server}',
  runsNowhere: 'kein Server führt ihn aus',
  servedBy: 'von {served} der {servers} Server bedient',
  linked: 'Verbunden',
  notLinked: 'Nicht verbunden',
  monitors: '{active} von {total} aktiv, {failed} fehlgeschlagen',
  noMonitors: 'Keine',
  when: '{when} von {by}',
  never: '–',
  noError: 'Keiner',
  errorAt: '{code} ({when})',
  errorNoCode: 'Fehler ohne Code',
  check_never: 'Nie ausgeführt',
  check_running: 'Läuft ({when})',
  check_failed: 'Konnte nicht laufen ({when})',
  check_passed: 'Bestanden ({when})',
  check_problems: '{failed} fehlgeschlagen, {warnings} Warnungen ({when})',
};

export type OperatorT = (key: OperatorTextKey, values?: Record<string, string | number>) => string;

export function operatorTranslator(language: Language): OperatorT {
  const texts = language === 'de' ? de : en;
  return (key, values) => fill(texts[key], values);
}
