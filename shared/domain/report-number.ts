/**
 * The short number people use for a problem report ("Report 3F9A2C"): the first six hex digits of its UUID, upper
 * case. Stable (derived from the id, nothing stored), short enough to read out on the phone, and unique enough
 * within one tenant's reports (16.7 million values); the UUID stays the id for the API.
 */
export function reportNumber(reportId: string): string {
  const hex = reportId.replace(/[^0-9a-f]/gi, '');
  return (hex.length >= 6 ? hex.slice(0, 6) : reportId).toUpperCase();
}
