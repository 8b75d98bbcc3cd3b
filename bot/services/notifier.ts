import type { Audience } from '../conversation/types';

/**
 * How services reach people in Teams without knowing the bot framework: the bot implements this with stored
 * conversation references (bot/teams/proactive.ts). Each call resolves false when there is nowhere to deliver
 * (the user never talked to the bot, no admin channel is configured).
 */
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
  toUser(tenantId: string, userId: string, message: Notice): Promise<boolean>;
  toAdmins(tenantId: string, message: Notice): Promise<boolean>;
}

export function composeNotice(message: Notice, reader: Audience): OutgoingMessage {
  return typeof message === 'function' ? message(reader) : message;
}

/** Conversation reference keys in the store (see ConversationRecord.key). */
export const conversationKey = {
  user: (userId: string) => `user:${userId}`,
  admins: 'admins',
} as const;
