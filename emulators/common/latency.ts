import { seededRandom } from './random';

/**
 * How long a service takes to tell a subscriber about a change, as a distribution.
 *
 * `graphPresence` is what Microsoft documents for presence change notifications: under 10 s on average, up to 60 s,
 * and delivery is not guaranteed. The shape inside those bounds is not published, so it is stated here: most
 * notifications arrive after a few seconds (log-normal, median 3 s, at most 10 s), one in ten takes 10–60 s, and
 * one in a hundred never arrives. The mean is about 6.5 s.
 */
export type LatencyModel =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number; lostShare?: number }
  | { kind: 'graphPresence'; lostShare?: number };

/** One sample: milliseconds until delivery, or `lost` for a notification that never arrives. */
export type LatencySample = number | 'lost';

export const GRAPH_PRESENCE_LOST_SHARE = 0.01;
const TYPICAL_MEDIAN_MS = 3000;
const TYPICAL_MAX_MS = 10_000;
const TAIL_SHARE = 0.1;
const TAIL_MAX_MS = 60_000;

export function latencySampler(model: LatencyModel, seed = 1): () => LatencySample {
  const random = seededRandom(seed);
  const lost = (share = 0) => share > 0 && random() < share;
  switch (model.kind) {
    case 'fixed':
      return () => model.ms;
    case 'uniform':
      return () => (lost(model.lostShare) ? 'lost' : model.minMs + random() * (model.maxMs - model.minMs));
    case 'graphPresence':
      return () => {
        if (lost(model.lostShare ?? GRAPH_PRESENCE_LOST_SHARE)) return 'lost';
        if (random() < TAIL_SHARE) return TYPICAL_MAX_MS + random() * (TAIL_MAX_MS - TYPICAL_MAX_MS);
        // Box-Muller normal, σ 0.6 in log space: about 1–7 s for most, capped at the typical maximum.
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        return Math.min(TYPICAL_MAX_MS, TYPICAL_MEDIAN_MS * Math.exp(0.6 * normal));
      };
  }
}

/** Checks a model that arrived over the control API; throws a message naming what is wrong. */
export function parseLatencyModel(value: unknown): LatencyModel {
  const v = value as Record<string, unknown> | null;
  const num = (k: string, min: number, max: number): number => {
    const n = v?.[k];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`latency.${k} must be a number from ${min} to ${max}`);
    return n;
  };
  const share = (): number | undefined => (v?.lostShare === undefined ? undefined : num('lostShare', 0, 1));
  switch (v?.kind) {
    case 'fixed':
      return { kind: 'fixed', ms: num('ms', 0, 3_600_000) };
    case 'uniform': {
      const minMs = num('minMs', 0, 3_600_000);
      const maxMs = num('maxMs', minMs, 3_600_000);
      return { kind: 'uniform', minMs, maxMs, lostShare: share() };
    }
    case 'graphPresence':
      return { kind: 'graphPresence', lostShare: share() };
    default:
      throw new Error("latency.kind must be 'fixed', 'uniform' or 'graphPresence'");
  }
}
