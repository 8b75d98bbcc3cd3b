import { logFailedCall } from '../../bot/services/outbound-log';
import { openLink } from '../../bot/services/tenant-link';
import { CloudLinkClient } from '../../shared/adapters/cloudlink';
import type { CleanupContext, CleanupResult } from './cleanup';
import { callFailure, describeFailure } from './failure';

/**
 * Deletes the tenant's CloudLink webhook subscriptions with the tenant's own CloudLink link, through the same adapter
 * the sync uses: the ones the store recorded, and any other of the account's subscriptions that post to this
 * tenant's webhook address (one whose record was lost). Other apps' subscriptions on the account are left alone.
 * CloudLink answering 404 means it is gone already, which counts as deleted. Unlike Graph's, these never expire.
 */
export async function deleteCloudLinkSubscriptions(ctx: CleanupContext): Promise<CleanupResult> {
  const { config, store, secretBox, logger, tenantId, progress } = ctx;
  const result: CleanupResult = { deleted: [], left: [] };
  const recorded = (await store.listCloudLinkSubscriptions(tenantId)).map((s) => s.subscriptionId);
  const record = await store.getTenant(tenantId);
  const linked = record && openLink(secretBox, record).cloudlink;
  if (!linked?.clientSecret) {
    for (const id of recorded)
      result.left.push(
        `CloudLink subscription ${id}: the tenant has no CloudLink link any more; delete it in the Mitel administration portal`,
      );
    return result;
  }
  const cloudlink = new CloudLinkClient({
    apiBase: config.cloudlink.apiBase,
    accountId: linked.accountId,
    clientId: linked.clientId,
    clientSecret: linked.clientSecret,
    appId: config.cloudlink.appId,
    onFailure: (op, error) => logFailedCall(logger, 'cloudlink', tenantId, op, error),
  });
  const ids = new Set(recorded);
  try {
    for (const s of await cloudlink.listSubscriptions())
      if (postsToTenant(s.url, config.publicBaseUrl, tenantId)) ids.add(s.subscriptionId);
  } catch (e) {
    // Listing finds the strays only: the recorded ones are still deleted below.
    const failure = callFailure(e);
    logger.error(
      { tenantId, event: 'offboard.cloudlinkListFailed', cloudlinkAccount: linked.accountId, ...failure },
      "the CloudLink account's subscriptions could not be listed to find an offboarded tenant's strays",
    );
    result.left.push(
      `any CloudLink subscription of account ${linked.accountId} posting to this tenant that the store did not record: listing them failed (${describeFailure(failure)})`,
    );
  }
  for (const id of ids) {
    try {
      await cloudlink.unsubscribe(id);
      result.deleted.push(id);
      progress(`  CloudLink subscription ${id} deleted`);
    } catch (e) {
      const failure = callFailure(e);
      logger.error(
        {
          tenantId,
          event: 'offboard.cloudlinkSubscriptionLeft',
          subscriptionId: id,
          cloudlinkAccount: linked.accountId,
          ...failure,
        },
        'a CloudLink subscription of an offboarded tenant could not be deleted',
      );
      result.left.push(
        `CloudLink subscription ${id} of account ${linked.accountId}: ${describeFailure(failure)}`,
      );
    }
  }
  return result;
}

/** Whether a webhook address is this deployment's CloudLink webhook for this tenant (hosted mode names it there). */
function postsToTenant(url: string, publicBaseUrl: string, tenantId: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    `${parsed.origin}${parsed.pathname}` === `${publicBaseUrl}/api/notifications/cloudlink` &&
    parsed.searchParams.get('tenant')?.toLowerCase() === tenantId.toLowerCase()
  );
}
