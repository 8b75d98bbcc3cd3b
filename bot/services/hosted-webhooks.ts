import type { Logger } from '../../shared/platform/logger';
import type { PbxEvent } from '../../shared/ports/cloudlink';
import { userIdOf, type GraphNotification, type SyncService } from '../../shared/sync';
import type { GraphSubscriptionIndex, SubscriptionHolder } from './graph-subscription-index';
import { tenantWebhooks, type WebhookReceiver } from './webhooks';

export interface HostedWebhookDeps {
  /** The tenant's running sync service; undefined when the tenant is not served here or has not linked CloudLink. */
  service: (tenantId: string) => SyncService | undefined;
  onPbxEvent: (tenantId: string, event: PbxEvent) => void;
  /** Which tenant's monitor holds a Graph subscription. */
  subscriptions: GraphSubscriptionIndex;
  logger: Logger;
}

/**
 * Hosted mode's webhooks: one address for every tenant, each post handed to the one tenant it belongs to, whose own
 * handler then checks the secret.
 *
 * - A CloudLink post names its tenant in the address (`?tenant=`, set when the subscription was made) and must carry
 *   that tenant's key; an unknown tenant and one without sync get the same answer, so a post learns nothing about
 *   which tenants exist.
 * - A Graph notification or lifecycle post is split by subscription id: each item goes to the tenant whose monitor
 *   holds that subscription, where its clientState is checked. An item is dropped here when no served tenant holds
 *   the subscription, when it names another tenant (Graph's `tenantId`), or when it names a user that subscription
 *   does not watch: one tenant's subscription never carries news of another tenant's people.
 */
export function hostedWebhooks(deps: HostedWebhookDeps): WebhookReceiver {
  const perTenant = new Map<string, WebhookReceiver>();
  const receiverOf = (tenantId: string): WebhookReceiver => {
    let r = perTenant.get(tenantId);
    if (!r) {
      r = tenantWebhooks(
        () => deps.service(tenantId),
        (event) => deps.onPbxEvent(tenantId, event),
        tenantId,
      );
      perTenant.set(tenantId, r);
    }
    return r;
  };

  return {
    // An unknown tenant and one without sync get the same answer.
    cloudlink: async (post, tenant) =>
      tenant && deps.service(tenant.toLowerCase())
        ? receiverOf(tenant.toLowerCase()).cloudlink(post)
        : undefined,

    async graph(items) {
      const fits = (item: GraphNotification) =>
        fitsHolder(item, deps.subscriptions.holderOf(item.subscriptionId));
      // Something unknown: the subscriptions are read again once (throttled), then every item is judged.
      if (!items.every(fits)) await deps.subscriptions.refresh();
      const byTenant = new Map<string, GraphNotification[]>();
      let dropped = 0;
      for (const item of items) {
        const holder = deps.subscriptions.holderOf(item.subscriptionId);
        if (!holder || !fitsHolder(item, holder)) {
          dropped++;
          continue;
        }
        byTenant.set(holder.tenantId, [...(byTenant.get(holder.tenantId) ?? []), item]);
      }
      if (dropped > 0)
        deps.logger.warn(
          {
            event: 'graph.notificationDropped',
            kind: items.some((i) => i.lifecycleEvent !== undefined) ? 'lifecycle' : 'change',
            dropped,
            routed: items.length - dropped,
          },
          'Graph notification items that no served tenant holds (unknown subscription, another tenant or user) were dropped',
        );
      const answers = await Promise.all(
        [...byTenant].map(([tenantId, value]) => receiverOf(tenantId).graph(value)),
      );
      // A tenant that could not take its items (a standby that failed to store them) asks Graph to send them again.
      return answers.find((a) => a !== undefined && a.status >= 500) ?? { status: 202 };
    },
  };
}

function fitsHolder(item: GraphNotification, holder: SubscriptionHolder | undefined): boolean {
  if (!holder) return false;
  if (item.tenantId !== undefined && item.tenantId.toLowerCase() !== holder.tenantId) return false;
  if (item.lifecycleEvent) return true;
  const userId = userIdOf(item);
  return userId === undefined || holder.userIds.has(userId);
}
