/**
 * A presence monitor's last problem in English, by code (shared/sync/monitors.ts). A refused sign-in or a Graph
 * failure nests the sync's own sentence (sync.ts) with its fix.
 */
export const monitorTextsEn = {
  'monitor.subscriptionConflict':
    'This account already holds a presence subscription for this app (Graph allows one). It lapses within 60 minutes; Switchboard retries.',
  'monitor.problemAndFix': '{problem} {fix}',
} as const satisfies Record<string, string>;

export type MonitorTextCode = keyof typeof monitorTextsEn;
