/**
 * Property tests of the sync rules (shared/domain), issue 11. A small model of both sides (the PBX: calls by call id,
 * the user's own DND; Teams: the user's own presence, a manual (preferred) status and our app session, aggregated as
 * Graph does) is driven by random command sequences: calls, DND on the phone, Teams calls, meetings, DND and idle,
 * manual statuses, notifications and webhooks delivered late, twice, out of order or not at all, our writes landing,
 * acknowledged or failing, and time passing. The decisions are the real ones (DEFAULT_MAPPING and the domain's pure
 * functions); only the world and the engine's intake around them are test code.
 *
 * After every sequence: a quiet period (everything delivered, a resync read of both sides, time running on). Then:
 *  (a) convergence: our Teams session is what the mapping says for the PBX now; PBX DND is what the user's last Teams
 *      presence asked for, unless the user set the PBX DND by hand since;
 *  (b) no loop: writes on each side are bounded by a constant times the real changes, and the quiet period writes
 *      nothing but session renewals;
 *  (c) the user's own PBX DND is never turned off or re-texted by a write we send knowing it is there, and no Teams
 *      presence (a manual status among them) is ever answered with a Teams write.
 *
 * Interleavings that hit weak spots this property found and that are not fixed are left out where marked "Left out"
 * (docs/reliability.md, "Found by the property"); runs where the answer is not determined (a race the rules cannot
 * see, a documented limit) skip the convergence checks, and the test asserts those runs stay few.
 *
 * Runs: PROPERTY_RUNS (default 5,000; `npm run test:long` uses 20,000). A failure prints fast-check's seed and path;
 * replay it with PROPERTY_SEED=<seed> PROPERTY_PATH=<path> (see docs/reliability.md).
 */
import fc from 'fast-check';
import { eventStamp, type SyncClock } from '../../shared/sync/clock';
import { fcParams, runsFrom } from './property-params';
import { DEFAULT_MAPPING, pbxToTeams, teamsToPbx } from '../../shared/domain/mapping';
import { foldCallEvent, pbxCallState, pruneCalls, type CallStage } from '../../shared/domain/pbx-calls';
import type { AppSessionPresence } from '../../shared/domain/presence';
import {
  applyPbxToTeams,
  observePbx,
  observeTeams,
  pbxWork,
  pbxWritten,
  teamsWork,
  teamsWritten,
  type DecisionContext,
  type PbxWork,
  type TeamsWork,
} from '../../shared/domain/sync-decision';
import {
  EMPTY_SYNC_STATE,
  MAX_CLEARED_EARLIER,
  teamsKey,
  type UserSyncState,
} from '../../shared/domain/sync-state';

const SEC = 1000;
const MIN = 60 * SEC;
const SESSION = 60 * MIN;
const RENEW_AHEAD = 10 * MIN;
const SETTLE = MIN;
/** A read's answer or a write's response never takes longer than this (longer, it has timed out). */
const REQUEST_MAX = 10 * SEC;
/** Webhooks and notifications are retried by their senders for at most this long. */
const DELIVERY_MAX = 10 * MIN;

export const RUNS = runsFrom('PROPERTY_RUNS', 5000);

// ---------------------------------------------------------------- commands

type Pair = { availability: string; activity: string };
const OWN: Pair[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InACall' }, // a Teams call
  { availability: 'Busy', activity: 'InAMeeting' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'Away', activity: 'Away' }, // idle
];
const PREFERRED: Pair[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'Busy' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Away', activity: 'Away' },
];
/** Texts a user picks on the phone: never one the mapping writes, so the user's DND is always told from ours. */
const USER_TEXTS = ['Lunch', 'Out of office'];

export type Cmd =
  | { k: 'call'; slot: number; stage: Exclude<CallStage, 'ringing'> | 'ringing'; dt: number }
  | { k: 'dnd'; on: boolean; text: number; dt: number }
  | { k: 'own'; p: number; dt: number }
  | { k: 'pref'; p: number | null; dt: number }
  | { k: 'pbxEvent'; i: number; op: 'deliver' | 'dup' | 'drop' }
  | { k: 'teamsNote'; i: number; op: 'read' | 'readSlow' | 'dup' | 'drop' }
  | { k: 'readDone'; i: number }
  | { k: 'send'; side: 'teams' | 'pbx' }
  | { k: 'land'; side: 'teams' | 'pbx' }
  | { k: 'answer'; side: 'teams' | 'pbx'; ok: boolean }
  | { k: 'advance'; ms: number };

/** Time between two changes of the world; two DND presses on one phone are never in the same millisecond. */
const dt = fc.constantFrom(0, 1, 1, 250);
const humanDt = fc.constantFrom(1, 250, 2000);
const idx = fc.nat(7);
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('call' as const),
      slot: fc.nat(1),
      stage: fc.constantFrom<CallStage>('ringing', 'connected', 'held', 'ended'),
      dt,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('dnd' as const), on: fc.boolean(), text: fc.nat(1), dt: humanDt }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('own' as const), p: fc.nat(OWN.length - 1), dt }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('pref' as const),
      p: fc.option(fc.nat(PREFERRED.length - 1), { freq: 2 }),
      dt,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('pbxEvent' as const),
      i: idx,
      op: fc.constantFrom('deliver' as const, 'deliver' as const, 'dup' as const, 'drop' as const),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('teamsNote' as const),
      i: idx,
      op: fc.constantFrom('read' as const, 'readSlow' as const, 'dup' as const, 'drop' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('readDone' as const), i: idx }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('send' as const),
      side: fc.constantFrom('teams' as const, 'pbx' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('land' as const),
      side: fc.constantFrom('teams' as const, 'pbx' as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('answer' as const),
      side: fc.constantFrom('teams' as const, 'pbx' as const),
      ok: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('advance' as const),
      ms: fc.constantFrom(SEC, 20 * SEC, 61 * SEC, 10 * MIN, 55 * MIN),
    }),
  },
);

// ---------------------------------------------------------------- the world and the engine's intake

const RANK: Record<string, number> = { DoNotDisturb: 4, Busy: 3, Available: 2, Away: 1 };
const pad = (n: number) => String(n).padStart(10, '0');

type PbxMsg =
  | { kind: 'presence'; dnd: boolean; text: string | null; at: number; born: number }
  | { kind: 'call'; callId: string; stage: CallStage; at: number; born: number };
interface TeamsRead {
  p: { availability: string; activity: string; sequenceNumber: string };
  readAt: number;
  /** Who the presence read is from, as the world knows it; `ambiguous`: a documented limit (it equals our session). */
  label: 'user' | 'ours' | 'ambiguous';
  born: number;
}
interface InFlight<W> {
  work: W;
  /** When our write landed at CloudLink (its updatedOn, which CloudLink's answer carries). */
  landedAt?: number;
  sentAt: number;
  landed: boolean;
  /** The user acted on the phone after this write landed (a resend after a lost answer lands after them). */
  userAfter?: boolean;
}

/** One user: both sides' truth, the deliveries in flight, and the domain state the real decision functions keep. */
export class Sim {
  now = Date.UTC(2026, 10, 23, 9);
  /** The engine's event stamps (eventStamp): a read sent and an answer received keep their order within one ms. */
  private readonly stamps: SyncClock = {
    now: () => this.now,
    setTimer: () => {
      throw new Error('the model keeps its own time');
    },
    sleep: () => Promise.reject(new Error('the model keeps its own time')),
  };
  step = 0;
  /** Orders what reached the domain (a Teams presence, a PBX DND action), finer than commands. */
  tick = 0;
  private current: UserSyncState = EMPTY_SYNC_STATE;
  /** Whether the PBX write we want was decided while the user's last DND action had not reached us yet, or crossed it. */
  decidedOnOldView = false;
  get state(): UserSyncState {
    return this.current;
  }
  set state(next: UserSyncState) {
    const a = next.pbxAssertion;
    if (a && !a.acknowledged && a !== this.current.pbxAssertion) {
      this.decidedOnOldView = this.unlearnedUserAt !== null;
      if (this.decidedOnOldView) this.race = true;
    }
    const c = this.current.teamsCleared;
    if (c && next.teamsCleared !== c) this.clearedBefore.push(c);
    this.current = next;
  }
  // PBX truth
  readonly calls = new Map<string, { stage: CallStage; since: number }>();
  readonly gen = [0, 0];
  dnd = false;
  text: string | null = null;
  owner: 'user' | 'us' | null = null;
  /** Time of the user's last DND action on the phone while not yet known to the domain, else null. */
  unlearnedUserAt: number | null = null;
  userLearnStep = -1;
  pbxEvents: PbxMsg[] = [];
  // Teams truth
  own: Pair = OWN[0];
  pref: Pair | null = null;
  session: { presence: AppSessionPresence; expiresAt: number } | null = null;
  /** When each of our sessions stood in Graph (for telling our echoes from the user's presence). */
  readonly sessions: { key: string; to: number; expiresAt: number }[] = [];
  seq = 1;
  shownKey = 'Available/Available';
  notes: { born: number }[] = [];
  reads: TeamsRead[] = [];
  // our writes
  teamsInFlight: InFlight<TeamsWork> | null = null;
  pbxInFlight: InFlight<PbxWork> | null = null;
  // counters and findings
  changes = 0;
  failures = 0;
  teamsWrites = 0;
  renewals = 0;
  pbxWrites = 0;
  race = false;
  /** Sessions of ours the state no longer remembers as cleared (see deliverRead). */
  readonly clearedBefore: NonNullable<UserSyncState['teamsCleared']>[] = [];
  ambiguous = false;
  frozen = false;
  readonly violations: string[] = [];
  // the reference for Teams → PBX: the last Teams presence of the user's that reached the domain and changed
  refSeq: string | null = null;
  /** Whose presence the read that brought `refSeq` showed. */
  refSeqLabel: TeamsRead['label'] = 'user';
  refCarried: string | null = null;
  refIntent: ReturnType<typeof teamsToPbx> | null = null;
  refEdgeStep = -1;

  constructor() {
    // The engine's start: one read of each side.
    this.readPbx();
    this.deliverRead(this.readTeams());
    this.flushWrites();
  }

  ctx(): DecisionContext {
    return {
      table: DEFAULT_MAPPING,
      directions: { toTeams: true, fromTeams: true },
      now: this.now,
      sessionMs: SESSION,
      settleMs: SETTLE,
    };
  }

  // ---- Teams world
  shown(): { p: Pair; src: 'pref' | 'own' | 'session' } {
    if (this.pref) return { p: this.pref, src: 'pref' };
    const s = this.session && this.session.expiresAt > this.now ? this.session.presence : null;
    if (s && (RANK[s.availability] ?? 0) >= (RANK[this.own.availability] ?? 0))
      return { p: s, src: 'session' };
    return { p: this.own, src: 'own' };
  }

  /** Graph notifies when the aggregated presence changes (a new sequenceNumber). */
  teamsChanged(): void {
    const key = teamsKey(this.shown().p);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.seq++;
    this.notes.push({ born: this.now });
  }

  /** Whether `key` equals a session of ours that stood in Graph within the settle window, or is on its way there. */
  oursLately(key: string): boolean {
    if (this.teamsInFlight?.work.kind === 'set' && teamsKey(this.teamsInFlight.work.presence) === key)
      return true;
    return this.sessions.some(
      (s) => s.key === key && Math.min(s.to, s.expiresAt) >= this.now - SETTLE - REQUEST_MAX,
    );
  }

  readTeams(): TeamsRead {
    const { p, src } = this.shown();
    const key = teamsKey(p);
    const label = src === 'session' ? 'ours' : this.oursLately(key) ? 'ambiguous' : 'user';
    return {
      p: { availability: p.availability, activity: p.activity, sequenceNumber: pad(this.seq) },
      readAt: eventStamp(this.stamps),
      label,
      born: this.now,
    };
  }

  deliverRead(r: TeamsRead): void {
    const key = teamsKey(r.p);
    const s = this.state;
    // Documented limits: a presence equal to our session (wanted or in flight) or to the one just cleared is ours.
    const ambiguous =
      r.label === 'ambiguous' ||
      (r.label === 'user' &&
        ((s.teamsSession && teamsKey(s.teamsSession.presence) === key) ||
          [s.teamsCleared, ...(s.teamsClearedEarlier ?? [])].some(
            (c) => c && teamsKey(c.presence) === key && this.now - c.at < SETTLE,
          )));
    const before = this.state;
    const { state, verdict } = observeTeams(this.state, { ...r.p, readAt: r.readAt }, this.ctx());
    this.state = state;
    // A late read of a session of ours cleared or replaced within the settle window is ours, however many session
    // changes came since (finding 5 of docs/reliability.md; the state keeps the recent ones, up to its cap).
    const recent = this.clearedBefore.filter((c) => this.now - c.at < SETTLE);
    // Read sent after Graph's answer to our clear: the rule takes what it shows for the user's, rightly.
    const afterClear = s.teamsCleared?.ackAt !== undefined && r.readAt >= s.teamsCleared.ackAt;
    if (
      !afterClear &&
      verdict === 'user' &&
      r.label === 'ours' &&
      recent.some((c) => teamsKey(c.presence) === key) &&
      recent.length <= MAX_CLEARED_EARLIER
    )
      this.violations.push(`a late read of our cleared session ${key} was taken for the user's`);
    // (c) A Teams presence, the user's manual status among them, is never answered with a Teams write.
    if (
      JSON.stringify([before.teamsSession, before.teamsClearPending]) !==
      JSON.stringify([this.state.teamsSession, this.state.teamsClearPending])
    )
      this.violations.push(`a Teams presence (${key}) changed what we write to Teams`);
    // The user's presence that ran under our session shows once our session is gone, with the sequenceNumber Graph
    // gave our session (nothing shown changed): the first read of it as the user's is an edge (finding 6).
    // Within the settle window it may still be ours as far as the rules can tell: left out like other such reads.
    const unrenumbered =
      r.label !== 'ours' && r.p.sequenceNumber === this.refSeq && this.refSeqLabel === 'ours';
    const stale = this.refSeq !== null && r.p.sequenceNumber <= this.refSeq && !unrenumbered;
    if (stale) return;
    this.refSeq = r.p.sequenceNumber;
    this.refSeqLabel = r.label;
    if (ambiguous) this.ambiguous = true;
    else if (r.label === 'user' && key !== this.refCarried) {
      this.refCarried = key;
      this.refIntent = teamsToPbx(DEFAULT_MAPPING, r.p);
      this.refEdgeStep = ++this.tick;
    }
  }

  // ---- PBX world
  callState(): 'idle' | 'ringing' | 'connected' {
    const stages = [...this.calls.values()].map((c) => c.stage);
    if (stages.some((s) => s === 'connected' || s === 'held')) return 'connected';
    return stages.includes('ringing') ? 'ringing' : 'idle';
  }

  emitCall(callId: string, stage: CallStage): void {
    this.pbxEvents.push({ kind: 'call', callId, stage, at: this.now, born: this.now });
  }

  emitPresence(): void {
    this.pbxEvents.push({
      kind: 'presence',
      dnd: this.dnd,
      text: this.text,
      at: this.now,
      born: this.now,
    });
  }

  /** A PBX presence reaches the domain: an event dated `updatedOn` (CloudLink's time), or a read (null). */
  observeStatus(dnd: boolean, statusText: string | null, updatedOn: number | null): boolean {
    const calls = pruneCalls(this.state.pbxCalls ?? {}, this.now);
    const pbx = { dnd, statusText, callState: pbxCallState(calls, this.now) };
    const { state, verdict } = observePbx({ ...this.state, pbxCalls: calls }, pbx, this.ctx(), updatedOn);
    if (verdict === 'stale') return false;
    this.state = state;
    return true;
  }

  learned(at: number): void {
    if (this.unlearnedUserAt !== null && at >= this.unlearnedUserAt) {
      this.unlearnedUserAt = null;
      this.userLearnStep = ++this.tick;
    }
  }

  /** A read of the user's presentity (the engine reads it when a call event comes before any presence, and at resync). */
  readPbx(): void {
    this.observeStatus(this.dnd, this.text, null);
    this.learned(this.now);
  }

  deliverPbx(m: PbxMsg): void {
    if (m.kind === 'call') {
      const { calls, verdict } = foldCallEvent(this.state.pbxCalls ?? {}, m, this.now);
      if (verdict !== 'applied') {
        this.state = { ...this.state, pbxCalls: calls };
        return;
      }
      const pruned = pruneCalls(calls, this.now);
      const pbx = this.state.pbx;
      if (!pbx) {
        this.state = { ...this.state, pbxCalls: pruned };
        this.readPbx();
        return;
      }
      const callState = pbxCallState(pruned, this.now);
      this.state = applyPbxToTeams(
        { ...this.state, pbxCalls: pruned, pbx: { ...pbx, callState, at: this.now } },
        this.ctx(),
      );
      return;
    }
    // The domain drops an event not newer than the change it knows (a late delivery, a duplicate, an older echo).
    if (this.observeStatus(m.dnd, m.text, m.at)) this.learned(m.at);
  }

  // ---- our writes
  send(side: 'teams' | 'pbx'): void {
    if (side === 'teams') {
      if (this.teamsInFlight) return;
      const work = teamsWork(this.state, this.now, RENEW_AHEAD);
      if (!work) return;
      const s = this.state.teamsSession;
      const renewal =
        work.kind === 'set' && !!s?.acknowledged && teamsKey(s.presence) === teamsKey(work.presence);
      if (renewal) this.renewals++;
      else this.teamsWrites++;
      this.teamsInFlight = { work, sentAt: this.now, landed: false };
      return;
    }
    if (this.pbxInFlight) return;
    const work = pbxWork(this.state);
    if (!work) return;
    // (c) A DND the user set on the phone, once we know of it, is never turned off or re-texted by us.
    const known = this.state.pbx?.dnd === true && this.state.pbx.statusText === this.text;
    if (this.decidedOnOldView) this.race = true;
    // Once the user's DND and a write of ours have crossed, rule 4 may hold the user's DND for ours (by its value):
    // left out here, reported in docs/reliability.md.
    if (!this.race && this.owner === 'user' && known && (!work.dnd || work.statusText !== this.text))
      this.violations.push(
        `sent DND ${work.dnd ? `on "${work.statusText}"` : 'off'} over the user's own DND "${this.text}"`,
      );
    if (this.unlearnedUserAt !== null) this.race = true; // deciding on a PBX view the user has since changed
    this.pbxWrites++;
    this.pbxInFlight = { work, sentAt: this.now, landed: false };
  }

  land(side: 'teams' | 'pbx'): void {
    if (side === 'teams') {
      const f = this.teamsInFlight;
      if (!f || f.landed) return;
      f.landed = true;
      const open = this.sessions.at(-1);
      if (open && open.to === Infinity) open.to = this.now;
      if (f.work.kind === 'set') {
        this.session = { presence: f.work.presence, expiresAt: this.now + SESSION };
        this.sessions.push({
          key: teamsKey(f.work.presence),
          to: Infinity,
          expiresAt: this.session.expiresAt,
        });
      } else this.session = null;
      this.teamsChanged();
      return;
    }
    const f = this.pbxInFlight;
    if (!f || f.landed) return;
    f.landed = true;
    this.dnd = f.work.dnd;
    this.text = f.work.statusText;
    this.owner = f.work.dnd ? 'us' : null;
    f.landedAt = this.now;
    this.emitPresence();
  }

  answer(side: 'teams' | 'pbx', ok: boolean): void {
    const f = side === 'teams' ? this.teamsInFlight : this.pbxInFlight;
    if (!f) return;
    if (ok) {
      this.land(side);
      if (side === 'teams')
        this.state = teamsWritten(
          this.state,
          f.work as TeamsWork,
          f.sentAt,
          SESSION,
          eventStamp(this.stamps),
        );
      else {
        // CloudLink's answer dates the write; events older than it, arriving later, are stale (finding 4), and a DND
        // the user set after it is theirs, whatever its value (finding 3). The engine re-derives Teams likewise.
        const before = this.state.pbxAssertion;
        const written = pbxWritten(this.state, f.work as PbxWork, this.now, f.landedAt ?? null);
        this.state = written.pbxAssertion === null && before ? applyPbxToTeams(written, this.ctx()) : written;
      }
    } else {
      this.failures++; // refused or lost on the way (landed or not): the work stays and is sent again
      // Landed, then the user pressed, then the answer was lost: the resend lands after the user (whoever lands last).
      if (side === 'pbx' && (f as InFlight<PbxWork>).userAfter) {
        this.race = true;
        this.decidedOnOldView = true;
      }
    }
    if (side === 'teams') this.teamsInFlight = null;
    else this.pbxInFlight = null;
  }

  /** What the engine's workers do when nothing holds them: send what is wanted until nothing is left. */
  flushWrites(): void {
    for (let i = 0; i < 10; i++) {
      const wrote = !!(teamsWork(this.state, this.now, RENEW_AHEAD) || pbxWork(this.state));
      for (const side of ['teams', 'pbx'] as const) {
        this.answer(side, true);
        this.send(side);
        this.answer(side, true);
      }
      if (!wrote) return;
    }
  }

  /** Everything in flight arrives, in the order it waits in (duplicates too); nothing is lost any more. */
  deliverAll(): void {
    this.answer('teams', true);
    this.answer('pbx', true);
    for (let i = 0; i < 50 && (this.reads.length || this.pbxEvents.length || this.notes.length); i++) {
      for (const r of this.reads.splice(0)) this.deliverRead(r);
      for (const m of this.pbxEvents.splice(0)) this.deliverPbx(m);
      const notes = this.notes.splice(0).length;
      for (let n = 0; n < notes; n++) this.deliverRead(this.readTeams());
    }
  }

  /** A resync of the user: reads both sides and re-derives (the engine's reevaluate). */
  resync(): void {
    this.readPbx();
    this.deliverRead(this.readTeams());
    this.state = applyPbxToTeams(this.state, this.ctx());
  }

  advance(ms: number): void {
    if (ms > REQUEST_MAX) {
      // Nothing stays in flight that long: requests have been answered.
      this.answer('teams', true);
      this.answer('pbx', true);
      for (const r of this.reads.splice(0)) this.deliverRead(r);
    }
    const end = this.now + ms;
    while (this.now < end) {
      if (ms > REQUEST_MAX) this.flushWrites(); // the engine's workers write what is wanted before time moves on
      this.now = Math.min(end, this.now + MIN);
      if (!this.frozen) {
        // Nobody lets a phone ring five minutes; a call quiet for six hours ends.
        for (const [id, c] of [...this.calls]) {
          const bound = c.stage === 'ringing' ? 5 * MIN : 6 * 60 * MIN;
          if (this.now - c.since >= bound) this.endCall(id);
        }
      }
      this.teamsChanged(); // our session may have lapsed
      // Senders retry for a while; what waited that long arrives now.
      const old = (x: { born: number }) => this.now - x.born >= DELIVERY_MAX;
      for (const m of this.pbxEvents.filter(old)) this.deliverPbx(m);
      this.pbxEvents = this.pbxEvents.filter((m) => !old(m));
      const notes = this.notes.filter(old).length;
      this.notes = this.notes.filter((n) => !old(n));
      for (let i = 0; i < notes; i++) this.deliverRead(this.readTeams());
      if (ms > REQUEST_MAX) this.flushWrites(); // the engine's workers and renewal timer
    }
  }

  endCall(id: string): void {
    this.calls.delete(id);
    const slot = Number(id.slice(1, id.indexOf('-')));
    this.gen[slot]++;
    this.emitCall(id, 'ended');
    this.changes++;
  }

  userPbxAction(): void {
    this.changes++;
    // The user and a write of ours not landed yet cross: ours lands last and wins. A write that has landed is older
    // than the user's press: CloudLink dates both, and the acknowledgement tells the user's DND from ours (finding 3).
    const f = this.pbxInFlight;
    const w = pbxWork(this.state);
    const landedOnly = !!f?.landed && !!w && w.dnd === f.work.dnd && w.statusText === f.work.statusText;
    if (f?.landed) f.userAfter = true;
    if ((f && !f.landed) || (w && !landedOnly)) {
      this.race = true;
      this.decidedOnOldView = true;
    }
    this.unlearnedUserAt = this.now; // known to the domain once an event or read at least this recent reaches it
    this.emitPresence();
  }

  run(c: Cmd): void {
    this.step++;
    if ('dt' in c) this.now += c.dt;
    const pick = <T>(xs: T[], i: number) => (xs.length ? i % xs.length : -1);
    switch (c.k) {
      case 'call': {
        const id = `c${c.slot}-${this.gen[c.slot]}`;
        const cur = this.calls.get(id);
        if (!cur && (c.stage === 'ended' || c.stage === 'held')) return;
        if (cur && (cur.stage === c.stage || c.stage === 'ringing')) return;
        if (c.stage === 'ended') return this.endCall(id);
        this.calls.set(id, { stage: c.stage, since: this.now });
        this.emitCall(id, c.stage);
        this.changes++;
        return;
      }
      case 'dnd': {
        const text = USER_TEXTS[c.text];
        if (c.on ? this.dnd && this.text === text : !this.dnd) return;
        this.dnd = c.on;
        this.text = c.on ? text : null;
        this.owner = c.on ? 'user' : null;
        return this.userPbxAction();
      }
      case 'own':
      case 'pref': {
        const p = c.k === 'own' ? OWN[c.p] : c.p === null ? null : PREFERRED[c.p];
        if (c.k === 'own') this.own = p as Pair;
        else this.pref = p;
        this.changes++;
        return this.teamsChanged();
      }
      case 'pbxEvent': {
        const i = pick(this.pbxEvents, c.i);
        if (i < 0) return;
        const m = this.pbxEvents[i];
        if (c.op === 'dup') this.pbxEvents.push({ ...m });
        else this.pbxEvents.splice(i, 1);
        if (c.op === 'deliver') this.deliverPbx(m);
        if (c.op === 'drop' && m.kind === 'call') this.pbxEvents.push(m); // call events are not lost here
        return;
      }
      case 'teamsNote': {
        const i = pick(this.notes, c.i);
        if (i < 0) return;
        const n = this.notes[i];
        if (c.op === 'dup') return void this.notes.push({ ...n });
        this.notes.splice(i, 1);
        if (c.op === 'read') this.deliverRead(this.readTeams());
        if (c.op === 'readSlow') this.reads.push(this.readTeams());
        return;
      }
      case 'readDone': {
        const i = pick(this.reads, c.i);
        if (i >= 0) this.deliverRead(this.reads.splice(i, 1)[0]);
        return;
      }
      case 'send':
        return this.send(c.side);
      case 'land':
        return this.land(c.side);
      case 'answer':
        return this.answer(c.side, c.ok);
      case 'advance':
        return this.advance(c.ms);
    }
  }
}

// ---------------------------------------------------------------- the property

export interface Outcome {
  sim: Sim;
  /** Which of the convergence checks applied (the others were left out for a documented race or limit). */
  checked: { pbxToTeams: boolean; teamsToPbx: boolean };
}

/** Runs a command sequence, then the quiet period; throws (with the reason) when an invariant breaks. */
export function runScenario(cmds: Cmd[]): Outcome {
  const sim = new Sim();
  for (const c of cmds) sim.run(c);
  // Quiet period: everything in flight arrives, the phones stop ringing, a resync reads both sides, writes go out.
  sim.deliverAll();
  sim.advance(6 * MIN);
  for (let round = 0; round < 4; round++) {
    sim.deliverAll();
    sim.flushWrites();
    sim.deliverAll();
    sim.resync();
    sim.flushWrites();
  }
  sim.deliverAll();
  const fail = (why: string) => {
    throw new Error(`${why}\n${JSON.stringify(summary(sim), null, 1)}`);
  };
  if (sim.violations.length) fail(sim.violations.join('; '));

  // (a) PBX → Teams: our session in Graph is what the mapping says for the PBX now.
  const pbxUnsure = sim.race;
  const checked = {
    pbxToTeams: !(pbxUnsure && sim.dnd),
    teamsToPbx: !pbxUnsure && !sim.ambiguous,
  };
  const live = sim.session && sim.session.expiresAt > sim.now ? teamsKey(sim.session.presence) : null;
  const wanted = pbxToTeams(
    DEFAULT_MAPPING,
    { callState: sim.callState(), dnd: sim.dnd, statusText: sim.text },
    sim.owner === 'us',
  );
  if (checked.pbxToTeams && live !== (wanted && teamsKey(wanted)))
    fail(`our Teams session is ${live ?? 'none'}, the PBX asks for ${wanted ? teamsKey(wanted) : 'none'}`);

  // (a) Teams → PBX: what the user's last Teams presence asked for, unless the user set the PBX DND since.
  if (checked.teamsToPbx && sim.owner !== 'user') {
    const intent = sim.refIntent;
    const pbx = sim.dnd ? `DND on "${sim.text}"` : 'DND off';
    if (sim.userLearnStep > sim.refEdgeStep) {
      if (sim.dnd) fail(`the user turned PBX DND off after Teams last changed, but the PBX shows ${pbx}`);
    } else if (intent?.dnd === 'on') {
      if (!sim.dnd || sim.text !== intent.statusText)
        fail(`Teams ${sim.refCarried} asks for DND on "${intent.statusText}", the PBX shows ${pbx}`);
    } else if (intent?.dnd === 'off' && sim.dnd)
      fail(`Teams ${sim.refCarried} asks for DND off, the PBX shows ${pbx}`);
  }

  // (b) No loop: writes bounded by the real changes (and the failures that made us send again).
  const budget = 2 * (sim.changes + sim.failures) + 2;
  if (sim.teamsWrites > budget || sim.pbxWrites > budget)
    fail(
      `${sim.teamsWrites} Teams and ${sim.pbxWrites} PBX writes for ${sim.changes} changes, ${sim.failures} failures`,
    );
  // ... and an hour and a half with nothing happening writes nothing but the renewals of a session.
  const before = { teams: sim.teamsWrites, pbx: sim.pbxWrites, renewals: sim.renewals };
  sim.frozen = true;
  for (let i = 0; i < 3; i++) {
    sim.advance(30 * MIN);
    sim.deliverAll();
    sim.resync();
    sim.flushWrites();
    sim.deliverAll();
  }
  if (sim.teamsWrites !== before.teams || sim.pbxWrites !== before.pbx)
    fail(
      `the quiet period wrote ${sim.teamsWrites - before.teams} Teams and ${sim.pbxWrites - before.pbx} PBX writes`,
    );
  if (sim.renewals - before.renewals > 2)
    fail(`${sim.renewals - before.renewals} renewals in 90 quiet minutes`);
  if (sim.violations.length) fail(sim.violations.join('; '));
  return { sim, checked };
}

function summary(sim: Sim) {
  return {
    pbx: { callState: sim.callState(), dnd: sim.dnd, text: sim.text, owner: sim.owner },
    teams: { own: sim.own, pref: sim.pref, session: sim.session, shown: sim.shownKey },
    ref: {
      carried: sim.refCarried,
      intent: sim.refIntent,
      edgeStep: sim.refEdgeStep,
      userLearnStep: sim.userLearnStep,
    },
    state: sim.state,
  };
}

describe('sync rules, property-based (random interleavings of both sides, deliveries and our writes)', () => {
  it(
    `converge, never loop and never override the user (${RUNS} random sequences)`,
    () => {
      let pbxToTeams = 0;
      let teamsToPbx = 0;
      let runs = 0;
      fc.assert(
        fc.property(fc.array(cmdArb, { maxLength: 60, size: 'max' }), (cmds) => {
          const { checked } = runScenario(cmds);
          runs++;
          if (checked.pbxToTeams) pbxToTeams++;
          if (checked.teamsToPbx) teamsToPbx++;
        }),
        fcParams(RUNS),
      );
      // The races and limits left out must not hollow the property out.
      expect(pbxToTeams / runs).toBeGreaterThan(0.8);
      expect(teamsToPbx / runs).toBeGreaterThan(0.5);
    },
    60_000 + RUNS * 10,
  );
});

// Shrunk counterexamples the property found, kept as regression cases (each failed before its fix in shared/domain).
describe('sync rules: regression cases found by the property', () => {
  it.each<[string, Cmd[]]>([
    [
      'a Teams call starting while our "DND off" is still unsent is carried to the PBX (the DND being taken back was held for the user\'s)',
      [
        { k: 'own', p: 1, dt: 0 },
        { k: 'advance', ms: 55 * MIN },
        { k: 'own', p: 0, dt: 0 },
        { k: 'teamsNote', i: 0, op: 'read' },
        { k: 'own', p: 1, dt: 0 },
      ],
    ],
    [
      'a late read of a session we replaced (DND/Presenting → Busy/InACall) is ours, not a Teams DND to carry to the PBX',
      [
        { k: 'call', slot: 0, stage: 'connected', dt: 0 },
        { k: 'pbxEvent', i: 0, op: 'deliver' },
        { k: 'dnd', on: true, text: 0, dt: 1 },
        { k: 'pbxEvent', i: 0, op: 'deliver' },
        { k: 'send', side: 'teams' },
        { k: 'dnd', on: false, text: 0, dt: 1 },
      ],
    ],
    [
      // Found in the clean-clone CI of 2026-12-03 (seed -960099146): the acknowledgement of "In a meeting" told that
      // the user had turned it off since, and dropped the "In a Teams call" decided after that change was seen.
      'the user turns our DND off, then a Teams call begins: the DND for the call goes out when the acknowledgement tells of their change',
      [
        { k: 'own', p: 2, dt: 0 },
        { k: 'teamsNote', i: 0, op: 'read' },
        { k: 'own', p: 1, dt: 0 },
        { k: 'send', side: 'pbx' },
        { k: 'land', side: 'pbx' },
        { k: 'dnd', on: false, text: 0, dt: 1 },
        { k: 'call', slot: 0, stage: 'ringing', dt: 0 },
        { k: 'pbxEvent', i: 4, op: 'deliver' },
        { k: 'teamsNote', i: 0, op: 'read' },
      ],
    ],
  ])('%s', (_name, cmds) => {
    const { checked } = runScenario(cmds);
    expect(checked).toEqual({ pbxToTeams: true, teamsToPbx: true });
  });

  it('a read sent in the millisecond Graph answered our clear, but before the answer, is ours: no PBX DND', () => {
    // The user's phone DND goes on and off; our session DoNotDisturb/Presenting is set, a read showing it is sent, and
    // Graph's answer to the clear comes in the same millisecond; a slow read follows. At millisecond resolution the
    // read counted as sent after the clear and its DoNotDisturb/Presenting became a PBX DND (found by the property,
    // seed 874034419); event stamps (eventStamp) keep the order.
    const { sim } = runScenario([
      { k: 'own', p: 1, dt: 0 },
      { k: 'dnd', on: true, text: 0, dt: 1 },
      { k: 'dnd', on: false, text: 0, dt: 1 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'send', side: 'teams' },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'answer', side: 'teams', ok: true },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'teamsNote', i: 0, op: 'readSlow' },
      { k: 'send', side: 'teams' },
    ]);
    expect(sim.violations).toEqual([]);
  });

  it('a late read of a session replaced and then cleared within the settle window is ours: no PBX DND is written', () => {
    // The user's phone DND (our session DoNotDisturb/Presenting), a call rings, the DND goes off (Busy/InACall
    // replaces it), the call ends unanswered (cleared); a read sent while DoNotDisturb/Presenting stood arrives 20 s
    // later. Before the fix only the last cleared session was remembered, and this read became PBX DND "Presenting".
    const { sim } = runScenario([
      { k: 'dnd', on: true, text: 0, dt: 1 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'send', side: 'teams' },
      { k: 'land', side: 'teams' },
      { k: 'answer', side: 'teams', ok: true },
      { k: 'teamsNote', i: 0, op: 'readSlow' },
      { k: 'call', slot: 0, stage: 'ringing', dt: 1 },
      { k: 'dnd', on: false, text: 0, dt: 1 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'call', slot: 0, stage: 'ended', dt: 1 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'advance', ms: 20 * SEC },
      { k: 'readDone', i: 0 },
    ]);
    expect(sim.pbxWrites).toBe(0);
  });

  it('an echo of an older write of ours arriving after CloudLink acknowledged a newer one is stale, not the user undoing ours', () => {
    // Finding 4 of docs/reliability.md, as the property shrank it: our DND off and then on go out back to back; the
    // "off" echo arrives after the "on" was acknowledged. Before the fix it was taken for the user turning our DND off
    // (our assertion dropped), and the echo of our "on" then read as the user's own DND: DoNotDisturb/Presenting in
    // Teams, never taken back.
    const { sim, checked } = runScenario([
      { k: 'own', p: 1, dt: 0 },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'own', p: 0, dt: 0 },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'send', side: 'pbx' },
      { k: 'own', p: 1, dt: 0 },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'advance', ms: 10 * MIN },
    ]);
    expect(checked).toEqual({ pbxToTeams: true, teamsToPbx: true });
    expect({ dnd: sim.dnd, text: sim.text, owner: sim.owner }).toEqual({
      dnd: true,
      text: 'In a Teams call',
      owner: 'us',
    });
    expect(sim.state.pbxAssertion).toMatchObject({
      dnd: true,
      statusText: 'In a Teams call',
      acknowledged: true,
    });
    expect(sim.session).toBeNull();
  });

  it.each<[string, Cmd[], boolean]>([
    [
      'picks another reason over our DND',
      [
        { k: 'dnd', on: true, text: 0, dt: 1000 },
        { k: 'pbxEvent', i: 1, op: 'deliver' },
      ],
      false,
    ],
    [
      'presses DND just after our write landed, its event arriving before CloudLink acknowledged ours',
      [
        { k: 'dnd', on: true, text: 0, dt: 1000 },
        { k: 'pbxEvent', i: 1, op: 'deliver' },
      ],
      true,
    ],
    [
      'turns our DND off (that event lost) and then presses DND',
      [
        { k: 'dnd', on: false, text: 0, dt: 1000 },
        { k: 'pbxEvent', i: 1, op: 'drop' },
        { k: 'dnd', on: true, text: 0, dt: 1000 },
        { k: 'pbxEvent', i: 1, op: 'deliver' },
      ],
      false,
    ],
  ])(
    'a DND the user sets on the phone after ours is theirs, told by its text: the user %s',
    (_name, press, crossing) => {
      // Finding 3 of docs/reliability.md: Teams DoNotDisturb puts our DND "Do not disturb in Teams" on the phone; the user
      // then sets DND "Lunch" there. Before the fix the DND value alone decided, so it stayed "ours": not shown in Teams,
      // and turned off when Teams went Available.
      const { sim, checked } = runScenario([
        { k: 'own', p: 3, dt: 0 },
        { k: 'teamsNote', i: 0, op: 'read' },
        { k: 'send', side: 'pbx' },
        ...(crossing
          ? [{ k: 'land', side: 'pbx' } as const, ...press, { k: 'answer', side: 'pbx', ok: true } as const]
          : [
              { k: 'answer', side: 'pbx', ok: true } as const,
              { k: 'pbxEvent', i: 0, op: 'deliver' } as const,
              ...press,
            ]),
        { k: 'own', p: 0, dt: 1000 },
        { k: 'teamsNote', i: 0, op: 'read' },
        { k: 'advance', ms: 61 * SEC },
      ]);
      expect(checked).toEqual({ pbxToTeams: true, teamsToPbx: true });
      expect({ dnd: sim.dnd, text: sim.text, owner: sim.owner }).toEqual({
        dnd: true,
        text: 'Lunch',
        owner: 'user',
      });
      expect(sim.pbxWrites).toBe(1);
      expect(sim.session && teamsKey(sim.session.presence)).toBe('DoNotDisturb/Presenting');
    },
  );

  it("a write of ours queued while the user's later press looked like ours is dropped when the acknowledgement tells", () => {
    // Found by the long run after the fix of finding 3: our DND "In a Teams call" lands, the user presses DND "Lunch"
    // just after, and its event arrives while our write is unacknowledged (so it looks like ours); Teams turns Available
    // and a DND off is queued. CloudLink's answer dates our write before the press: the DND is the user's, and the
    // queued "off" must not go out over it.
    const { sim } = runScenario([
      { k: 'own', p: 1, dt: 0 },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'own', p: 0, dt: 0 },
      { k: 'send', side: 'pbx' },
      { k: 'land', side: 'pbx' },
      { k: 'dnd', on: true, text: 0, dt: 1 },
      { k: 'pbxEvent', i: 3, op: 'deliver' },
      { k: 'teamsNote', i: 0, op: 'read' },
    ]);
    expect({ dnd: sim.dnd, text: sim.text, owner: sim.owner }).toEqual({
      dnd: true,
      text: 'Lunch',
      owner: 'user',
    });
    expect(sim.pbxWrites).toBe(1);
    expect(sim.session && teamsKey(sim.session.presence)).toBe('DoNotDisturb/Presenting');
  });

  it('a Teams call that ran under our Busy/InACall reaches the phone once our session is cleared (same sequenceNumber)', () => {
    // Phone call (our Busy/InACall), the user starts a Teams call (Graph still shows Busy/InACall: no new
    // sequenceNumber), the phone call ends and Graph confirms our clear; a minute later a read shows Busy/InACall with
    // the old sequenceNumber. Before the fix it was dropped as stale and the phone took calls during the Teams call.
    const { sim, checked } = runScenario([
      { k: 'call', slot: 0, stage: 'connected', dt: 0 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'send', side: 'teams' },
      { k: 'answer', side: 'teams', ok: true },
      { k: 'teamsNote', i: 0, op: 'read' },
      { k: 'own', p: 1, dt: 250 },
      { k: 'call', slot: 0, stage: 'ended', dt: 2000 },
      { k: 'pbxEvent', i: 0, op: 'deliver' },
      { k: 'send', side: 'teams' },
      { k: 'answer', side: 'teams', ok: true },
      { k: 'advance', ms: 61 * SEC },
    ]);
    expect(checked).toEqual({ pbxToTeams: true, teamsToPbx: true });
    expect(sim.state.teamsCarried).toBe('Busy/InACall');
    expect({ dnd: sim.dnd, text: sim.text }).toEqual({ dnd: true, text: 'In a Teams call' });
  });
});
