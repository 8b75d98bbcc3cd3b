import type { OffboardOutcome } from './offboard';

/** The closing report of an offboarding, for stdout: what was done, and what is left with what to do about it. */
export function offboardSummary(outcome: Extract<OffboardOutcome, { kind: 'offboarded' }>): string {
  const t = outcome.tenant;
  const at = t.offboardedAt === null ? 'at an unknown time' : new Date(t.offboardedAt).toISOString();
  const facts: [string, string][] = [
    [
      'Recorded',
      `offboarded ${at} by ${t.offboardedBy ?? 'unknown'}${outcome.markedNow ? '' : ' (an earlier run)'}`,
    ],
    ['Graph subscriptions', `${outcome.graphDeleted.length} deleted`],
    ['CloudLink subscriptions', `${outcome.cloudlinkDeleted.length} deleted`],
    [
      'Data',
      outcome.dataDeleted
        ? `deleted, with ${outcome.signInsCleared} sign-ins and ${outcome.conversationsCleared} bot conversations`
        : 'kept',
    ],
  ];
  // The registry names a tenant by its id until its display name is known.
  const name = t.displayName === t.tenantId ? t.tenantId : `${t.tenantId} (${t.displayName})`;
  const width = Math.max(...facts.map(([label]) => label.length)) + 1;
  const lines = [
    outcome.left.length === 0
      ? `Tenant ${name} is offboarded.`
      : `Tenant ${name} is offboarded, but its clean-up is NOT complete.`,
    ...facts.map(([label, value]) => `  ${`${label}:`.padEnd(width + 1)}${value}`),
  ];
  if (outcome.left.length > 0) lines.push('Left:', ...outcome.left.map((l) => `  - ${l}`));
  return lines.join('\n');
}
