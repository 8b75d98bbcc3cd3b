import type { SyncStatus } from './contract';

/**
 * Whether a user's sync has not yet read both sides: right after a start (the first resync can take a minute) a
 * status has no presence for one side, or no sync time yet. Saying "all good" then would vouch for a sync that has
 * not happened, so the tab and the bot both say it is still waiting. A problem outranks it (it says what to do), and
 * a user whose sync is switched off both ways is not waiting for anything. Pure: no I/O.
 */
export function awaitingFirstSync(s: SyncStatus): boolean {
  if (s.problem || (!s.enabled.toTeams && !s.enabled.fromTeams)) return false;
  return s.teams === null || s.pbx === null || s.lastSyncAt === null;
}
