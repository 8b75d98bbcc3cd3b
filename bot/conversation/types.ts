import type { ClientType } from '../../shared/api/contract';
import type { Card } from './cards/adaptive';

/**
 * The conversation's own view of Teams: what arrives and what goes back, in plain data. The transport (bot/teams)
 * turns Bot Framework activities into these and these back into activities; nothing here knows botbuilder, so
 * moving to another SDK changes the transport only.
 */

/** Who wrote. Teams stamps the sender's Entra object id and tenant on every activity. */
export interface Sender {
  tenantId: string;
  userId: string;
  displayName: string;
}

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/** Where a message came from; `reference` is the transport's opaque handle to reach it again later (notices). */
export interface Place {
  id: string;
  kind: ConversationKind;
  reference: Record<string, unknown>;
}

/** The reader's language and time zone, as the Teams client reported them. */
export interface Audience {
  /** BCP 47, e.g. `de-DE`; undefined when the client did not say. */
  locale?: string;
  /** IANA, e.g. `Europe/Berlin`. */
  timeZone?: string;
}

interface Incoming {
  /** Undefined when the activity names no Teams user and tenant (not a Teams client of a known company). */
  sender: Sender | undefined;
  place: Place;
  audience: Audience;
}

/** A chat message: typed text (the bot's @mention already removed, case kept) or a card's submitted form. */
export interface IncomingMessage extends Incoming {
  text: string;
  /** The data of an Action.Submit: the form's inputs plus the action's `verb` and ids. */
  submit?: Record<string, unknown>;
  activityId?: string;
  /** The message a card submit came from: the card to update in place. */
  replyToId?: string;
  client: { type: ClientType | 'unknown'; locale?: string };
}

/** The bot was added to (or removed from) a conversation. */
export interface MembershipChange extends Incoming {
  change: 'added' | 'removed';
}

/** What the conversation answers; the transport renders each in order. */
export type Outgoing =
  | { kind: 'text'; text: string }
  | { kind: 'card'; card: Card }
  /** Ask for Teams SSO (the transport knows the sign-in card's protocol). */
  | { kind: 'signIn' }
  /** Replace a card the bot sent earlier (e.g. an admin notice after Acknowledge). */
  | { kind: 'updateCard'; messageId: string; card: Card };
