/**
 * The admin health view's sentences in English, by code: our CloudLink subscriptions and whether this process runs
 * the tenant's sync. (A refused secret's sentence is in secrets.ts, its fix in sync.ts and check.ts.)
 */
export const healthTextsEn = {
  'health.cloudlinkSubscriptionRecreated': 'CloudLink no longer had this subscription; it was created again.',
  'health.cloudlinkSubscriptionRefused': 'CloudLink refused the subscription: {detail}',
  'health.standby':
    "Another Switchboard process owns this tenant's sync; this one is on standby and takes over if it stops.",
  'health.stopped': 'The sync engine is not running.',
} as const satisfies Record<string, string>;

export type HealthTextCode = keyof typeof healthTextsEn;
