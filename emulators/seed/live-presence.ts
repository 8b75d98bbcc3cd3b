import type { TeamsActivity } from '../graph/teams-clients';
import type { Emulators } from '../index';
import { seededRandom } from '../common/random';

/**
 * Life in the demo company, so presence visibly moves both ways: at the start most staff are signed in to Teams,
 * a few are in a Teams meeting or call and a few on the phone; then, every `intervalMs`, someone joins or leaves a
 * meeting, starts or ends a Teams call, goes idle or comes back, while the PBX places, answers and ends calls. Driven
 * by a seeded generator, so the same seed plays the same day. Only the emulators' own controls are used: the product
 * sees exactly what it would see from real people.
 */

export interface LivePresenceOptions {
  /** Entra object ids and CloudLink principal ids of the staff it may move. */
  people: { entraId: string; principalId: string }[];
  intervalMs: number;
  seed?: number;
}

type Doing = 'free' | 'meeting' | 'teamsCall' | 'idle';

/** What each state may turn into next, and the Teams action that does it. */
const NEXT: Record<Doing, { to: Doing; action: TeamsActivity['action'] }[]> = {
  free: [
    { to: 'meeting', action: 'joinMeeting' },
    { to: 'teamsCall', action: 'startCall' },
    { to: 'idle', action: 'idle' },
  ],
  meeting: [{ to: 'free', action: 'leaveMeeting' }],
  teamsCall: [{ to: 'free', action: 'endCall' }],
  idle: [{ to: 'free', action: 'active' }],
};

/** Starts the demo's life; the answer stops it. */
export function startLivePresence(emulators: Emulators, options: LivePresenceOptions): () => void {
  const random = seededRandom(options.seed ?? 20261202);
  const teams = emulators.graph.control;
  const pbx = emulators.cloudlink.pbx;
  const doing = new Map<string, Doing>();
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;

  options.people.forEach((p, i) => {
    // One in eight stays signed out (Offline), as some staff always are.
    if (i % 8 === 7) return;
    teams.teams(p.entraId, 'signIn');
    doing.set(p.entraId, 'free');
    const roll = random();
    const start = roll < 0.15 ? NEXT.free[0]! : roll < 0.25 ? NEXT.free[1]! : undefined;
    if (start) {
      teams.teams(p.entraId, start.action);
      doing.set(p.entraId, start.to);
    }
  });
  // Two phone calls already connected between colleagues who are not otherwise busy.
  const free = options.people.filter((p) => doing.get(p.entraId) === 'free');
  const openingCalls: string[] = [];
  for (let i = 0; i + 1 < free.length && i < 4; i += 2) {
    const call = pbx.placeCall(free[i]!.principalId, free[i + 1]!.principalId);
    pbx.answer(call.callId);
    openingCalls.push(call.callId);
  }

  const stopCalls = pbx.startRandomCalls(options.intervalMs, random);
  const stopTeams = emulators.clock.every(options.intervalMs, () => {
    // The PBX's random calls end on their own; the opening calls are ours to end.
    if (openingCalls.length > 0 && random() < 0.25) pbx.hangUp(openingCalls.shift()!);
    const signedIn = [...doing.keys()];
    if (signedIn.length === 0) return;
    const who = pick(signedIn);
    const step = pick(NEXT[doing.get(who)!]);
    teams.teams(who, step.action);
    doing.set(who, step.to);
  });
  return () => {
    stopCalls();
    stopTeams();
  };
}
