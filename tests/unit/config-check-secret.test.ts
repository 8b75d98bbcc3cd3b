import { secretStep } from '../../bot/services/config-check';
import type { Store } from '../../shared/ports/store';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-02T08:00:00Z');
const step = (clientSecretExpiresAt: number | null) =>
  secretStep({
    tenantId: 't1',
    now: () => NOW,
    store: { getTenant: async () => ({ clientSecretExpiresAt }) } as unknown as Store,
  });

describe('configuration check: the client secret step says what its state means', () => {
  it('a secret far from expiry passes, and its text says it is fine, not that something is about to happen', async () => {
    const result = await step(NOW + 200 * DAY);
    expect(result.state).toBe('passed');
    expect(result.detail).toBe(
      'The client secret is valid until 2027-06-20 (200 days from now); nothing to do yet.',
    );
    expect(result).not.toHaveProperty('fix');
  });

  it('a secret inside the 30-day window warns with the days left and the fix', async () => {
    const result = await step(NOW + 20 * DAY);
    expect(result).toMatchObject({
      state: 'warning',
      detail: 'The client secret expires on 2026-12-22, in 20 days: sync stops then unless it is replaced.',
      fix: expect.stringMatching(/new client secret/),
    });
  });

  it('an expired secret fails and says that sync has stopped', async () => {
    const result = await step(NOW - DAY);
    expect(result.state).toBe('failed');
    expect(result.detail).toMatch(/expired on 2026-12-01: .*sync has stopped/);
  });

  it('an unknown expiry is a warning that says why it matters', async () => {
    expect((await step(null)).detail).toMatch(/not known, so Switchboard cannot warn/);
  });
});
