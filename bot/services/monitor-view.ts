import type { MonitorView } from '../../shared/api/contract';
import type { MonitorRecord } from '../../shared/ports/store';
import { monitorProblemFromStore } from '../../shared/sync/monitor-problem';

/** A stored monitor as the admin page shows it: no password, dates as ISO strings. */
export function toMonitorView(m: MonitorRecord): MonitorView {
  const problem = monitorProblemFromStore(m.lastError);
  return {
    monitorId: m.monitorId,
    username: m.username,
    state: m.state,
    userCount: m.userIds.length,
    subscriptionExpiresAt: m.subscriptionExpiresAt ? new Date(m.subscriptionExpiresAt).toISOString() : null,
    passwordExpiresAt: m.passwordExpiresAt ? new Date(m.passwordExpiresAt).toISOString() : null,
    lastError: problem?.english ?? null,
    ...(problem?.text && { lastErrorText: problem.text }),
  };
}
