import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import type { PbxPresence } from '../../shared/domain/presence';
import {
  applyPbxToTeams,
  isStale,
  observePbx,
  observeTeams,
  pbxWork,
  pbxWritten,
  resetAssertions,
  teamsWork,
  teamsWritten,
  type DecisionContext,
  type TeamsObservation,
} from '../../shared/domain/sync-decision';
import { EMPTY_SYNC_STATE, type UserSyncState } from '../../shared/domain/sync-state';

const MIN = 60_000;
const SESSION = 60 * MIN;
const RENEW_AHEAD = 10 * MIN;

/** A tiny driver over the pure functions: time, both sides, and helpers to "send" the pending writes. */
class User {
  state: UserSyncState = EMPTY_SYNC_STATE;
  now = 1_000_000;
  seq = 0;
  toTeams = true;
  fromTeams = true;

  ctx(): DecisionContext {
    return {
      table: DEFAULT_MAPPING,
      directions: { toTeams: this.toTeams, fromTeams: this.fromTeams },
      now: this.now,
      sessionMs: SESSION,
      settleMs: MIN,
    };
  }
  /** A PBX presence: an event dated `updatedOn` by CloudLink, or a read (null). */
  pbx(p: Partial<PbxPresence>, updatedOn: number | null = null) {
    const r = observePbx(
      this.state,
      { callState: 'idle', dnd: false, statusText: null, ...p },
      this.ctx(),
      updatedOn,
    );
    this.state = r.state;
    return r.verdict;
  }
  teams(
    availability: string,
    activity: string,
    sequenceNumber: string | null = String(++this.seq).padStart(8, '0'),
    readAt?: number,
  ) {
    const p: TeamsObservation = { availability, activity, sequenceNumber, readAt };
    const r = observeTeams(this.state, p, this.ctx());
    this.state = r.state;
    return r.verdict;
  }
  /** Takes the pending Teams write, as the worker would when it sends it; returns an ack function. */
  sendTeams() {
    const work = teamsWork(this.state, this.now, RENEW_AHEAD);
    const sentAt = this.now;
    return {
      work,
      ack: () => work && (this.state = teamsWritten(this.state, work, sentAt, SESSION, this.now)),
    };
  }
  /** `ack(updatedOn)`: CloudLink's answer, dating the write when it says (null: an answer without a time). */
  sendPbx() {
    const work = pbxWork(this.state);
    return {
      work,
      ack: (updatedOn: number | null = null) =>
        work && (this.state = pbxWritten(this.state, work, this.now, updatedOn)),
    };
  }
  flush() {
    for (let i = 0; i < 5; i++) {
      const t = this.sendTeams();
      t.ack();
      const p = this.sendPbx();
      p.ack();
      if (!t.work && !p.work) return;
    }
  }
}

describe('PBX → Teams', () => {
  it('a call sets Busy/InACall, its end clears the session (never sets Available)', () => {
    const u = new User();
    u.pbx({ callState: 'ringing' });
    expect(u.sendTeams().work).toEqual({
      kind: 'set',
      presence: { availability: 'Busy', activity: 'InACall' },
    });
    u.flush();
    u.pbx({ callState: 'connected' });
    expect(u.sendTeams().work).toBeNull(); // same presence: no write
    u.pbx({ callState: 'idle' });
    expect(u.sendTeams().work).toEqual({ kind: 'clear' });
    u.flush();
    expect(u.sendTeams().work).toBeNull();
  });

  it('renews the session before it expires for as long as the call lasts (3 hours)', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    let writes = 0;
    for (let t = 0; t < 180; t++) {
      u.now += MIN;
      const s = u.sendTeams();
      if (s.work) {
        writes++;
        expect(s.work).toEqual({ kind: 'set', presence: { availability: 'Busy', activity: 'InACall' } });
        s.ack();
      }
      expect(u.state.teamsSession?.expiresAt).toBeGreaterThan(u.now);
    }
    expect(writes).toBe(3); // at 50, 100 and 150 minutes: a 60-minute session renewed 10 minutes ahead
  });

  it('PBX DND the user set becomes DoNotDisturb/Presenting; when switched off, cleared', () => {
    const u = new User();
    expect(u.pbx({ dnd: true, statusText: 'Lunch' })).toBe('user');
    expect(u.sendTeams().work).toEqual({
      kind: 'set',
      presence: { availability: 'DoNotDisturb', activity: 'Presenting' },
    });
    u.flush();
    u.pbx({ dnd: false });
    expect(u.sendTeams().work).toEqual({ kind: 'clear' });
  });

  it('coalesces: ringing then idle before the write goes out sends nothing at all', () => {
    const u = new User();
    u.pbx({ callState: 'ringing' });
    u.pbx({ callState: 'idle' });
    // The unsent session is replaced by a clear of a session Graph never had: one harmless clear at most.
    const w = u.sendTeams().work;
    expect(w === null || w.kind === 'clear').toBe(true);
  });

  it('with Send to Teams off, nothing is set, and an existing session is cleared', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    u.toTeams = false;
    u.state = applyPbxToTeams(u.state, u.ctx());
    expect(u.sendTeams().work).toEqual({ kind: 'clear' });
  });

  it('an acknowledged session that expired while we were down is not cleared again but re-set if still wanted', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    u.now += 2 * SESSION;
    u.state = applyPbxToTeams(u.state, u.ctx());
    expect(u.sendTeams().work).toEqual({
      kind: 'set',
      presence: { availability: 'Busy', activity: 'InACall' },
    });
  });
});

describe('Teams → PBX', () => {
  it.each([
    ['Busy', 'InACall', 'In a Teams call'],
    ['Busy', 'InAMeeting', 'In a meeting'],
    ['DoNotDisturb', 'DoNotDisturb', 'Do not disturb in Teams'],
    ['DoNotDisturb', 'Presenting', 'Presenting'],
  ])(
    'the user going %s/%s turns PBX DND on with "%s", and Available turns it off',
    (availability, activity, text) => {
      const u = new User();
      u.pbx({});
      expect(u.teams(availability, activity)).toBe('user');
      expect(u.sendPbx().work).toEqual({ dnd: true, statusText: text });
      u.flush();
      u.teams('Available', 'Available');
      expect(u.sendPbx().work).toEqual({ dnd: false, statusText: null });
    },
  );

  it('a state the table leaves unchanged writes nothing', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'Busy');
    expect(u.sendPbx().work).toBeNull();
  });

  it("never overrides the user's own PBX DND, neither its text nor by turning it off", () => {
    const u = new User();
    u.pbx({ dnd: true, statusText: 'Lunch' });
    u.flush();
    u.teams('Busy', 'InAMeeting');
    expect(u.sendPbx().work).toBeNull();
    u.teams('Available', 'Available');
    expect(u.sendPbx().work).toBeNull();
  });

  it('changes the text of a DND we set when the Teams reason changes', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InAMeeting');
    u.flush();
    u.teams('DoNotDisturb', 'Presenting');
    expect(u.sendPbx().work).toEqual({ dnd: true, statusText: 'Presenting' });
  });

  it('with Get from Teams off, nothing is carried, and a DND we set is given back', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InACall');
    u.flush();
    u.fromTeams = false;
    u.state = applyPbxToTeams(u.state, u.ctx());
    expect(u.sendPbx().work).toEqual({ dnd: false, statusText: null });
    u.flush();
    u.teams('DoNotDisturb', 'DoNotDisturb');
    expect(u.sendPbx().work).toBeNull();
  });
});

describe('no loops', () => {
  it('our Busy/InACall session folded into Teams never becomes PBX DND', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    const s = u.sendTeams();
    // The notification of our own write can arrive before Graph acknowledges the write.
    expect(u.teams('Busy', 'InACall')).toBe('ours');
    s.ack();
    expect(u.teams('Busy', 'InACall')).toBe('ours');
    expect(u.sendPbx().work).toBeNull();
  });

  it('our PBX DND (from Teams) never becomes a Teams DoNotDisturb session', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InAMeeting');
    const w = u.sendPbx();
    // CloudLink's event for our own write, before and after its acknowledgement.
    expect(u.pbx({ dnd: true, statusText: 'In a meeting' })).toBe('ours');
    w.ack();
    expect(u.pbx({ dnd: true, statusText: 'In a meeting' })).toBe('ours');
    expect(u.sendTeams().work).toBeNull();
  });

  it('our DND/Presenting session (from PBX DND) is not carried back to rewrite the PBX text', () => {
    const u = new User();
    u.pbx({ dnd: true, statusText: 'Lunch' });
    u.flush();
    expect(u.teams('DoNotDisturb', 'Presenting')).toBe('ours');
    expect(u.sendPbx().work).toBeNull();
  });

  it("after a call, Teams returning to the user's own Available writes nothing to the PBX", () => {
    const u = new User();
    u.pbx({});
    u.teams('Available', 'Available');
    u.pbx({ callState: 'connected' });
    u.flush();
    u.teams('Busy', 'InACall');
    u.pbx({ callState: 'idle' });
    u.flush();
    u.teams('Available', 'Available');
    expect(u.sendPbx().work).toBeNull();
  });

  it('a late notification still showing the session we just cleared counts as ours', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    u.pbx({ callState: 'idle' });
    u.flush();
    u.now += 30_000;
    expect(u.teams('Busy', 'InACall')).toBe('ours');
    expect(u.sendPbx().work).toBeNull();
    // After the settle window the same presence is the user's (a real Teams call).
    u.now += 2 * MIN;
    expect(u.teams('Busy', 'InACall')).toBe('user');
    expect(u.sendPbx().work).toEqual({ dnd: true, statusText: 'In a Teams call' });
  });

  it('a Teams call seconds after a phone call reaches the phone: a read sent after Graph confirmed our clear is the user', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    u.pbx({ callState: 'idle' });
    const clear = u.sendTeams();
    expect(clear.work).toEqual({ kind: 'clear' });
    // A read that went out before Graph answered the clear may still show our session: that one is ours.
    const racingRead = u.now;
    u.now += 200;
    clear.ack();
    expect(u.teams('Busy', 'InACall', undefined, racingRead)).toBe('ours');
    expect(u.sendPbx().work).toBeNull();
    // Ten seconds later the user joins a Teams call: the read after the clear's answer shows it, well inside the window.
    u.now += 10_000;
    expect(u.teams('Available', 'Available', undefined, u.now)).toBe('user');
    u.now += 100;
    expect(u.teams('Busy', 'InACall', undefined, u.now)).toBe('user');
    expect(u.sendPbx().work).toEqual({ dnd: true, statusText: 'In a Teams call' });
  });

  it('a full ping-pong round trip settles: nothing left to write on either side', () => {
    const u = new User();
    u.pbx({});
    u.teams('DoNotDisturb', 'DoNotDisturb');
    u.flush();
    u.pbx({ dnd: true, statusText: 'Do not disturb in Teams' });
    u.pbx({ dnd: true, statusText: 'Do not disturb in Teams', callState: 'connected' });
    u.flush();
    u.teams('DoNotDisturb', 'DoNotDisturb'); // the user's preferred DND still beats our Busy session
    expect(u.sendPbx().work).toBeNull();
    u.pbx({ dnd: true, statusText: 'Do not disturb in Teams' });
    u.flush();
    expect(u.sendTeams().work).toBeNull();
    expect(u.sendPbx().work).toBeNull();
  });
});

describe('races, duplicates, reordering', () => {
  it("the user's own Teams change arriving while our write is in flight is carried", () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    const inFlight = u.sendTeams();
    expect(u.teams('DoNotDisturb', 'DoNotDisturb')).toBe('user');
    inFlight.ack();
    expect(u.sendPbx().work).toEqual({ dnd: true, statusText: 'Do not disturb in Teams' });
    expect(u.state.teamsSession?.acknowledged).toBe(true);
  });

  it('a PBX event showing the state before our DND write landed does not take ownership from us', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InACall');
    const inFlight = u.sendPbx();
    expect(u.pbx({ dnd: false })).toBe('inFlight');
    expect(u.sendTeams().work).toBeNull();
    inFlight.ack();
    expect(u.state.pbxAssertion).toMatchObject({ dnd: true, acknowledged: true });
  });

  it('while our "DND off" is in flight, the DND still standing is ours being taken back: never a Teams DND', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InAMeeting');
    u.flush(); // our DND "In a meeting" is on the PBX
    u.teams('Available', 'Available');
    const off = u.sendPbx();
    expect(off.work).toEqual({ dnd: false, statusText: null });
    // A read (or a late event) before CloudLink acknowledges still shows our DND.
    expect(u.pbx({ dnd: true, statusText: 'In a meeting' })).toBe('inFlight');
    expect(u.sendTeams().work).toBeNull();
    off.ack();
    expect(u.sendTeams().work).toBeNull();
    // Once it is off, a DND the user sets on the phone is theirs and shows in Teams.
    expect(u.pbx({ dnd: true, statusText: 'Lunch' })).toBe('user');
    expect(u.sendTeams().work).toMatchObject({ kind: 'set', presence: { availability: 'DoNotDisturb' } });
  });

  it('a reset lets the next read of an unchanged Teams presence count again (a meeting still going on)', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InAMeeting', '00000042');
    u.flush();
    u.state = resetAssertions(u.state, u.now).state;
    u.flush(); // our DND is taken back
    expect(u.state.pbxAssertion).toMatchObject({ dnd: false, acknowledged: true });
    // The re-read after the reset sees the very same presence and sequenceNumber.
    expect(u.teams('Busy', 'InAMeeting', '00000042')).toBe('user');
    expect(u.sendPbx().work).toEqual({ dnd: true, statusText: 'In a meeting' });
  });

  it("a reset takes back a DND with one of Switchboard's texts that this state never asserted, and keeps the user's own", () => {
    const ours = ['In a Teams call', 'In a meeting', 'Presenting'];
    const left = new User();
    left.pbx({ dnd: true, statusText: 'Presenting' }); // set by another process: not our assertion here
    const r = resetAssertions(left.state, left.now, ours);
    expect(r.outcome).toEqual({
      teamsSessionCleared: true, // the user's DND was shown in Teams as our DoNotDisturb/Presenting session
      phoneDndCleared: { statusText: 'Presenting' },
      phoneDndKept: null,
      callsForgotten: 0,
    });
    left.state = r.state;
    expect(left.sendPbx().work).toEqual({ dnd: false, statusText: null });

    const own = new User();
    own.pbx({ dnd: true, statusText: 'Lunch' });
    const k = resetAssertions(own.state, own.now, ours);
    expect(k.outcome).toMatchObject({ phoneDndCleared: null, phoneDndKept: { statusText: 'Lunch' } });
    own.state = k.state;
    expect(own.sendPbx().work).toBeNull();
  });

  it('the user turning off a DND we set makes it theirs: we do not put it back', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InAMeeting');
    u.flush();
    expect(u.pbx({ dnd: false })).toBe('user');
    expect(u.state.pbxAssertion).toBeNull();
    u.teams('Busy', 'InAMeeting'); // same Teams presence again: already carried once
    expect(u.sendPbx().work).toBeNull();
  });

  it('a PBX write coalesces: DND on then off before sending sends only the latest', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InACall');
    const first = u.sendPbx();
    u.teams('Available', 'Available');
    first.ack(); // the first write's ack does not overwrite the newer wish
    expect(u.sendPbx().work).toEqual({ dnd: false, statusText: null });
  });

  it('duplicated notifications (same sequenceNumber) are dropped', () => {
    const u = new User();
    u.pbx({});
    u.teams('Busy', 'InACall', '00000005');
    u.flush();
    expect(u.teams('Busy', 'InACall', '00000005')).toBe('stale');
  });

  it('a reordered older notification is dropped and cannot undo a newer one', () => {
    const u = new User();
    u.pbx({});
    u.teams('DoNotDisturb', 'DoNotDisturb', '00000009');
    u.flush();
    expect(u.teams('Available', 'Available', '00000007')).toBe('stale');
    expect(u.sendPbx().work).toBeNull();
    expect(u.state.teams).toMatchObject({ availability: 'DoNotDisturb', sequenceNumber: '00000009' });
  });

  it('sequence numbers compare as strings', () => {
    expect(isStale('0000000A', '00000009')).toBe(true);
    expect(isStale('00000009', '0000000A')).toBe(false);
    expect(isStale(null, '1')).toBe(false);
    expect(isStale('1', undefined)).toBe(false);
  });

  it('a write acknowledged after the state moved on does not claim the new state was written', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    const old = u.sendTeams();
    u.pbx({ dnd: true, callState: 'connected' });
    old.ack();
    expect(u.state.teamsSession).toMatchObject({
      presence: { availability: 'DoNotDisturb' },
      acknowledged: false,
    });
  });
});

describe('PBX events dated by CloudLink (updatedOn) against our acknowledged DND write', () => {
  /** Teams DoNotDisturb: our DND "Do not disturb in Teams" sent; returns CloudLink's time of the write. */
  const ourDnd = (u: User) => {
    u.teams('DoNotDisturb', 'DoNotDisturb');
    return u.sendPbx();
  };

  it('an event older than our write, or our write delivered again, is stale; a later one showing our DND is ours', () => {
    const u = new User();
    u.pbx({ dnd: false }, 100);
    ourDnd(u).ack(200);
    expect(u.pbx({ dnd: false }, 150)).toBe('stale'); // the user's "off" from before our write, arriving late
    expect(u.pbx({ dnd: true, statusText: 'Do not disturb in Teams' }, 200)).toBe('stale'); // our echo
    expect(u.pbx({ dnd: false }, 200)).toBe('stale'); // dated as our write: it was there before ours replaced it
    expect(u.state.pbxAssertion).toMatchObject({ dnd: true, acknowledged: true, updatedOn: 200 });
    expect(u.state.pbx).toMatchObject({ dnd: true, statusText: 'Do not disturb in Teams' });
  });

  it("an event after our write with another text is the user's DND: shown in Teams, never turned off from Teams", () => {
    const u = new User();
    ourDnd(u).ack(200);
    expect(u.pbx({ dnd: true, statusText: 'Lunch' }, 300)).toBe('user');
    expect(u.state.pbxAssertion).toBeNull();
    expect(u.state.teamsSession?.presence).toEqual({ availability: 'DoNotDisturb', activity: 'Presenting' });
    u.flush();
    u.teams('Available', 'Available');
    expect(pbxWork(u.state)).toBeNull();
  });

  it("a press that landed after our write but reached us before CloudLink's answer is the user's", () => {
    const u = new User();
    const w = ourDnd(u);
    expect(u.pbx({ dnd: true, statusText: 'Lunch' }, 300)).toBe('ours'); // value alone, while ours is on its way
    w.ack(200);
    expect(u.state.pbxAssertion).toBeNull();
    expect(u.state.pbx).toMatchObject({ dnd: true, statusText: 'Lunch' });
  });

  it('a press our write replaced (older than it) leaves our DND standing', () => {
    const u = new User();
    const w = ourDnd(u);
    u.pbx({ dnd: true, statusText: 'Lunch' }, 150);
    w.ack(200);
    expect(u.state.pbxAssertion).toMatchObject({ acknowledged: true, updatedOn: 200 });
    expect(u.state.pbx).toMatchObject({ dnd: true, statusText: 'Do not disturb in Teams' });
  });

  it('without a time in the answer: the first echo dates our write; a duplicate of an older event stays stale', () => {
    const u = new User();
    u.pbx({ dnd: false }, 100);
    ourDnd(u).ack(null);
    // The same event delivered again (CloudLink retries): not the user turning our DND off.
    expect(u.pbx({ dnd: false }, 100)).toBe('stale');
    expect(u.state.pbxAssertion).toMatchObject({ dnd: true, acknowledged: true });
    expect(u.pbx({ dnd: true, statusText: 'Do not disturb in Teams' }, 200)).toBe('ours');
    expect(u.state.pbxAssertion).toMatchObject({ updatedOn: 200 });
    expect(u.pbx({ dnd: true, statusText: 'Lunch' }, 300)).toBe('user');
  });
});

describe("the user's manual Teams status", () => {
  it('is respected: no write to Teams answers it, and our session carries on underneath', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.flush();
    expect(u.teams('Available', 'Available')).toBe('user'); // preferred Available beats our Busy
    expect(u.sendTeams().work).toBeNull();
    expect(u.sendPbx().work).toBeNull();
  });
});

describe('reset', () => {
  it('clears our session and gives back our PBX DND', () => {
    const u = new User();
    u.pbx({ callState: 'connected' });
    u.teams('DoNotDisturb', 'DoNotDisturb');
    u.flush();
    u.state = resetAssertions(u.state, u.now).state;
    expect(u.sendTeams().work).toEqual({ kind: 'clear' });
    expect(u.sendPbx().work).toEqual({ dnd: false, statusText: null });
  });
});
