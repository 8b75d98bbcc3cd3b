/**
 * The presence model of both sides, as plain data. Pure types: no I/O anywhere in shared/domain.
 */

/** Teams availability values as Graph reports them. */
export type TeamsAvailability =
  | 'Available'
  | 'AvailableIdle'
  | 'Away'
  | 'BeRightBack'
  | 'Busy'
  | 'BusyIdle'
  | 'DoNotDisturb'
  | 'Offline'
  | 'PresenceUnknown';

/** Every availability Graph documents for presence (the `TeamsAvailability` values, as a list to offer and check). */
export const TEAMS_AVAILABILITIES: readonly TeamsAvailability[] = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
];

/** Every activity Graph documents for presence: a mapping row naming anything else could never match. */
export const TEAMS_ACTIVITIES = [
  'Available',
  'Away',
  'BeRightBack',
  'Busy',
  'DoNotDisturb',
  'InACall',
  'InAConferenceCall',
  'Inactive',
  'InAMeeting',
  'Offline',
  'OffWork',
  'OutOfOffice',
  'PresenceUnknown',
  'Presenting',
  'UrgentInterruptionsOnly',
] as const;

/** What Graph says of a user's presence. `sequenceNumber` sorts lexicographically: larger is newer. */
export interface TeamsPresence {
  userId: string;
  availability: TeamsAvailability | string;
  activity: string;
  statusMessage?: string | null;
  sequenceNumber?: string;
}

/** The availability/activity pairs an app session may set with setPresence. */
export const APP_SESSION_PAIRS = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAConferenceCall'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
] as const;

export type AppSessionPresence = { availability: (typeof APP_SESSION_PAIRS)[number][0]; activity: string };

/** The pairs a user's preferred presence may take with setUserPreferredPresence. */
export const PREFERRED_PAIRS = [
  ['Available', 'Available'],
  ['Busy', 'Busy'],
  ['DoNotDisturb', 'DoNotDisturb'],
  ['BeRightBack', 'BeRightBack'],
  ['Away', 'Away'],
  ['Offline', 'OffWork'],
] as const;

/** What CloudLink presence tells of a user: a status (DND or not) and a reason (the status text). No call state. */
export interface PbxStatus {
  dnd: boolean;
  /** The status text shown beside DND in MiCollab. */
  statusText?: string | null;
}

/** The PBX side of one user: the presence status, and the call state derived from call events (pbx-calls.ts). */
export interface PbxPresence extends PbxStatus {
  /** A call ringing, or connected or held, on any of the user's devices. */
  callState: 'idle' | 'ringing' | 'connected';
}
