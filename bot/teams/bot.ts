import {
  ActivityTypes,
  CardFactory,
  TeamsActivityHandler,
  TurnContext,
  type InvokeResponse,
} from 'botbuilder';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { Conversation } from '../conversation/conversation';
import { messagesFor } from '../conversation/messages';
import type { IncomingMessage, MembershipChange, Outgoing } from '../conversation/types';
import type { ReportService } from '../services/reports';
import type { SignIns } from '../services/sign-in';
import type { SyncFacade } from '../services/sync-facade';
import { audienceOf, botUserOf, clientOf, placeOf, type BotUser } from './identity';
import type { BotSso } from './sso';

export interface SwitchboardBotDeps {
  store: Store;
  sync: SyncFacade;
  reports: ReportService;
  signIns: SignIns;
  sso: BotSso;
  logger: Logger;
  now: () => number;
  /** Admin group membership (ADMIN_GROUP_ID); the admin app role is known from the user's SSO token. */
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  /** False only for the Agents Playground, which cannot do SSO. */
  requireSignIn: boolean;
  /** The playground's mock user is no one in the directory: act as this user instead (local demo only). */
  identityOverride?: BotUser;
  /**
   * Hosted mode: whether the activity's tenant is served. An activity of any other tenant gets a polite answer with
   * the sign-up address and nothing else: no sign-in, no command, nothing stored.
   */
  notServed?: {
    isTenantServed: (tenantId: string) => boolean;
    onboardUrl: string;
    /** False while this server cannot trust its tenant list (registry unreadable): an outage, not a stranger. */
    available?: () => boolean;
  };
}

/**
 * The transport only: turns Bot Framework activities into the conversation's plain messages (bot/conversation) and
 * its answers back into activities; answers the SSO invokes. No command or form logic lives here.
 */
export class SwitchboardBot extends TeamsActivityHandler {
  private readonly conversation: Conversation;

  constructor(private readonly deps: SwitchboardBotDeps) {
    super();
    this.conversation = new Conversation(deps);
    this.onMessage(async (context, next) => {
      await this.render(context, await this.conversation.message(this.incoming(context)));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botAdded = (context.activity.membersAdded ?? []).some(
        (m) => m.id === context.activity.recipient.id,
      );
      if (botAdded) await this.membership(context, 'added');
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      const botRemoved = (context.activity.membersRemoved ?? []).some(
        (m) => m.id === context.activity.recipient.id,
      );
      if (botRemoved) await this.membership(context, 'removed');
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.membership(context, 'added');
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.membership(context, 'removed');
      await next();
    });
  }

  /** Every activity passes here first; in hosted mode the tenant comes from the authenticated activity. */
  override async run(context: TurnContext): Promise<void> {
    const gate = this.deps.notServed;
    if (gate) {
      const activity = context.activity;
      const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
      const tenantId = (channelData?.tenant?.id ?? activity.conversation?.tenantId ?? '').toLowerCase();
      if (gate.available && !gate.available()) return this.refuse(context, gate.onboardUrl, 'unavailable');
      if (!tenantId || !gate.isTenantServed(tenantId)) return this.refuse(context, gate.onboardUrl);
    }
    await super.run(context);
  }

  private async refuse(
    context: TurnContext,
    onboardUrl: string,
    why: 'notOnboarded' | 'unavailable' = 'notOnboarded',
  ): Promise<void> {
    const activity = context.activity;
    const speaks =
      activity.type === ActivityTypes.Message ||
      activity.type === ActivityTypes.Invoke ||
      (activity.type === ActivityTypes.InstallationUpdate && activity.action === 'add') ||
      (activity.type === ActivityTypes.ConversationUpdate &&
        (activity.membersAdded ?? []).some((m) => m.id === activity.recipient?.id));
    const messages = messagesFor(activity.locale);
    if (speaks)
      await context.sendActivity(
        why === 'unavailable' ? messages.unavailable : messages.notOnboarded(onboardUrl),
      );
    // An invoke must be answered: 200 with nothing done, so Teams shows no error over the message above.
    if (activity.type === ActivityTypes.Invoke)
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const user = botUserOf(context.activity, this.deps.identityOverride);
    if (context.activity.name === 'signin/tokenExchange') return this.deps.sso.exchange(context, user);
    if (context.activity.name === 'signin/verifyState') return this.deps.sso.verifyState(context);
    return super.onInvokeActivity(context);
  }

  private incoming(context: TurnContext): IncomingMessage {
    const activity = context.activity;
    const value = activity.value as Record<string, unknown> | undefined;
    return {
      sender: botUserOf(activity, this.deps.identityOverride),
      place: placeOf(activity),
      audience: audienceOf(activity),
      // In channels the text starts with the bot's @mention.
      text: TurnContext.removeRecipientMention(activity) ?? activity.text ?? '',
      ...(value && typeof value === 'object' ? { submit: value } : {}),
      ...(activity.id ? { activityId: activity.id } : {}),
      ...(activity.replyToId ? { replyToId: activity.replyToId } : {}),
      client: clientOf(activity),
    };
  }

  private async membership(context: TurnContext, change: MembershipChange['change']): Promise<void> {
    const activity = context.activity;
    const answer = await this.conversation.membership({
      sender: botUserOf(activity, this.deps.identityOverride),
      place: placeOf(activity),
      audience: audienceOf(activity),
      change,
    });
    await this.render(context, answer);
  }

  private async render(context: TurnContext, answer: Outgoing[]): Promise<void> {
    const locale = audienceOf(context.activity).locale;
    for (const out of answer) {
      switch (out.kind) {
        case 'text':
          await context.sendActivity(out.text);
          break;
        case 'card':
          await context.sendActivity({ attachments: [CardFactory.adaptiveCard(out.card)] });
          break;
        case 'signIn':
          await context.sendActivity({ attachments: [this.deps.sso.signInCard(locale)] });
          break;
        case 'updateCard':
          await context.updateActivity({
            id: out.messageId,
            type: 'message',
            attachments: [CardFactory.adaptiveCard(out.card)],
          });
          break;
      }
    }
  }
}
