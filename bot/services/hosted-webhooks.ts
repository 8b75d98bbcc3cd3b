import type { PbxEvent } from '../../shared/ports/cloudlink';
import type { SyncService } from '../../shared/sync';
import type { WebhookHandler, WebhookHandlers } from './sync-facade';
import { currentWebhooks } from './sync-service-facade';

export interface HostedWebhookDeps {
  /** The tenant's running sync service; undefined when the tenant is not served here or has not linked CloudLink. */
  service: (tenantId: string) => SyncService | undefined;
  onPbxEvent: (tenantId: string, event: PbxEvent) => void;
}

const NOT_RUNNING = {
  status: 404,
  body: { error: { code: 'sync_off', message: 'Presence sync is not running.' } },
};

/**
 * Hosted mode's webhooks: one address for every tenant, each post handed to the one tenant it belongs to, whose own
 * handler then checks the secret. A CloudLink post names its tenant in the address (`?tenant=`, set when the
 * subscription was made) and must carry that tenant's key; an unknown tenant and one without sync get the same answer,
 * so a post learns nothing about which tenants exist.
 */
export function hostedWebhooks(deps: HostedWebhookDeps): WebhookHandlers {
  const perTenant = new Map<string, WebhookHandlers>();
  const handlersOf = (tenantId: string): WebhookHandlers | undefined => {
    if (!deps.service(tenantId)) return undefined;
    let h = perTenant.get(tenantId);
    if (!h) {
      h = currentWebhooks(
        () => deps.service(tenantId),
        (event) => deps.onPbxEvent(tenantId, event),
      );
      perTenant.set(tenantId, h);
    }
    return h;
  };
  const cloudlink: WebhookHandler = async (req) => {
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant.toLowerCase() : '';
    const handlers = tenant ? handlersOf(tenant) : undefined;
    return handlers ? handlers.cloudlink(req) : NOT_RUNNING;
  };
  return {
    // Routed by subscription in the next step; until then no tenant's Graph post is taken.
    graph: () => Promise.resolve(NOT_RUNNING),
    graphLifecycle: () => Promise.resolve(NOT_RUNNING),
    cloudlink,
  };
}
