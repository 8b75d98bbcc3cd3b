/**
 * The personal tab's entityId in appPackage/manifest.json (a test holds them equal). Deep links name the tab by it.
 */
export const CALL_HISTORY_ENTITY_ID = 'callHistory';

/**
 * A Teams deep link that opens the app's call history tab: `https://teams.microsoft.com/l/entity/<appId>/<entityId>`,
 * where appId is the manifest's `id` (TEAMS_APP_ID for an uploaded custom app), not the bot or Entra client id.
 * Teams opens it in the desktop or mobile client, and its web page offers to; the tab's own URL outside Teams only
 * says to open Teams. Pure: no I/O.
 */
export function callHistoryLink(teamsAppId: string): string {
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(teamsAppId)}/${CALL_HISTORY_ENTITY_ID}`;
}
