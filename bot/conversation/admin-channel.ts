import { conversationKey } from '../services/notifier';
import type { Messages } from './messages';
import { isAdmin, say, type ConversationDeps } from './turn';
import type { Outgoing, Place, Sender } from './types';

/** A channel or group chat becomes the admins' notice channel only when an admin puts the bot there. */
export async function claimAdminChannel(
  deps: ConversationDeps,
  sender: Sender,
  place: Place,
  m: Messages,
): Promise<Outgoing[]> {
  if (place.kind === 'personal') return [say(m.adminChannelNeedsChannel)];
  if (!(await isAdmin(deps, sender))) return [say(m.adminChannelOnlyAdmins)];
  await deps.store.putConversation({
    tenantId: sender.tenantId,
    key: conversationKey.admins,
    reference: place.reference,
    updatedAt: deps.now(),
  });
  deps.logger.info({ tenantId: sender.tenantId, kind: place.kind }, 'admin notice conversation set');
  return [say(m.adminChannelClaimed)];
}
