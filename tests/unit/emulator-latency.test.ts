import { latencySampler, parseLatencyModel, type LatencySample } from '../../emulators/common/latency';

/** The emulated delivery delays must look like what Microsoft documents, or a benchmark on them proves nothing. */
describe('the Graph presence notification delay model', () => {
  const draw = (n: number, seed: number): LatencySample[] => {
    const sample = latencySampler({ kind: 'graphPresence' }, seed);
    return Array.from({ length: n }, sample);
  };

  it('averages under 10 s, reaches 60 s at most, is a few seconds typically, and loses about 1 in 100', () => {
    const samples = draw(20_000, 7);
    const delivered = samples.filter((s): s is number => s !== 'lost').sort((a, b) => a - b);
    const lostShare = (samples.length - delivered.length) / samples.length;
    const mean = delivered.reduce((a, b) => a + b, 0) / delivered.length;
    const median = delivered[Math.floor(delivered.length / 2)]!;
    expect(lostShare).toBeGreaterThan(0.005);
    expect(lostShare).toBeLessThan(0.02);
    expect(mean).toBeLessThan(10_000);
    expect(median).toBeGreaterThan(2000);
    expect(median).toBeLessThan(5000);
    expect(delivered.at(-1)!).toBeLessThanOrEqual(60_000);
    // A real long tail: some notifications take more than 30 s.
    expect(delivered.filter((d) => d > 30_000).length).toBeGreaterThan(100);
  });

  it('replays from its seed', () => {
    expect(draw(50, 3)).toEqual(draw(50, 3));
    expect(draw(50, 3)).not.toEqual(draw(50, 4));
  });

  it('refuses a model it does not know, with the reason', () => {
    expect(() => parseLatencyModel({ kind: 'gaussian' })).toThrow(/latency.kind/);
    expect(() => parseLatencyModel({ kind: 'uniform', minMs: 500, maxMs: 100 })).toThrow(/maxMs/);
    expect(() => parseLatencyModel({ kind: 'graphPresence', lostShare: 2 })).toThrow(/lostShare/);
    expect(parseLatencyModel({ kind: 'fixed', ms: 250 })).toEqual({ kind: 'fixed', ms: 250 });
  });
});
