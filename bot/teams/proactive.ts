import { CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../../shared/platform/logger';
import type { ConversationRecord, Store } from '../../shared/ports/store';
import type { Audience } from '../conversation/types';
import {
  composeNotice,
  conversationKey,
  type Delivery,
  type Notice,
  type Notifier,
} from '../services/notifier';
import { readConnectorFailure } from './connector-failure';

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

  toUser(tenantId: string, userId: string, message: Notice): Promise<Delivery> {
    return this.send(tenantId, conversationKey.user(userId), message);
  }

  toAdmins(tenantId: string, message: Notice): Promise<Delivery> {
    return this.send(tenantId, conversationKey.admins, message);
  }

  private async send(tenantId: string, key: string, notice: Notice): Promise<Delivery> {
    const record = await this.store.getConversation(tenantId, key);
    if (!record) return 'noConversation';
    const reference = record.reference as Partial<ConversationReference> & { localTimezone?: unknown };
    const reader: Audience = {
      ...(typeof reference.locale === 'string' ? { locale: reference.locale } : {}),
      ...(typeof reference.localTimezone === 'string' ? { timeZone: reference.localTimezone } : {}),
    };
    const message = composeNotice(notice, reader);
    let failure: unknown;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        // Caught here, inside the turn: an error escaping it would go to the adapter's onTurnError, which logs a
        // failed turn, posts a "turn failed" apology into the very conversation that just refused a post, and
        // returns as if all went well, so the caller would count the notice as delivered.
        try {
          await context.sendActivity({
            text: message.text,
            ...(reader.locale ? { locale: reader.locale } : {}),
            ...(message.card ? { attachments: [CardFactory.adaptiveCard(message.card)] } : {}),
          });
        } catch (e) {
          failure = e;
        }
      });
    } catch (e) {
      failure = e; // before the turn began: the connector client could not be made
    }
    if (failure === undefined) {
      this.logger.debug({ tenantId, key }, 'proactive notice sent');
      return 'delivered';
    }
    await this.reportFailure(tenantId, record, failure);
    return 'failed';
  }

  /** One warning per notice; a conversation the connector calls gone is forgotten (see forgetGone). */
  private async reportFailure(tenantId: string, record: ConversationRecord, error: unknown): Promise<void> {
    const failure = readConnectorFailure(error);
    const conversationId = (record.reference as Partial<ConversationReference>).conversation?.id;
    this.logger.warn(
      {
        event: 'bot.noticeFailed',
        tenantId,
        key: record.key,
        conversationId,
        status: failure.status,
        code: failure.code,
        detail: failure.message,
        correlationId: failure.correlationId,
        requestId: failure.requestId,
        gone: failure.gone,
      },
      `proactive notice not delivered (${failure.status} ${failure.code})`,
    );
    if (failure.gone) await this.forgetGone(tenantId, record);
  }

  /**
   * A conversation that answered 403/404 (bot removed, blocked or uninstalled; conversation deleted) would refuse
   * every later notice too, and the sweeps ask again every hour for each notice not delivered. So it is treated as
   * a chat we never had, as when no admin channel was ever named: the reference is deleted, a notice for it then
   * resolves 'noConversation' without a call to the connector, and goes out once the user writes to the bot again
   * or an admin names a channel (each stores a new reference). Only the reference that failed is deleted, not a
   * newer one stored meanwhile.
   */
  private async forgetGone(tenantId: string, record: ConversationRecord): Promise<void> {
    try {
      if (await this.store.forgetConversation(tenantId, record.key, record.updatedAt))
        this.logger.info(
          { event: 'bot.conversationForgotten', tenantId, key: record.key },
          'conversation forgotten',
        );
    } catch (e) {
      this.logger.warn({ err: e, event: 'bot.forgetFailed', tenantId, key: record.key }, 'forgetting failed');
    }
  }
}
