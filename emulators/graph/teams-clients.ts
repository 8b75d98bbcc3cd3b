import type { PresenceStore, PresenceSnapshot } from './presence-store';
import { defaultPreferredExpiryMs, PREFERRED_PAIRS, isAllowedPair } from './presence-model';

/**
 * The Teams clients of the emulated users, driven by tests through the control API. Each client (desktop, web,
 * mobile) holds its own presence session, as in Teams; what the user does (a Teams call, a meeting, presenting)
 * shows on the client that does it. A status the user picks by hand is their preferred presence.
 */

export type TeamsClientName = 'desktop' | 'web' | 'mobile';

export type TeamsActivity =
  | { action: 'signIn' }
  | { action: 'signOut' }
  | { action: 'idle' }
  | { action: 'active' }
  | { action: 'startCall' }
  | { action: 'endCall' }
  | { action: 'joinMeeting' }
  | { action: 'leaveMeeting' }
  | { action: 'startPresenting' }
  | { action: 'stopPresenting' };

interface ClientState {
  idle: boolean;
  inCall: boolean;
  inMeeting: boolean;
  presenting: boolean;
}

export class TeamsClients {
  private readonly clients = new Map<string, ClientState>();

  constructor(
    private readonly store: PresenceStore,
    private readonly now: () => number,
  ) {}

  act(userId: string, activity: TeamsActivity, client: TeamsClientName = 'desktop'): PresenceSnapshot {
    const key = `${userId}|${client}`;
    const sessionId = `teams:${client}`;
    if (activity.action === 'signOut') {
      this.clients.delete(key);
      return this.store.removeSession(userId, sessionId);
    }
    let c = this.clients.get(key);
    if (!c) {
      // Anything the user does in a client signs that client in first.
      c = { idle: false, inCall: false, inMeeting: false, presenting: false };
      this.clients.set(key, c);
    }
    switch (activity.action) {
      case 'idle':
        c.idle = true;
        break;
      case 'active':
        c.idle = false;
        break;
      case 'startCall':
        c.inCall = true;
        c.idle = false;
        break;
      case 'endCall':
        c.inCall = false;
        break;
      case 'joinMeeting':
        c.inMeeting = true;
        c.idle = false;
        break;
      case 'leaveMeeting':
        c.inMeeting = false;
        c.presenting = false;
        break;
      case 'startPresenting':
        c.presenting = true;
        c.idle = false;
        break;
      case 'stopPresenting':
        c.presenting = false;
        break;
      case 'signIn':
        break;
    }
    const [availability, activityName] = c.presenting
      ? ['DoNotDisturb', 'Presenting']
      : c.inCall
        ? ['Busy', 'InACall']
        : c.inMeeting
          ? ['Busy', 'InAMeeting']
          : c.idle
            ? ['Away', 'Away']
            : ['Available', 'Available'];
    return this.store.setSession(userId, {
      id: sessionId,
      kind: 'teams',
      availability,
      activity: activityName,
      setAt: this.now(),
    });
  }

  /** The user picks a status by hand in Teams (Do not disturb, Busy, Appear away, ...): their preferred presence. */
  setManualStatus(
    userId: string,
    availability: string,
    activity?: string,
    durationMs?: number,
  ): PresenceSnapshot {
    const pair = PREFERRED_PAIRS.find(([a]) => a === availability);
    const act = activity ?? pair?.[1];
    if (!isAllowedPair(PREFERRED_PAIRS, availability, act))
      throw new Error(`not a status a user can pick: ${availability}/${act}`);
    const expiresAt = this.now() + (durationMs ?? defaultPreferredExpiryMs(availability));
    return this.store.setPreferred(userId, { availability, activity: act as string, expiresAt });
  }

  /** "Reset status" in Teams. */
  clearManualStatus(userId: string): PresenceSnapshot {
    return this.store.setPreferred(userId, undefined);
  }
}
