import type { Logger } from '../../shared/platform/logger';
import type { PbxEvent } from '../../shared/ports/cloudlink';
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
 * hang-up after talking. CloudLink has no "missed" flag (see isMissed in shared/ports/cloudlink.ts). The event is the
 * one the CloudLink adapter read for the sync (CloudLinkPort.readWebhook): the post is not parsed again here.
 */
export function missedCallOf(event: PbxEvent): MissedCall | undefined {
  if (event.kind !== 'callEnded' || event.call.direction !== 'inbound') return undefined;
  if (!event.cause || event.cause === 'normal' || !event.call.from) return undefined;
  return {
    principalId: event.principalId,
    callId: event.callId,
    number: event.call.from,
    name: event.call.fromName,
    at: event.call.createdOn ?? new Date().toISOString(),
  };
}

/** Tells the callee about a missed call (if they opted in); called for events the sync service accepted. */
export async function noticeMissedCall(
  deps: { store: Store; notices: NoticeService; logger: Logger },
  tenantId: string,
  event: PbxEvent,
): Promise<void> {
  const call = missedCallOf(event);
  if (!call) return;
  try {
    const user = await deps.store.getUserByPbxId(tenantId, call.principalId);
    if (user) await deps.notices.missedCall(tenantId, user.entraUserId, call);
  } catch (e) {
    deps.logger.warn({ err: e, tenantId }, 'missed-call notice failed');
  }
}
