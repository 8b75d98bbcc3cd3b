import type { Clock } from '../common/clock';
import {
  aggregate,
  pruneExpired,
  sameAggregate,
  type AggregatePresence,
  type PresenceSession,
  type PreferredPresence,
  type StatusMessage,
  type UserPresenceState,
} from './presence-model';

/**
 * Every user's presence sessions, and the aggregate Graph last reported for them. Any change of the aggregate, by a
 * request or by time passing (fading, expiry), gets a new `sequenceNumber` and is announced to the listeners (the
 * subscription service). Time is watched with a one-second tick of the injected clock.
 */

export interface PresenceSnapshot extends AggregatePresence {
  userId: string;
  sequenceNumber: string;
}

export type PresenceListener = (snapshot: PresenceSnapshot) => void;

interface Entry {
  state: UserPresenceState;
  last: AggregatePresence;
  sequenceNumber: string;
}

const OFFLINE: AggregatePresence = { availability: 'Offline', activity: 'Offline' };

export class PresenceStore {
  private readonly users = new Map<string, Entry>();
  private readonly listeners: PresenceListener[] = [];
  /**
   * One counter for all users, behind the clock's time: Graph documents the stamp as lexicographically sortable and
   * its stamps keep growing for good, so an emulator started again (the demo after a restart) must not begin below
   * the stamps a client kept from its last run. Fixed width keeps string order = numeric order.
   */
  private counter = 0;
  private readonly stopTick: () => void;

  constructor(private readonly clock: Clock) {
    this.stopTick = clock.every(1000, () => this.reevaluateAll());
  }

  close(): void {
    this.stopTick();
  }

  onChange(listener: PresenceListener): void {
    this.listeners.push(listener);
  }

  snapshot(userId: string): PresenceSnapshot {
    const entry = this.entry(userId);
    this.reevaluate(userId, entry);
    return { userId, ...entry.last, sequenceNumber: entry.sequenceNumber };
  }

  sessions(userId: string): PresenceSession[] {
    return [...this.entry(userId).state.sessions.values()].map((s) => ({ ...s }));
  }

  preferred(userId: string): PreferredPresence | undefined {
    return this.entry(userId).state.preferred;
  }

  hasSession(userId: string, sessionId: string): boolean {
    const e = this.entry(userId);
    pruneExpired(e.state, this.clock.now());
    return e.state.sessions.has(sessionId);
  }

  /** Applies a change to one user's state, then re-aggregates (and notifies if the aggregate moved). */
  update(userId: string, change: (state: UserPresenceState) => void): PresenceSnapshot {
    const entry = this.entry(userId);
    change(entry.state);
    this.reevaluate(userId, entry);
    return { userId, ...entry.last, sequenceNumber: entry.sequenceNumber };
  }

  setSession(userId: string, session: PresenceSession): PresenceSnapshot {
    return this.update(userId, (s) => s.sessions.set(session.id, session));
  }

  removeSession(userId: string, sessionId: string): PresenceSnapshot {
    return this.update(userId, (s) => s.sessions.delete(sessionId));
  }

  setPreferred(userId: string, preferred: PreferredPresence | undefined): PresenceSnapshot {
    return this.update(userId, (s) => (s.preferred = preferred));
  }

  setStatusMessage(userId: string, message: StatusMessage | undefined): PresenceSnapshot {
    return this.update(userId, (s) => (s.statusMessage = message));
  }

  /** Re-aggregates every user now (the tick; also callable from the control API after moving a ManualClock). */
  reevaluateAll(): void {
    for (const [userId, entry] of this.users) this.reevaluate(userId, entry);
  }

  private entry(userId: string): Entry {
    let e = this.users.get(userId);
    if (!e) {
      e = { state: { sessions: new Map() }, last: OFFLINE, sequenceNumber: this.nextSequence() };
      this.users.set(userId, e);
    }
    return e;
  }

  private reevaluate(userId: string, entry: Entry): void {
    const now = this.clock.now();
    pruneExpired(entry.state, now);
    const next = aggregate(entry.state, now);
    if (sameAggregate(next, entry.last)) return;
    entry.last = next;
    entry.sequenceNumber = this.nextSequence();
    const snap: PresenceSnapshot = { userId, ...next, sequenceNumber: entry.sequenceNumber };
    for (const l of this.listeners) l(snap);
  }

  private nextSequence(): string {
    this.counter += 1;
    const time = Math.max(0, Math.floor(this.clock.now())).toString(16).toUpperCase().padStart(12, '0');
    return `C${time}${this.counter.toString(16).toUpperCase().padStart(10, '0')}`;
  }
}
