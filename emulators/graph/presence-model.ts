import { DAY, MINUTE } from './duration';

/**
 * How Teams folds a user's presence sessions into the one presence Graph reports. Pure: every function takes the
 * time it judges by.
 *
 * - Each Teams client the user is signed in to holds a session; each app that called setPresence holds one.
 * - An app session expires at its expirationDuration; an Available app session fades to Available/AvailableInactive
 *   after 5 minutes and to Away/Away 5 minutes later (unless refreshed by another setPresence).
 * - The user's preferred presence (setUserPreferredPresence, or a status picked by hand in Teams) beats every
 *   session, but only while at least one session exists; with no session the user is Offline.
 * - Among sessions: DoNotDisturb > Busy > Available > Away (BeRightBack ranks with Away, just above it).
 */

export interface PresenceSession {
  /** The app's client id for app sessions; `teams:<client>` for a Teams client. */
  id: string;
  kind: 'app' | 'teams';
  availability: string;
  activity: string;
  /** epoch ms of the last setPresence (fading counts from here) */
  setAt: number;
  /** epoch ms; undefined for Teams client sessions, which live until sign-out */
  expiresAt?: number;
}

export interface PreferredPresence {
  availability: string;
  activity: string;
  expiresAt: number;
}

export interface StatusMessage {
  content: string;
  contentType: 'text' | 'html';
  publishedAt: number;
  /** epoch ms; undefined = no expiry */
  expiresAt?: number;
  /** as given by the caller, echoed back */
  expiry?: { dateTime: string; timeZone: string };
}

export interface UserPresenceState {
  sessions: Map<string, PresenceSession>;
  preferred?: PreferredPresence;
  statusMessage?: StatusMessage;
}

export interface AggregatePresence {
  availability: string;
  activity: string;
  statusMessage?: StatusMessage;
}

export const APP_SESSION_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAConferenceCall'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
];

export const PREFERRED_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['Available', 'Available'],
  ['Busy', 'Busy'],
  ['DoNotDisturb', 'DoNotDisturb'],
  ['BeRightBack', 'BeRightBack'],
  ['Away', 'Away'],
  ['Offline', 'OffWork'],
];

export const FADE_AFTER_MS = 5 * MINUTE;

const RANK: Record<string, number> = { DoNotDisturb: 5, Busy: 4, Available: 3, BeRightBack: 2, Away: 1 };

export function isAllowedPair(
  pairs: ReadonlyArray<readonly [string, string]>,
  availability: unknown,
  activity: unknown,
): boolean {
  return pairs.some(([a, b]) => a === availability && b === activity);
}

/** Default lifetime of a preferred presence when the caller gives none. */
export function defaultPreferredExpiryMs(availability: string): number {
  return availability === 'Busy' || availability === 'DoNotDisturb' ? DAY : 7 * DAY;
}

/** What a session shows at `now`, after fading; undefined once expired. */
export function effectiveSession(
  s: PresenceSession,
  now: number,
): { availability: string; activity: string } | undefined {
  if (s.expiresAt !== undefined && now >= s.expiresAt) return undefined;
  if (s.kind === 'app' && s.availability === 'Available') {
    const idle = now - s.setAt;
    if (idle >= 2 * FADE_AFTER_MS) return { availability: 'Away', activity: 'Away' };
    if (idle >= FADE_AFTER_MS) return { availability: 'Available', activity: 'AvailableInactive' };
  }
  return { availability: s.availability, activity: s.activity };
}

export function aggregate(state: UserPresenceState, now: number): AggregatePresence {
  const statusMessage =
    state.statusMessage &&
    (state.statusMessage.expiresAt === undefined || now < state.statusMessage.expiresAt)
      ? state.statusMessage
      : undefined;
  let best: { availability: string; activity: string; setAt: number } | undefined;
  for (const s of state.sessions.values()) {
    const e = effectiveSession(s, now);
    if (!e) continue;
    const rank = RANK[e.availability] ?? 0;
    const bestRank = best ? (RANK[best.availability] ?? 0) : -1;
    // Equal rank: the most recently set session says what the user is doing now.
    if (rank > bestRank || (best && rank === bestRank && s.setAt > best.setAt))
      best = { ...e, setAt: s.setAt };
  }
  if (!best) return { availability: 'Offline', activity: 'Offline', statusMessage };
  const preferred = state.preferred && now < state.preferred.expiresAt ? state.preferred : undefined;
  if (preferred) return { availability: preferred.availability, activity: preferred.activity, statusMessage };
  return { availability: best.availability, activity: best.activity, statusMessage };
}

/** Drops what has expired, so state does not grow without bound. Returns true when anything was removed. */
export function pruneExpired(state: UserPresenceState, now: number): boolean {
  let changed = false;
  for (const [id, s] of state.sessions) {
    if (s.expiresAt !== undefined && now >= s.expiresAt) {
      state.sessions.delete(id);
      changed = true;
    }
  }
  if (state.preferred && now >= state.preferred.expiresAt) {
    state.preferred = undefined;
    changed = true;
  }
  if (state.statusMessage?.expiresAt !== undefined && now >= state.statusMessage.expiresAt) {
    state.statusMessage = undefined;
    changed = true;
  }
  return changed;
}

export function sameAggregate(a: AggregatePresence, b: AggregatePresence): boolean {
  return (
    a.availability === b.availability &&
    a.activity === b.activity &&
    a.statusMessage?.content === b.statusMessage?.content &&
    a.statusMessage?.publishedAt === b.statusMessage?.publishedAt
  );
}
