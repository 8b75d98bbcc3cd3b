import type { Store } from '../../shared/ports/store';

/** The monitor that holds a Graph subscription, as the store has it. */
export interface SubscriptionHolder {
  tenantId: string;
  /** The users the monitor's subscription watches. */
  userIds: ReadonlySet<string>;
}

/**
 * Hosted mode: which tenant's presence monitor holds a Graph subscription id, for routing a notification to the one
 * tenant whose subscription it names. Kept in memory and built from the store's monitors of the tenants served; a
 * post naming an id or user it does not know (a subscription made or changed since, or a forgery) has it read again,
 * at most once per `minRebuildMs`, so a flood of made-up ids costs one pass over the monitors a second at most.
 */
export class GraphSubscriptionIndex {
  private holders = new Map<string, SubscriptionHolder>();
  private builtAt = Number.NEGATIVE_INFINITY;
  private building: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly tenantIds: () => string[],
    private readonly now: () => number,
    private readonly minRebuildMs = 1000,
  ) {}

  /** The holder of the subscription as last read. */
  holderOf(subscriptionId: string): SubscriptionHolder | undefined {
    return this.holders.get(subscriptionId);
  }

  /** One rebuild at a time; a caller within `minRebuildMs` of the last one waits for the next and shares it. */
  refresh(): Promise<void> {
    if (this.building) return this.building;
    const wait = Math.max(0, this.builtAt + this.minRebuildMs - this.now());
    this.building = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => this.read())
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }

  private async read(): Promise<void> {
    const next = new Map<string, SubscriptionHolder>();
    for (const tenantId of this.tenantIds()) {
      for (const m of await this.store.listMonitors(tenantId)) {
        if (m.subscriptionId && m.state !== 'deleted')
          next.set(m.subscriptionId, { tenantId, userIds: new Set(m.userIds) });
      }
    }
    this.holders = next;
    this.builtAt = this.now();
  }
}
