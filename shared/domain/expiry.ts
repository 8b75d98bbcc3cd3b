const DAY_MS = 86_400_000;

/**
 * Days until a secret or password expires, counted by calendar date (UTC): a secret expiring on the 23rd is "in 20
 * days" all through the 3rd, whatever the hour. One rule for the admin page's banner and the configuration check
 * (they said 19 and 20 for the same secret at the same moment). 0 on the day itself; whether it has already expired
 * is a comparison of times, not of days. Pure.
 */
export function calendarDaysUntil(expiresAt: number, now: number): number {
  return Math.round((startOfUtcDay(expiresAt) - startOfUtcDay(now)) / DAY_MS);
}

function startOfUtcDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}
