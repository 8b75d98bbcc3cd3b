import { latencies, poisson, summarize } from '../../bench/hosted-load';

/**
 * The hosted bench reads PBX -> Teams latency off Graph's request log: each phone change is matched with the first
 * presence write for that user after it. A wrong match would make the noisy-neighbour figures meaningless.
 */
describe('hosted bench latency matching', () => {
  it('matches each change with the first write for the same user after it', () => {
    const writes = new Map([
      ['a', [1_100, 5_250]],
      ['b', [2_400]],
    ]);
    const changes = [
      { userId: 'a', at: 1_000 },
      { userId: 'b', at: 2_000 },
      { userId: 'a', at: 5_000 },
    ];
    expect(latencies(changes, writes).sort((x, y) => x - y)).toEqual([100, 250, 400]);
  });

  it('leaves a change unmatched when the next write came only after the user changed again (coalesced)', () => {
    const writes = new Map([['a', [500, 3_500]]]);
    // The write at 500 precedes both changes; the one at 3,500 follows the second change, not the first.
    const changes = [
      { userId: 'a', at: 1_000 },
      { userId: 'a', at: 3_000 },
    ];
    expect(latencies(changes, writes)).toEqual([500]);
    expect(summarize(latencies(changes, writes), changes.length)).toMatchObject({ samples: 1, unmatched: 1 });
  });

  it("never takes another user's write", () => {
    const writes = new Map([['b', [1_050]]]);
    expect(latencies([{ userId: 'a', at: 1_000 }], writes)).toEqual([]);
  });
});

describe('hosted bench call arrivals', () => {
  it('draws Poisson counts with the asked mean, including ticks with several calls', () => {
    const draws = Array.from({ length: 100_000 }, () => poisson(0.5));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    // P(k >= 2) = 1 - e^-0.5 (1 + 0.5) = 0.090: bursts happen, as with real callers.
    expect(draws.filter((k) => k >= 2).length / draws.length).toBeCloseTo(0.09, 1);
  });
});
