import { secretStep } from '../../bot/services/config-check';
import { calendarDaysUntil } from '../../shared/domain/expiry';
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

describe('the days left to a secret, one count for the check and the admin page', () => {
  it('counts calendar days: the same number all day, whatever the hour of expiry', () => {
    const expiresAt = Date.parse('2026-12-22T23:59:59Z');
    expect(calendarDaysUntil(expiresAt, Date.parse('2026-12-02T00:00:00Z'))).toBe(20);
    expect(calendarDaysUntil(expiresAt, NOW)).toBe(20);
    expect(calendarDaysUntil(expiresAt, Date.parse('2026-12-02T23:59:59Z'))).toBe(20);
    expect(calendarDaysUntil(Date.parse('2026-12-22T00:00:01Z'), NOW)).toBe(20);
    expect(calendarDaysUntil(Date.parse('2026-12-02T09:00:00Z'), NOW)).toBe(0);
    expect(calendarDaysUntil(Date.parse('2026-12-01T09:00:00Z'), NOW)).toBe(-1);
  });

  it('a secret saved to expire at the end of a day and one at this hour on that day read the same in the check', async () => {
    const endOfDay = await step(Date.parse('2026-12-22T23:59:59Z'));
    const thisHour = await step(Date.parse('2026-12-22T07:00:00Z'));
    expect(endOfDay.detail).toBe(thisHour.detail);
    expect(endOfDay.detailText).toMatchObject({ params: { days: 20 } });
  });
});

describe('a secret that expires today', () => {
  it('says today, not "in 1 day", as the admin page does', async () => {
    const result = await step(Date.parse('2026-12-02T20:00:00Z'));
    expect(result).toMatchObject({ state: 'warning', detailText: { code: 'check.secretExpiresToday' } });
    expect(result.detail).toMatch(/expires today/);
  });
});
