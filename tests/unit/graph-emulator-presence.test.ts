import { ManualClock } from '../../emulators/common/clock';
import { parseIsoDuration } from '../../emulators/graph/duration';
import {
  aggregate,
  type PresenceSession,
  type UserPresenceState,
} from '../../emulators/graph/presence-model';
import { PresenceStore, type PresenceSnapshot } from '../../emulators/graph/presence-store';
import { parsePresenceResource } from '../../emulators/graph/subscriptions';
import { TeamsDisplay } from '../../emulators/graph/teams-display';
import { parseFilter } from '../../emulators/graph/users';

/** The pure parts of the Graph emulator: aggregation, durations, resource and filter parsing, sequence numbers. */

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const MIN = 60_000;

function state(
  sessions: Partial<PresenceSession>[],
  extra: Partial<UserPresenceState> = {},
): UserPresenceState {
  const map = new Map<string, PresenceSession>();
  sessions.forEach((s, i) =>
    map.set(`s${i}`, {
      id: `s${i}`,
      kind: 'teams',
      availability: 'Available',
      activity: 'Available',
      setAt: T0,
      ...s,
    }),
  );
  return { sessions: map, ...extra };
}

describe('aggregate', () => {
  it('is Offline with no session, even with a preferred presence', () => {
    expect(
      aggregate(
        state([], { preferred: { availability: 'Busy', activity: 'Busy', expiresAt: T0 + MIN } }),
        T0,
      ),
    ).toMatchObject({ availability: 'Offline' });
  });

  it('orders DoNotDisturb > Busy > Available > Away', () => {
    const pick = (...avail: string[]) =>
      aggregate(state(avail.map((a) => ({ availability: a, activity: a }))), T0).availability;
    expect(pick('Away', 'Available')).toBe('Available');
    expect(pick('Available', 'Busy', 'Away')).toBe('Busy');
    expect(pick('Busy', 'DoNotDisturb')).toBe('DoNotDisturb');
  });

  it('lets an unexpired preferred presence win over every session', () => {
    const s = state([{ availability: 'DoNotDisturb', activity: 'Presenting' }], {
      preferred: { availability: 'Away', activity: 'Away', expiresAt: T0 + MIN },
    });
    expect(aggregate(s, T0).availability).toBe('Away');
    expect(aggregate(s, T0 + MIN).availability).toBe('DoNotDisturb');
  });

  it('fades only Available app sessions, and ends sessions at their expiry', () => {
    const app = state([{ kind: 'app', expiresAt: T0 + 60 * MIN }]);
    expect(aggregate(app, T0 + 5 * MIN - 1).activity).toBe('Available');
    expect(aggregate(app, T0 + 5 * MIN).activity).toBe('AvailableInactive');
    expect(aggregate(app, T0 + 10 * MIN)).toMatchObject({ availability: 'Away', activity: 'Away' });
    expect(aggregate(app, T0 + 60 * MIN).availability).toBe('Offline');
    const teams = state([{ kind: 'teams' }]);
    expect(aggregate(teams, T0 + 600 * MIN).activity).toBe('Available');
  });
});

describe('parseIsoDuration', () => {
  it('reads day and time parts and refuses the rest', () => {
    expect(parseIsoDuration('PT5M')).toBe(5 * MIN);
    expect(parseIsoDuration('PT1H30M')).toBe(90 * MIN);
    expect(parseIsoDuration('P1D')).toBe(1440 * MIN);
    expect(parseIsoDuration('PT30S')).toBe(30_000);
    for (const bad of ['P', 'PT', '5M', 'P1M', 'PT5m', 5, undefined])
      expect(parseIsoDuration(bad)).toBeUndefined();
  });
});

describe('parsePresenceResource', () => {
  it('reads single and filtered presence resources', () => {
    expect(parsePresenceResource('/communications/presences/abc')).toEqual(['abc']);
    expect(parsePresenceResource("communications/presences?$filter=id in ('a', 'b')")).toEqual(['a', 'b']);
    expect(parsePresenceResource('/users/abc/presence')).toBeUndefined();
    expect(parsePresenceResource('/communications/presences?$filter=id in (a,b)')).toBeUndefined();
  });
});

describe('parseFilter', () => {
  const u = { id: 'X1', userPrincipalName: 'A@c.example', mail: "o'neil@c.example" } as never;
  it('matches eq and in case-insensitively, with quoted quotes', () => {
    expect(parseFilter("userPrincipalName eq 'a@c.example'")(u)).toBe(true);
    expect(parseFilter("mail in ('x@c.example','o''neil@c.example')")(u)).toBe(true);
    expect(parseFilter("id eq 'x2'")(u)).toBe(false);
  });
  it('refuses other properties and operators', () => {
    expect(() => parseFilter("displayName eq 'A'")).toThrow();
    expect(() => parseFilter("startswith(mail,'a')")).toThrow();
  });
});

describe('PresenceStore', () => {
  it('announces each change of the aggregate once, with a growing sequenceNumber, including changes by time', () => {
    const clock = new ManualClock(T0);
    const store = new PresenceStore(clock);
    const seen: PresenceSnapshot[] = [];
    store.onChange((s) => seen.push(s));
    store.setSession('u', {
      id: 'app',
      kind: 'app',
      availability: 'Available',
      activity: 'Available',
      setAt: T0,
      expiresAt: T0 + 60 * MIN,
    });
    store.setSession('u', {
      id: 'app',
      kind: 'app',
      availability: 'Available',
      activity: 'Available',
      setAt: T0,
      expiresAt: T0 + 60 * MIN,
    });
    clock.advance(60 * MIN);
    store.close();
    expect(seen.map((s) => s.activity)).toEqual(['Available', 'AvailableInactive', 'Away', 'Offline']);
    const seqs = seen.map((s) => s.sequenceNumber);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('TeamsDisplay', () => {
  it('shows presence as it was the configured delay ago, and as Graph says with no delay', () => {
    const clock = new ManualClock(T0);
    const store = new PresenceStore(clock);
    const display = new TeamsDisplay(store, () => clock.now(), 3 * MIN);
    store.setSession('u', {
      id: 'teams:desktop',
      kind: 'teams',
      availability: 'Available',
      activity: 'Available',
      setAt: T0,
    });
    clock.advance(MIN);
    store.setSession('u', {
      id: 'app',
      kind: 'app',
      availability: 'Busy',
      activity: 'InACall',
      setAt: clock.now(),
      expiresAt: clock.now() + 60 * MIN,
    });
    expect(display.shown('u').availability).toBe('Offline');
    clock.advance(2 * MIN);
    expect(display.shown('u').availability).toBe('Available');
    clock.advance(MIN);
    expect(display.shown('u')).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    display.setDelay(0);
    store.removeSession('u', 'app');
    expect(display.shown('u').availability).toBe('Available');
    store.close();
  });
});
