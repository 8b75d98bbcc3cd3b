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

export interface Notifier {
  toUser(tenantId: string, userId: string, message: OutgoingMessage): Promise<boolean>;
  toAdmins(tenantId: string, message: OutgoingMessage): Promise<boolean>;
}

/** Conversation reference keys in the store (see ConversationRecord.key). */
export const conversationKey = {
  user: (userId: string) => `user:${userId}`,
  admins: 'admins',
} as const;
