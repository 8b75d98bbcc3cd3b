import type { Audience } from '../conversation/types';

/**
 * How services reach people in Teams without knowing the bot framework: the bot implements this with stored
 * conversation references (bot/teams/proactive.ts). Each call resolves what became of the notice, so a service
 * records as sent only what arrived and tells people the truth about it; it never rejects for a failed send.
 */
export type Delivery =
  /** The connector took it. */
  | 'delivered'
  /**
   * Nowhere to send it: the user never opened a chat with the bot, no admin channel is set, or the one we had is
   * gone (the connector said so once, and the notifier forgot it). Nothing was sent; asking again costs no call.
   */
  | 'noConversation'
  /** The connector refused it or could not be reached; the notifier logged it (bot.noticeFailed). */
  | 'failed';

export interface OutgoingMessage {
  text: string;
  /** An Adaptive Card (plain JSON) sent with the text. */
  card?: Record<string, unknown>;
}

/**
 * A message, or how to write it for its reader: the notifier knows the conversation's language and time zone
 * (from the Teams client that last wrote there), the service that sends the notice does not.
 */
export type Notice = OutgoingMessage | ((reader: Audience) => OutgoingMessage);

export interface Notifier {
  toUser(tenantId: string, userId: string, message: Notice): Promise<Delivery>;
  toAdmins(tenantId: string, message: Notice): Promise<Delivery>;
}

export function composeNotice(message: Notice, reader: Audience): OutgoingMessage {
  return typeof message === 'function' ? message(reader) : message;
}

/** Conversation reference keys in the store (see ConversationRecord.key). */
export const conversationKey = {
  user: (userId: string) => `user:${userId}`,
  admins: 'admins',
} as const;
