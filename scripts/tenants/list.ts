import type { RegisteredTenant } from '../../shared/ports/tenant-registry';

const iso = (at: number | null) => (at === null ? '' : new Date(at).toISOString());

/** The registry as JSON for scripts: one object per tenant, times as ISO 8601. */
export function tenantsJson(tenants: RegisteredTenant[]): string {
  return JSON.stringify(
    tenants.map((t) => ({
      tenantId: t.tenantId,
      name: t.displayName,
      state: t.state,
      onboardedAt: iso(t.onboardedAt),
      onboardedBy: t.onboardedBy,
      offboardedAt: t.offboardedAt === null ? null : iso(t.offboardedAt),
      offboardedBy: t.offboardedBy,
    })),
    null,
    2,
  );
}

/** The registry as a table for a terminal, one tenant a line, columns padded to their widest value. */
export function tenantsTable(tenants: RegisteredTenant[]): string {
  if (tenants.length === 0) return 'No tenants registered.';
  const header = ['TENANT ID', 'NAME', 'STATE', 'ONBOARDED', 'OFFBOARDED'];
  const rows = tenants.map((t) => [
    t.tenantId,
    t.displayName,
    t.state,
    `${iso(t.onboardedAt)} by ${t.onboardedBy}`,
    t.offboardedAt === null ? '' : `${iso(t.offboardedAt)} by ${t.offboardedBy ?? 'unknown'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
