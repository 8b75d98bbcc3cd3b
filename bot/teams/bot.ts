import { CardFactory, TeamsActivityHandler, TurnContext, type InvokeResponse } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { BOT_COMMANDS } from '../../shared/teams/bot-commands';
import { ADMIN_ROLE } from '../auth/caller';
import type { Card } from '../cards/adaptive';
import { reportFormCard } from '../cards/report-cards';
import { settingsCard } from '../cards/settings-card';
import { conversationKey } from '../services/notifier';
import type { ReportService } from '../services/reports';
import { clickToCallMethod, CLIENT_TYPES } from '../services/settings';
import type { SignIns } from '../services/sign-in';
import { describeStatus } from '../services/status-text';
import type { SyncFacade } from '../services/sync-facade';
import { botUserOf, clientOf, type BotUser } from './identity';
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
}

const SIGN_OUT = /^(sign ?out|log ?out)$/;
const ADMIN_CHANNEL = /^admin notices here$/;

const reportForm = z.object({
  verb: z.literal('submitReport'),
  category: z.enum(['presence', 'callHistory', 'clickToCall', 'signIn', 'other']),
  description: z.string().trim().min(1).max(4000),
  includeDiagnostics: z.enum(['true', 'false']).default('true'),
});
const settingsForm = z.object({
  verb: z.literal('saveSettings'),
  missedCallNotice: z.enum(['true', 'false']),
  clickToCall: z.enum(['default', 'tel', 'custom']),
  customTemplate: z.string().optional(),
});
const reportStatusForm = z.object({
  verb: z.literal('reportStatus'),
  reportId: z.string().min(1),
  status: z.enum(['acknowledged', 'needsInfo', 'resolved']),
  note: z.string().max(2000).optional(),
});

/** The bot's turn logic: commands, card submissions, SSO invokes and remembering where to send notices. */
export class SwitchboardBot extends TeamsActivityHandler {
  constructor(private readonly deps: SwitchboardBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.remember(context);
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      await this.remember(context);
      const botAdded = (context.activity.membersAdded ?? []).some(
        (m) => m.id === context.activity.recipient.id,
      );
      if (botAdded && context.activity.conversation.conversationType === 'personal') {
        await context.sendActivity(`Hi! I keep your Teams and phone presence in step. ${helpText()}`);
      } else if (botAdded) {
        await this.claimAdminChannel(context);
      }
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const user = this.user(context);
    if (context.activity.name === 'signin/tokenExchange') return this.deps.sso.exchange(context, user);
    if (context.activity.name === 'signin/verifyState') return this.deps.sso.verifyState(context);
    return super.onInvokeActivity(context);
  }

  private user(context: TurnContext): BotUser | undefined {
    return botUserOf(context.activity, this.deps.identityOverride);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const user = this.user(context);
    if (!user) {
      await context.sendActivity(
        'I can only help people signed in to Microsoft Teams in a company that uses Switchboard.',
      );
      return;
    }
    const value = context.activity.value as Record<string, unknown> | undefined;
    if (value && typeof value.verb === 'string') return this.handleSubmit(context, user, value);

    // In channels the text starts with the bot's @mention; strip it even when the mention entity is missing.
    const text = (TurnContext.removeRecipientMention(context.activity) ?? '')
      .replace(/<at>.*?<\/at>/gi, '')
      .trim()
      .toLowerCase()
      .replace(/\s+/g, ' ');
    const command = text.split(' ')[0] ?? '';
    if (SIGN_OUT.test(text)) {
      await this.deps.signIns.signOut(user.tenantId, user.userId);
      await context.sendActivity('You are signed out. Send any command to sign in again.');
      return;
    }
    if (ADMIN_CHANNEL.test(text)) return this.claimAdminChannel(context);
    if (command === 'help' || !BOT_COMMANDS.some((c) => c.title === command)) {
      await context.sendActivity(
        command === 'help' || text === ''
          ? helpText()
          : `I did not understand "${text.slice(0, 60)}". ${helpText()}`,
      );
      return;
    }
    if (!(await this.signedIn(context, user))) return;
    switch (command) {
      case 'status':
        await context.sendActivity(
          describeStatus(await this.deps.sync.status(user.tenantId, user.userId), this.deps.now()),
        );
        return;
      case 'sync':
        await this.deps.sync.resyncUser(user.tenantId, user.userId);
        await context.sendActivity(
          `Resynced.\n\n${describeStatus(await this.deps.sync.status(user.tenantId, user.userId), this.deps.now())}`,
        );
        return;
      case 'report':
        await context.sendActivity({ attachments: [card(reportFormCard())] });
        return;
      case 'settings':
        await context.sendActivity({
          attachments: [
            card(settingsCard(await this.deps.store.getUserSettings(user.tenantId, user.userId))),
          ],
        });
        return;
    }
  }

  private async handleSubmit(
    context: TurnContext,
    user: BotUser,
    value: Record<string, unknown>,
  ): Promise<void> {
    if (!(await this.signedIn(context, user))) return;
    switch (value.verb) {
      case 'submitReport': {
        const form = reportForm.safeParse(value);
        if (!form.success) {
          await context.sendActivity(
            'Please choose a category and describe the problem, then send the form again.',
          );
          return;
        }
        const report = await this.deps.reports.create(
          user,
          {
            category: form.data.category,
            description: form.data.description,
            includeDiagnostics: form.data.includeDiagnostics === 'true',
          },
          {
            source: 'bot',
            client: clientOf(context.activity),
            correlationIds: [context.activity.id ?? '', context.activity.conversation.id].filter(Boolean),
          },
        );
        await context.sendActivity(
          `Thanks, your report is filed (id ${report.reportId}). I will tell you here when an admin picks it up.`,
        );
        return;
      }
      case 'saveSettings': {
        const form = settingsForm.safeParse(value);
        const template = form.success ? (form.data.customTemplate ?? '').trim() : '';
        if (
          !form.success ||
          (form.data.clickToCall === 'custom' && !clickToCallMethod.safeParse(template).success)
        ) {
          await context.sendActivity(
            'That custom link is not valid: it needs a scheme like micollab: and {number}, e.g. micollab://dial?number={number}.',
          );
          return;
        }
        const method =
          form.data.clickToCall === 'default'
            ? undefined
            : form.data.clickToCall === 'tel'
              ? 'tel'
              : template;
        await this.deps.store.putUserSettings(user.tenantId, user.userId, {
          missedCallNotice: form.data.missedCallNotice === 'true',
          ...(method ? { clickToCall: Object.fromEntries(CLIENT_TYPES.map((c) => [c, method])) } : {}),
        });
        await context.sendActivity(
          `Saved. Missed-call notices are ${form.data.missedCallNotice === 'true' ? 'on' : 'off'}; click-to-call uses ${method ?? "your company's default"}.`,
        );
        return;
      }
      case 'reportStatus': {
        const form = reportStatusForm.safeParse(value);
        if (!form.success) return void (await context.sendActivity('That action is incomplete.'));
        if (!(await this.isAdmin(user))) {
          await context.sendActivity('Only Switchboard admins can change a report.');
          return;
        }
        const updated = await this.deps.reports.update(
          user.tenantId,
          form.data.reportId,
          { status: form.data.status, note: form.data.note },
          user.displayName,
        );
        await context.sendActivity(
          updated
            ? `Report ${updated.reportId} is now ${updated.status}; the reporter has been told.`
            : 'I cannot find that report.',
        );
        return;
      }
      default:
        await context.sendActivity(helpText());
    }
  }

  /** True when the user may use their data; otherwise sends the SSO card (Teams answers with a token exchange). */
  private async signedIn(context: TurnContext, user: BotUser): Promise<boolean> {
    if (!this.deps.requireSignIn) return true;
    const record = await this.deps.signIns.get(user.tenantId, user.userId);
    if (record?.signedIn) return true;
    await context.sendActivity({ attachments: [this.deps.sso.signInCard()] });
    return false;
  }

  private async isAdmin(user: BotUser): Promise<boolean> {
    const record = await this.deps.signIns.get(user.tenantId, user.userId);
    if (record?.signedIn && record.roles.includes(ADMIN_ROLE)) return true;
    return (await this.deps.isInAdminGroup?.(user.tenantId, user.userId)) ?? false;
  }

  /** Personal chats are remembered per user, for notices to that user. */
  private async remember(context: TurnContext): Promise<void> {
    const user = this.user(context);
    if (!user || context.activity.conversation.conversationType !== 'personal') return;
    const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<
      string,
      unknown
    >;
    await this.deps.store.putConversation({
      tenantId: user.tenantId,
      key: conversationKey.user(user.userId),
      reference,
      updatedAt: this.deps.now(),
    });
  }

  /** A channel or group chat becomes the admins' notice channel only when an admin puts the bot there. */
  private async claimAdminChannel(context: TurnContext): Promise<void> {
    const user = this.user(context);
    if (!user || context.activity.conversation.conversationType === 'personal') {
      await context.sendActivity(
        'Admin notices go to a channel or group chat: add me there, or send "admin notices here" in one.',
      );
      return;
    }
    if (!(await this.isAdmin(user))) {
      await context.sendActivity(
        'Only a Switchboard admin can make this the admin notice channel. An admin can send "admin notices here".',
      );
      return;
    }
    const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<
      string,
      unknown
    >;
    await this.deps.store.putConversation({
      tenantId: user.tenantId,
      key: conversationKey.admins,
      reference,
      updatedAt: this.deps.now(),
    });
    await context.sendActivity('Problem reports and credential warnings will be posted here.');
  }
}

export function helpText(): string {
  return `You can send me:\n\n${BOT_COMMANDS.map((c) => `- **${c.title}**: ${c.description}`).join('\n')}\n- **sign out**: forget your sign-in`;
}

function card(content: Card) {
  return CardFactory.adaptiveCard(content);
}
