import type { PbxEvent } from '../../shared/ports/cloudlink';
import type { CloudLinkPost, GraphNotification, SyncService, WebhookAnswer } from '../../shared/sync';

/**
 * Where the webhook routes hand what they read: Graph items the route checked (`readGraphPost`), a CloudLink post
 * unread with its key. The route answers the Graph handshake itself; everything else is answered here. Undefined:
 * the tenant runs no sync here (CloudLink not linked yet, or a tenant this process does not serve).
 */
export interface WebhookReceiver {
  /** Change and lifecycle items alike; the sync tells them apart by each item's `lifecycleEvent`. */
  graph(items: GraphNotification[]): Promise<TenantWebhookAnswer | undefined>;
  /** `tenant`: hosted mode's CloudLink address names the tenant whose key the post must carry. */
  cloudlink(post: CloudLinkPost, tenant?: string): Promise<TenantWebhookAnswer | undefined>;
}

/** The sync's answer, with the tenant whose sync gave it, for the route's log line of a refusal. */
export type TenantWebhookAnswer = WebhookAnswer & { tenantId?: string };

/**
 * One tenant's webhooks, following its sync service as it is now: it starts when CloudLink is linked and is rebuilt
 * when the CloudLink account changes, while the routes stay mounted. `onPbxEvent` sees the event of each CloudLink
 * post the service accepted (its `key` was right), for the missed-call notices.
 */
export function tenantWebhooks(
  service: () => SyncService | undefined,
  onPbxEvent?: (event: PbxEvent) => void,
  tenantId?: string,
): WebhookReceiver {
  const named = (answer: WebhookAnswer): TenantWebhookAnswer => (tenantId ? { ...answer, tenantId } : answer);
  return {
    async graph(items) {
      const answer = await service()?.receiveGraphNotifications(items);
      return answer && named(answer);
    },
    async cloudlink(post) {
      const running = service();
      if (!running) return undefined;
      const answer = await running.receiveCloudLinkPost(post);
      if (answer.status < 300 && answer.event) onPbxEvent?.(answer.event);
      return named(answer);
    },
  };
}
