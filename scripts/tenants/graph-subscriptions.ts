import { MONITOR_SCOPE } from '../../bot/services/tenant-runtime';
import { logFailedCall } from '../../bot/services/outbound-log';
import { openLink } from '../../bot/services/tenant-link';
import { GRAPH_DEFAULT_SCOPE, TokenClient } from '../../shared/adapters/entra/token-client';
import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import type { CleanupContext, CleanupResult } from './cleanup';
import { callFailure, describeFailure } from './failure';

/**
 * Deletes the tenant's Graph presence subscriptions: each monitor's, as that monitor account (Graph accepts only a
 * delegated token of the account that made it), through the same adapter the sync uses. Graph answering 404 means it
 * is gone already, which counts as deleted.
 */
export async function deleteGraphSubscriptions(ctx: CleanupContext): Promise<CleanupResult> {
  const { config, store, secretBox, logger, tenantId, progress } = ctx;
  const monitors = (await store.listMonitors(tenantId)).filter((m) => m.subscriptionId);
  const result: CleanupResult = { deleted: [], left: [] };
  if (monitors.length === 0) return result;
  const record = await store.getTenant(tenantId);
  if (!record) {
    for (const m of monitors)
      result.left.push(
        `Graph subscription ${m.subscriptionId} of monitor ${m.username}: the tenant link is gone, so no token can be had (${expiry(m.subscriptionExpiresAt)})`,
      );
    return result;
  }
  const link = openLink(secretBox, record);
  const tokens = new TokenClient({
    authorityHost: config.authorityHost,
    tenantId,
    credentials: () => ({ clientId: link.clientId, clientSecret: link.clientSecret ?? undefined }),
  });
  const graph = new GraphAdapter({
    baseUrl: config.graphBaseUrl,
    clientId: link.clientId,
    getAppToken: () => tokens.getAppToken(GRAPH_DEFAULT_SCOPE),
    getMonitorToken: (m) => tokens.getUserTokenByPassword(m.username, m.password, MONITOR_SCOPE),
    onFailure: (op, error) => logFailedCall(logger, 'graph', tenantId, op, error),
    forgetToken: (token) => tokens.forget(token),
  });
  for (const m of monitors) {
    const subscriptionId = m.subscriptionId!;
    try {
      await graph.subscriptions.delete(
        { username: m.username, password: secretBox.open(m.passwordSealed) },
        subscriptionId,
      );
      result.deleted.push(subscriptionId);
      progress(`  Graph subscription ${subscriptionId} (monitor ${m.username}) deleted`);
    } catch (e) {
      const failure = callFailure(e);
      logger.error(
        {
          tenantId,
          event: 'offboard.graphSubscriptionLeft',
          subscriptionId,
          monitor: m.username,
          ...failure,
        },
        'a Graph presence subscription of an offboarded tenant could not be deleted',
      );
      result.left.push(
        `Graph subscription ${subscriptionId} of monitor ${m.username}: ${describeFailure(failure)} (${expiry(m.subscriptionExpiresAt)})`,
      );
    }
  }
  return result;
}

/** Graph ends a presence subscription at its expiry unless it is renewed, which nobody does after offboarding. */
function expiry(at: number | null): string {
  return at === null
    ? 'Graph ends it at its expiry'
    : `Graph ends it by itself at ${new Date(at).toISOString()}`;
}
