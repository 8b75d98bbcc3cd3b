import type { Language, Translate } from '.';

/**
 * Graph's presence values (availability and activity) in the words Teams itself shows. Graph sends tokens such as
 * "BeRightBack" or "InACall"; an unknown token is shown as it came, so a new Graph value is visible, not hidden.
 */
const AVAILABILITY: Record<Language, Record<string, string>> = {
  en: {
    Available: 'Available',
    AvailableIdle: 'Available (inactive)',
    Away: 'Away',
    BeRightBack: 'Be right back',
    Busy: 'Busy',
    BusyIdle: 'Busy (inactive)',
    DoNotDisturb: 'Do not disturb',
    Offline: 'Offline',
    PresenceUnknown: 'Status unknown',
  },
  de: {
    Available: 'Verfügbar',
    AvailableIdle: 'Verfügbar (inaktiv)',
    Away: 'Abwesend',
    BeRightBack: 'Bin gleich zurück',
    Busy: 'Beschäftigt',
    BusyIdle: 'Beschäftigt (inaktiv)',
    DoNotDisturb: 'Nicht stören',
    Offline: 'Offline',
    PresenceUnknown: 'Status unbekannt',
  },
};

const ACTIVITY: Record<Language, Record<string, string>> = {
  en: {
    Available: 'Available',
    Away: 'Away',
    BeRightBack: 'Be right back',
    Busy: 'Busy',
    DoNotDisturb: 'Do not disturb',
    InACall: 'In a call',
    InAConferenceCall: 'In a conference call',
    Inactive: 'Inactive',
    InAMeeting: 'In a meeting',
    Offline: 'Offline',
    OffWork: 'Off work',
    OutOfOffice: 'Out of office',
    PresenceUnknown: 'Status unknown',
    Presenting: 'Presenting',
    UrgentInterruptionsOnly: 'Urgent interruptions only',
    '*': 'Any activity',
  },
  de: {
    Available: 'Verfügbar',
    Away: 'Abwesend',
    BeRightBack: 'Bin gleich zurück',
    Busy: 'Beschäftigt',
    DoNotDisturb: 'Nicht stören',
    InACall: 'In einem Anruf',
    InAConferenceCall: 'In einer Telefonkonferenz',
    Inactive: 'Inaktiv',
    InAMeeting: 'In einer Besprechung',
    Offline: 'Offline',
    OffWork: 'Feierabend',
    OutOfOffice: 'Nicht im Büro',
    PresenceUnknown: 'Status unbekannt',
    Presenting: 'Präsentiert',
    UrgentInterruptionsOnly: 'Nur dringende Unterbrechungen',
    '*': 'Jede Aktivität',
  },
};

export function availabilityLabel(language: Language, availability: string): string {
  return AVAILABILITY[language][availability] ?? availability;
}

export function activityLabel(language: Language, activity: string): string {
  return ACTIVITY[language][activity] ?? activity;
}

/** One line for a presence: "Busy, In a call"; the activity is left out where it only repeats the availability. */
export function presenceLabel(language: Language, p: { availability: string; activity: string }): string {
  const availability = availabilityLabel(language, p.availability);
  const activity = activityLabel(language, p.activity);
  return activity === availability ? availability : `${availability} · ${activity}`;
}

/** "Busy/InACall" or "Busy / InACall" (how the sync state records what was set) as a presence, else null. */
export function parsePresenceKey(text: string): { availability: string; activity: string } | null {
  const m = /^\s*([A-Za-z]+)\s*\/\s*([A-Za-z]+)\s*$/.exec(text);
  return m ? { availability: m[1]!, activity: m[2]! } : null;
}

/** A phone's call state in the reader's words. */
export function callStateLabel(t: Translate, state: 'idle' | 'ringing' | 'connected'): string {
  return state === 'ringing'
    ? t('callStateRinging')
    : state === 'connected'
      ? t('callStateConnected')
      : t('callStateIdle');
}
