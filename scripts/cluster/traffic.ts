import type { Emulators } from '../../emulators/index';
import type { DemoUser } from '../../emulators/seed/demo';

/**
 * Continuous presence traffic through the emulators' control APIs, and a watch on whether each change reached the
 * other side. Users are split so every expected state is unambiguous:
 * - phone users only make PBX calls (placed and answered, later hung up): Teams must show Busy/InACall while one
 *   lasts and not after; their phone must never get a DND from us;
 * - Teams users only make Teams calls (desktop client): their phone must be on DND while one lasts and not after;
 *   Teams must never get an app session from us for them.
 * A user changes at most every `minDwellMs`, so a change normally shows before the next one replaces it.
 */

export interface TrafficOptions {
  phoneUsers: DemoUser[];
  teamsUsers: DemoUser[];
  /** One change this often (default 300 ms). */
  everyMs?: number;
  /** A user changes at most this often (default 5 s). */
  minDwellMs?: number;
  random?: () => number;
}

/** One change made, and what became of it. */
export interface Change {
  at: number;
  user: DemoUser;
  /** Where the change was made: 'phone' (a PBX call) or 'teams' (a Teams call). */
  side: 'phone' | 'teams';
  to: 'call' | 'idle';
  /** When the other side first showed it (polled every 100 ms). */
  shownAt?: number;
  /** When a later change of the same user replaced it before it showed. */
  replacedAt?: number;
  /**
   * The other side showed it already when it was made (the change before it never arrived there): it says nothing
   * about delay.
   */
  alreadyShown?: boolean;
}

/** A user whose state is not what it should be, on one side. */
export interface Mismatch {
  user: string;
  side: 'teams' | 'phone';
  expected: string;
  actual: string;
}

const EXTERNAL_NUMBER = '+4930555010';

export class Traffic {
  readonly changes: Change[] = [];
  private readonly calls = new Map<string, string>(); // principalId -> active callId
  private readonly inTeamsCall = new Set<string>(); // entraId
  private readonly lastChange = new Map<string, Change>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private readonly random: () => number;
  controlErrors = 0;

  constructor(
    private readonly emulators: Emulators,
    private readonly options: TrafficOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** Signs the Teams users into Teams desktop, then makes a change every `everyMs`. */
  start(): void {
    for (const u of this.options.teamsUsers)
      this.emulators.graph.control.teams(u.entraId, 'signIn', 'desktop');
    this.timer = setInterval(() => this.step(), this.options.everyMs ?? 300);
    this.watcher ??= setInterval(() => this.watch(), 100);
  }

  /** Makes no more changes (the watch on the last ones goes on until dispose()). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    clearInterval(this.watcher);
    this.watcher = undefined;
  }

  private step(): void {
    const now = Date.now();
    const dwell = this.options.minDwellMs ?? 5000;
    const all = [
      ...this.options.phoneUsers.map((user) => ({ user, side: 'phone' as const })),
      ...this.options.teamsUsers.map((user) => ({ user, side: 'teams' as const })),
    ].filter(({ user }) => now - (this.lastChange.get(user.entraId)?.at ?? 0) >= dwell);
    if (all.length === 0) return;
    const { user, side } = all[Math.floor(this.random() * all.length)]!;
    try {
      this.change(user, side, now);
    } catch {
      this.controlErrors++;
    }
  }

  private change(user: DemoUser, side: 'phone' | 'teams', now: number): void {
    let to: 'call' | 'idle';
    if (side === 'phone') {
      const pbx = this.emulators.cloudlink.pbx;
      const callId = this.calls.get(user.principalId);
      if (callId) {
        pbx.hangUp(callId);
        this.calls.delete(user.principalId);
        to = 'idle';
      } else {
        const call = pbx.placeCall(user.principalId, EXTERNAL_NUMBER);
        pbx.answer(call.callId);
        this.calls.set(user.principalId, call.callId);
        to = 'call';
      }
    } else {
      const inCall = this.inTeamsCall.has(user.entraId);
      this.emulators.graph.control.teams(user.entraId, inCall ? 'endCall' : 'startCall');
      if (inCall) this.inTeamsCall.delete(user.entraId);
      else this.inTeamsCall.add(user.entraId);
      to = inCall ? 'idle' : 'call';
    }
    const previous = this.lastChange.get(user.entraId);
    if (previous && previous.shownAt === undefined) previous.replacedAt = now;
    const change: Change = { at: now, user, side, to };
    if (this.shows(change)) {
      change.alreadyShown = true;
      change.shownAt = now;
    }
    this.changes.push(change);
    this.lastChange.set(user.entraId, change);
  }

  private watch(): void {
    const now = Date.now();
    for (const c of this.lastChange.values())
      if (c.shownAt === undefined && c.replacedAt === undefined && this.shows(c)) c.shownAt = now;
  }

  /** Whether the other side shows the change now. */
  private shows(c: Change): boolean {
    if (c.side === 'phone') {
      const p = this.emulators.graph.control.presence(c.user.entraId);
      const busy = p.availability === 'Busy' && p.activity === 'InACall';
      return c.to === 'call' ? busy : p.activity !== 'InACall';
    }
    const dnd = this.emulators.cloudlink.pbx.presentity(c.user.principalId).status === 'dnd';
    return c.to === 'call' ? dnd : !dnd;
  }

  /** Every user whose state is wrong now, on either side (empty when all is right). */
  mismatches(): Mismatch[] {
    const graph = this.emulators.graph.control;
    const pbx = this.emulators.cloudlink.pbx;
    const out: Mismatch[] = [];
    for (const u of this.options.phoneUsers) {
      const onCall = this.calls.has(u.principalId);
      const p = graph.presence(u.entraId);
      const busy = p.availability === 'Busy' && p.activity === 'InACall';
      if (busy !== onCall)
        out.push({
          user: u.displayName,
          side: 'teams',
          expected: onCall ? 'Busy/InACall' : 'not InACall',
          actual: `${p.availability}/${p.activity}`,
        });
      const phone = pbx.presentity(u.principalId);
      if (phone.status === 'dnd')
        out.push({
          user: u.displayName,
          side: 'phone',
          expected: 'no DND',
          actual: `dnd ${phone.reason ?? ''}`,
        });
    }
    for (const u of this.options.teamsUsers) {
      const inCall = this.inTeamsCall.has(u.entraId);
      const phone = pbx.presentity(u.principalId);
      if ((phone.status === 'dnd') !== inCall)
        out.push({
          user: u.displayName,
          side: 'phone',
          expected: inCall ? 'DND' : 'no DND',
          actual: `${phone.status} ${phone.reason ?? ''}`.trim(),
        });
      const ours = graph.sessions(u.entraId).filter((s) => s.kind === 'app');
      if (ours.length > 0)
        out.push({
          user: u.displayName,
          side: 'teams',
          expected: 'no app session',
          actual: ours.map((s) => `${s.availability}/${s.activity}`).join(', '),
        });
    }
    return out;
  }

  /** Ends every call made here (phone and Teams), so a later run starts idle. */
  endAll(): void {
    for (const [principalId, callId] of this.calls) {
      this.emulators.cloudlink.pbx.hangUp(callId);
      this.calls.delete(principalId);
    }
    for (const entraId of this.inTeamsCall) this.emulators.graph.control.teams(entraId, 'endCall');
    this.inTeamsCall.clear();
  }
}
