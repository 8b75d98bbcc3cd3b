import { CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import type { Audience } from '../conversation/types';
import { composeNotice, conversationKey, type Notice, type Notifier } from '../services/notifier';

/**
 * Sends notices into conversations the bot saw before (their references are stored when users write to the bot or
 * an admin adds it to a channel), through the Bot Framework connector at the reference's serviceUrl, written for the
 * language and time zone the stored reference carries (see placeOf in identity.ts).
 */
export class ProactiveNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id (BOT_ID); empty for the playground, whose connector takes unauthenticated replies. */
    private readonly botAppId: string,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  toUser(tenantId: string, userId: string, message: Notice): Promise<boolean> {
    return this.send(tenantId, conversationKey.user(userId), message);
  }

  toAdmins(tenantId: string, message: Notice): Promise<boolean> {
    return this.send(tenantId, conversationKey.admins, message);
  }

  private async send(tenantId: string, key: string, notice: Notice): Promise<boolean> {
    const record = await this.store.getConversation(tenantId, key);
    if (!record) return false;
    const reference = record.reference as Partial<ConversationReference> & { localTimezone?: unknown };
    const reader: Audience = {
      ...(typeof reference.locale === 'string' ? { locale: reference.locale } : {}),
      ...(typeof reference.localTimezone === 'string' ? { timeZone: reference.localTimezone } : {}),
    };
    const message = composeNotice(notice, reader);
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      await context.sendActivity({
        text: message.text,
        ...(reader.locale ? { locale: reader.locale } : {}),
        ...(message.card ? { attachments: [CardFactory.adaptiveCard(message.card)] } : {}),
      });
    });
    this.logger.debug({ tenantId, key }, 'proactive notice sent');
    return true;
  }
}
