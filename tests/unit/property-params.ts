/** Shared by the property tests (tests/unit/property-*.test.ts): case counts and fast-check parameters. */
import type fc from 'fast-check';

/** Cases per property run: PROPERTY_RUNS, else the CI default. */
export function runsFrom(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

/**
 * fast-check parameters: a random seed each run (fast-check prints it, with the path, when a property fails), unless
 * PROPERTY_SEED (and PROPERTY_PATH) replay a printed failure.
 */
export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env.PROPERTY_SEED;
  return {
    numRuns,
    ...(seed !== undefined && seed !== '' && { seed: Number(seed) }),
    ...(process.env.PROPERTY_PATH && { path: process.env.PROPERTY_PATH }),
  };
}
