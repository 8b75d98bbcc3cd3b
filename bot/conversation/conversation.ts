import { conversationKey } from '../services/notifier';
import { claimAdminChannel } from './admin-channel';
import { reportFormCard } from './cards/report-cards';
import { helpText, parseText } from './commands';
import { messagesFor } from './messages';
import { answerFromCard, changeReport, fileReport, freeText } from './report-turns';
import { saveSettings, showSettings } from './settings-turns';
import { describeStatus } from './status-text';
import { isAdmin, say, signInGate, type ConversationDeps, type Turn } from './turn';
import type { IncomingMessage, MembershipChange, Outgoing, Place, Sender } from './types';

export type { ConversationDeps } from './turn';

/**
 * The bot's side of the chat, in plain data: commands, the card forms, answers to admins' questions, the admin
 * notice channel, in the reader's language. It imports nothing of botbuilder (an ESLint rule and
 * tests/unit/conversation*.test.ts hold it to that); bot/teams translates activities to and from it.
 */
export class Conversation {
  constructor(private readonly deps: ConversationDeps) {}

  async message(msg: IncomingMessage): Promise<Outgoing[]> {
    const m = messagesFor(msg.audience.locale);
    const sender = msg.sender;
    if (!sender) return [say(m.notATeamsUser)];
    await this.remember(sender, msg.place);
    const turn: Turn = { deps: this.deps, msg, sender, m };
    if (msg.submit && typeof msg.submit.verb === 'string') return this.submit(turn, msg.submit.verb);

    const parsed = parseText(msg.text);
    switch (parsed.kind) {
      case 'signOut':
        await this.deps.signIns.signOut(sender.tenantId, sender.userId);
        return [say(m.signedOut)];
      case 'adminNoticesHere':
        return claimAdminChannel(this.deps, sender, msg.place, m);
      case 'empty':
        return [say(helpText(m))];
      case 'other':
        return freeText(turn, parsed.text);
      case 'command':
        break;
    }
    if (parsed.command === 'help') return [say(helpText(m))];
    const gate = await signInGate(this.deps, sender, msg.place, m);
    if (gate) return gate;
    const { sync, now } = this.deps;
    switch (parsed.command) {
      case 'status':
        return [
          say(describeStatus(await sync.status(sender.tenantId, sender.userId), now(), m, msg.audience)),
        ];
      case 'sync': {
        await sync.resyncUser(sender.tenantId, sender.userId);
        const status = await sync.status(sender.tenantId, sender.userId);
        return [say(`${m.resynced}\n\n${describeStatus(status, now(), m, msg.audience)}`)];
      }
      case 'report':
        return [{ kind: 'card', card: reportFormCard(m, parsed.rest.slice(0, 4000)) }];
      case 'settings':
        return showSettings(turn);
    }
  }

  /** The bot was added to or removed from a conversation (Teams sends both installationUpdate and conversationUpdate). */
  async membership(change: MembershipChange): Promise<Outgoing[]> {
    const m = messagesFor(change.audience.locale);
    const { sender, place } = change;
    if (!sender) return [];
    const { store, now, logger } = this.deps;
    // Each add arrives twice (installation and membership); whichever comes first greets, until the bot is removed.
    const key = `bot-added:${place.id}`;
    if (change.change === 'removed') {
      await store.clearNotice(sender.tenantId, key);
      logger.info({ tenantId: sender.tenantId, kind: place.kind }, 'bot removed from a conversation');
      return [];
    }
    if (place.kind === 'personal') {
      await this.remember(sender, place);
      if (!(await store.markNoticeSent(sender.tenantId, key, now()))) return [];
      return [say(`${m.welcome} ${helpText(m)}`)];
    }
    if (!(await isAdmin(this.deps, sender))) return [say(m.adminChannelOnlyAdmins)];
    if (!(await store.markNoticeSent(sender.tenantId, key, now()))) return [];
    return claimAdminChannel(this.deps, sender, place, m);
  }

  private async submit(turn: Turn, verb: string): Promise<Outgoing[]> {
    // Admins act on notices in channels too, where Teams SSO does not reach: changeReport checks on its own.
    if (verb === 'reportStatus') return changeReport(turn);
    const gate = await signInGate(this.deps, turn.sender, turn.msg.place, turn.m);
    if (gate) return gate;
    switch (verb) {
      case 'submitReport':
        return fileReport(turn);
      case 'saveSettings':
        return saveSettings(turn);
      case 'replyToReport':
        return answerFromCard(turn);
      default:
        return [say(helpText(turn.m))];
    }
  }

  /** Personal chats are remembered per user, for notices to that user (in their language and time zone). */
  private async remember(sender: Sender, place: Place): Promise<void> {
    if (place.kind !== 'personal') return;
    await this.deps.store.putConversation({
      tenantId: sender.tenantId,
      key: conversationKey.user(sender.userId),
      reference: place.reference,
      updatedAt: this.deps.now(),
    });
  }
}
