import type { SecretBox } from '../../shared/platform/secret-box';
import { adminChangedMonitor, newMonitorRecord, type Store } from '../../shared/ports/store';
import { sameAccount } from './monitor-names';

/** A presence monitor account the environment starts with (the demo's). */
export interface InitialMonitor {
  username: string;
  password: string;
}

/**
 * Registers the environment's monitor accounts. The emulated directory gives them new passwords and the emulated
 * Graph starts without subscriptions on every start, so with `replaceKept` (the demo's fresh emulators) monitors kept
 * from an earlier run get the new password and a fresh subscription; otherwise a restarted demo fails monitor sign-in
 * and Teams changes never reach the phone. Without it, monitors the store already has stand.
 */
export async function registerInitialMonitors(
  store: Store,
  box: SecretBox,
  tenantId: string,
  monitors: InitialMonitor[],
  replaceKept: boolean,
  now: number,
): Promise<void> {
  if (!monitors.length) return;
  const kept = (await store.listMonitors(tenantId)).filter((m) => m.state !== 'deleted');
  if (kept.length > 0 && !replaceKept) return;
  const fresh = {
    state: 'new' as const,
    subscriptionId: null,
    subscriptionExpiresAt: null,
    clientState: null,
    lastError: null,
  };
  if (kept.length > 0) {
    for (const m of monitors) {
      const same = kept.find((k) => sameAccount(k.username, m.username));
      if (same)
        await store.putMonitor(
          adminChangedMonitor(same, { ...fresh, passwordSealed: box.seal(m.password) }, now),
        );
    }
    return;
  }
  for (const [i, m] of monitors.entries()) {
    await store.putMonitor(
      newMonitorRecord(
        {
          tenantId,
          monitorId: `demo-monitor-${i + 1}`,
          username: m.username,
          passwordSealed: box.seal(m.password),
        },
        now,
      ),
    );
  }
}
