import { parseCloudLinkWebhook, pbxChangeOf } from '../../shared/adapters/cloudlink';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import type { NoticeService } from './notices';

export interface MissedCall {
  principalId: string;
  callId: string;
  number: string;
  name: string | null;
  at: string;
}

/**
 * A missed call in a CloudLink media event: the call ended on the callee's side (inbound) for any cause but a normal
 * hang-up after talking. CloudLink has no "missed" flag (see isMissed in shared/ports/cloudlink.ts). The webhook is
 * read by the adapter's one parser (`pbxChangeOf`), as the sync engine reads it.
 */
export function missedCallOf(body: unknown): MissedCall | undefined {
  let change;
  try {
    change = pbxChangeOf(parseCloudLinkWebhook(body));
  } catch {
    return undefined;
  }
  if (change?.kind !== 'callEnded' || change.call.direction !== 'inbound') return undefined;
  if (!change.cause || change.cause === 'normal' || !change.call.from) return undefined;
  return {
    principalId: change.principalId,
    callId: change.callId,
    number: change.call.from,
    name: change.call.fromName,
    at: change.call.createdOn ?? new Date().toISOString(),
  };
}

/** Tells the callee about a missed call (if they opted in); called for webhooks the sync service accepted. */
export async function noticeMissedCall(
  deps: { store: Store; notices: NoticeService; logger: Logger },
  tenantId: string,
  body: unknown,
): Promise<void> {
  const call = missedCallOf(body);
  if (!call) return;
  try {
    const user = await deps.store.getUserByPbxId(tenantId, call.principalId);
    if (user) await deps.notices.missedCall(tenantId, user.entraUserId, call);
  } catch (e) {
    deps.logger.warn({ err: e, tenantId }, 'missed-call notice failed');
  }
}
