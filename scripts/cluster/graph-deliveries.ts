import type { DeliveryRecord } from '../../emulators/graph/delivery';

/** One Graph change notification as the emulator tried to deliver it, over all its attempts. */
export interface GraphNotificationChain {
  /** The subscription id and the notification body. */
  key: string;
  /** When its first attempt was made. */
  firstAt: number;
  attempts: number;
  lastOutcome: string;
  done: boolean;
}

/**
 * Graph change notifications that no attempt delivered. Graph records each attempt, and one user's notifications
 * have the same body: attempts are chained to the oldest open notification of that body one attempt further, as
 * Graph retries them in order. Shared by the failover tests (single tenant and hosted).
 */
export function unacknowledgedGraphNotifications(records: DeliveryRecord[]): GraphNotificationChain[] {
  const chains: GraphNotificationChain[] = [];
  for (const d of records.filter((r) => r.kind === 'change').sort((a, b) => a.id - b.id)) {
    const key = `${d.subscriptionId} ${JSON.stringify(d.body)}`;
    let chain =
      d.attempt === 1
        ? undefined
        : chains.find((c) => !c.done && c.key === key && c.attempts === d.attempt - 1);
    if (!chain) {
      chain = { key, firstAt: d.at, attempts: 0, lastOutcome: '', done: false };
      chains.push(chain);
    }
    chain.attempts = d.attempt;
    chain.lastOutcome = d.status === undefined ? d.outcome : `${d.outcome} ${d.status}`;
    chain.done = d.outcome === 'acknowledged' || d.outcome === 'dropped';
  }
  return chains.filter((c) => c.lastOutcome.split(' ')[0] !== 'acknowledged');
}
