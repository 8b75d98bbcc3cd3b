import type { Store } from '../../shared/ports/store';
import { ServiceRefusal } from './refusal';

/**
 * Refuses an account the tenant already has as a monitor (one not deleted), whatever its case: Entra compares user
 * names without case, every add signs the account in at once, and each wrong password counts toward Entra's lockout
 * of that account. Another tenant's monitor of the same name is not looked at.
 */
export async function refuseKnownMonitor(store: Store, tenantId: string, username: string): Promise<void> {
  const known = (await store.listMonitors(tenantId)).find(
    (m) => m.state !== 'deleted' && sameAccount(m.username, username),
  );
  if (known)
    throw new ServiceRefusal(
      'conflict',
      'monitor_exists',
      `${known.username} is already a presence monitor here; to change its password, use "New password" on its row.`,
    );
}

/** Whether two monitor user names name the same Entra account: Entra compares them without case. */
export function sameAccount(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
