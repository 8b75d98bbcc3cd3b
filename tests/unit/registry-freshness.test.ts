import { readRegistryLately, REGISTRY_STALE_MS } from '../../shared/domain/registry-freshness';

describe('reading the tenant registry lately', () => {
  it('holds up to the stale limit and not a millisecond past it', () => {
    expect(readRegistryLately(0, REGISTRY_STALE_MS)).toBe(true);
    expect(readRegistryLately(0, REGISTRY_STALE_MS + 1)).toBe(false);
  });

  it('gives a judge on another machine its margin, and takes a shorter limit where one is set', () => {
    expect(readRegistryLately(0, REGISTRY_STALE_MS + 4_000, { marginMs: 5_000 })).toBe(true);
    expect(readRegistryLately(0, REGISTRY_STALE_MS + 6_000, { marginMs: 5_000 })).toBe(false);
    expect(readRegistryLately(0, 2_000, { staleMs: 1_000 })).toBe(false);
  });
});
