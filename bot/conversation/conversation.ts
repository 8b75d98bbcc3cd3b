import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { ADMIN_ROLE } from '../auth/caller';
import { isValidCallTemplate } from '../../shared/api/click-to-call';
import { conversationKey } from '../services/notifier';
import type { ReportService } from '../services/reports';
import type { SignIns } from '../services/sign-in';
import type { SyncFacade } from '../services/sync-facade';
import { adminReportCard, answeredCard, reportFormCard } from './cards/report-cards';
import { settingsCard, type SettingsEntries } from './cards/settings-card';
import { helpText, parseText } from './commands';
import { describeDialSetting, dialSettingOf, overridesOf } from './dial-choice';
import { replyForm, reportForm, reportStatusForm, settingsForm } from './forms';
import { messagesFor, type Messages } from './messages';
import { describeStatus } from './status-text';
import type { IncomingMessage, MembershipChange, Outgoing, Place, Sender } from './types';

export interface ConversationDeps {
  store: Store;
  sync: SyncFacade;
  reports: ReportService;
  signIns: SignIns;
  logger: Logger;
  now: () => number;
  /** Admin group membership (ADMIN_GROUP_ID); the admin app role is known from the user's SSO token. */
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  /** False only for the Agents Playground, which cannot do SSO. */
  requireSignIn: boolean;
}

const say = (text: string): Outgoing => ({ kind: 'text', text });

/**
 * The bot's side of the chat, in plain data: commands, the card forms, answers to admins' questions, the admin
 * notice channel, in the reader's language. It imports nothing of botbuilder (an ESLint rule and
 * tests/unit/conversation-*.test.ts hold it to that); bot/teams translates activities to and from it.
 */
export class Conversation {
  constructor(private readonly deps: ConversationDeps) {}

  async message(msg: IncomingMessage): Promise<Outgoing[]> {
    const m = messagesFor(msg.audience.locale);
    const sender = msg.sender;
    if (!sender) return [say(m.notATeamsUser)];
    await this.remember(sender, msg.place);
    if (msg.submit && typeof msg.submit.verb === 'string') return this.submit(msg, sender, m);

    const parsed = parseText(msg.text);
    switch (parsed.kind) {
      case 'signOut':
        await this.deps.signIns.signOut(sender.tenantId, sender.userId);
        return [say(m.signedOut)];
      case 'adminNoticesHere':
        return this.claimAdminChannel(sender, msg.place, m);
      case 'empty':
        return [say(helpText(m))];
      case 'other':
        return this.freeText(msg, sender, parsed.text, m);
      case 'command':
        break;
    }
    if (parsed.command === 'help') return [say(helpText(m))];
    const gate = await this.signInGate(sender, msg.place, m);
    if (gate) return gate;
    switch (parsed.command) {
      case 'status':
        return [
          say(
            describeStatus(await this.deps.sync.status(sender.tenantId, sender.userId), this.deps.now(), m),
          ),
        ];
      case 'sync': {
        await this.deps.sync.resyncUser(sender.tenantId, sender.userId);
        const status = await this.deps.sync.status(sender.tenantId, sender.userId);
        return [say(`${m.resynced}\n\n${describeStatus(status, this.deps.now(), m)}`)];
      }
      case 'report':
        return [{ kind: 'card', card: reportFormCard(m, parsed.rest.slice(0, 4000)) }];
      case 'settings': {
        const settings = await this.deps.store.getUserSettings(sender.tenantId, sender.userId);
        const entries: SettingsEntries = {
          missedCallNotice: settings.missedCallNotice,
          ...dialSettingOf(settings),
        };
        return [{ kind: 'card', card: settingsCard(m, entries) }];
      }
    }
  }

  /** The bot was added to or removed from a conversation (Teams sends both installationUpdate and conversationUpdate). */
  async membership(change: MembershipChange): Promise<Outgoing[]> {
    const m = messagesFor(change.audience.locale);
    const sender = change.sender;
    if (!sender) return [];
    // Each add arrives twice (installation and membership); whichever comes first greets, until the bot is removed.
    const key = `bot-added:${change.place.id}`;
    if (change.change === 'removed') {
      await this.deps.store.clearNotice(sender.tenantId, key);
      this.deps.logger.info(
        { tenantId: sender.tenantId, kind: change.place.kind },
        'bot removed from a conversation',
      );
      return [];
    }
    if (change.place.kind === 'personal') {
      await this.remember(sender, change.place);
      if (!(await this.deps.store.markNoticeSent(sender.tenantId, key, this.deps.now()))) return [];
      return [say(`${m.welcome} ${helpText(m)}`)];
    }
    if (!(await this.isAdmin(sender))) return [say(m.adminChannelOnlyAdmins)];
    if (!(await this.deps.store.markNoticeSent(sender.tenantId, key, this.deps.now()))) return [];
    return this.claimAdminChannel(sender, change.place, m);
  }

  /** Text that is no command: the answer to an admin's open question, if there is one; otherwise help. */
  private async freeText(
    msg: IncomingMessage,
    sender: Sender,
    text: string,
    m: Messages,
  ): Promise<Outgoing[]> {
    const notUnderstood = [say(`${m.notUnderstood(text.slice(0, 60))} ${helpText(m)}`)];
    if (msg.place.kind !== 'personal') return notUnderstood;
    const open = await this.deps.reports.openQuestion(sender);
    if (!open) return notUnderstood;
    const gate = await this.signInGate(sender, msg.place, m);
    if (gate) return gate;
    const answered = await this.deps.reports.answer(sender, open, text);
    return [say(answered ? m.replyAttached(open.reportId) : m.reportNotFound)];
  }

  private async submit(msg: IncomingMessage, sender: Sender, m: Messages): Promise<Outgoing[]> {
    const value = msg.submit!;
    if (value.verb === 'reportStatus') return this.changeReport(msg, sender, m);
    const gate = await this.signInGate(sender, msg.place, m);
    if (gate) return gate;
    switch (value.verb) {
      case 'submitReport': {
        const form = reportForm.safeParse(value);
        if (!form.success) return [say(m.reportFormIncomplete)];
        const report = await this.deps.reports.create(
          sender,
          {
            category: form.data.category,
            description: form.data.description,
            includeDiagnostics: form.data.includeDiagnostics === 'true',
          },
          {
            source: 'bot',
            client: msg.client,
            correlationIds: [msg.activityId ?? '', msg.place.id].filter(Boolean),
          },
        );
        return [say(m.reportFiled(report.reportId))];
      }
      case 'saveSettings':
        return this.saveSettings(sender, value, m);
      case 'replyToReport': {
        const form = replyForm.safeParse(value);
        if (!form.success) return [say(m.replyMissing)];
        const open = await this.deps.reports.openQuestion(sender, form.data.reportId);
        if (!open) return [say(m.noOpenQuestion)];
        const answered = await this.deps.reports.answer(sender, open, form.data.answer);
        if (!answered) return [say(m.reportNotFound)];
        const question =
          [...open.history].reverse().find((h) => h.status === 'needsInfo' && h.note)?.note ?? '';
        return [
          ...(msg.replyToId
            ? [
                {
                  kind: 'updateCard' as const,
                  messageId: msg.replyToId,
                  card: answeredCard(question, form.data.answer, m),
                },
              ]
            : []),
          say(m.replyAttached(open.reportId)),
        ];
      }
      default:
        return [say(helpText(m))];
    }
  }

  private async saveSettings(
    sender: Sender,
    value: Record<string, unknown>,
    m: Messages,
  ): Promise<Outgoing[]> {
    const form = settingsForm.safeParse(value);
    const entries: SettingsEntries = {
      missedCallNotice: form.success ? form.data.missedCallNotice === 'true' : false,
      choice: form.success ? form.data.clickToCall : 'default',
      template: form.success ? (form.data.customTemplate ?? '').trim() : '',
    };
    if (!form.success || (entries.choice === 'custom' && !isValidCallTemplate(entries.template))) {
      // The card comes back with what the user entered, so correcting the link is all that is left to do.
      return [{ kind: 'card', card: settingsCard(m, entries, m.settingsCustomInvalid) }];
    }
    const overrides = overridesOf(entries);
    await this.deps.store.putUserSettings(sender.tenantId, sender.userId, {
      missedCallNotice: entries.missedCallNotice,
      ...(overrides ? { clickToCall: overrides } : {}),
    });
    return [say(m.settingsSaved(entries.missedCallNotice, describeDialSetting(entries, m)))];
  }

  /** Acknowledge / Resolve / Ask for more on an admin notice; in a channel the card itself shows the new state. */
  private async changeReport(msg: IncomingMessage, sender: Sender, m: Messages): Promise<Outgoing[]> {
    // Teams SSO works in personal chats; in a channel an admin is known from an earlier sign-in or the admin group.
    if (msg.place.kind === 'personal') {
      const gate = await this.signInGate(sender, msg.place, m);
      if (gate) return gate;
    }
    const form = reportStatusForm.safeParse(msg.submit);
    if (!form.success) return [say(m.actionIncomplete)];
    if (!(await this.isAdmin(sender))) {
      const signedIn = (await this.deps.signIns.get(sender.tenantId, sender.userId))?.signedIn ?? false;
      return [
        say(
          signedIn || !this.deps.requireSignIn
            ? m.onlyAdminsChangeReport
            : `${m.onlyAdminsChangeReport} ${m.signInInChat}`,
        ),
      ];
    }
    const updated = await this.deps.reports.update(
      sender.tenantId,
      form.data.reportId,
      { status: form.data.status, note: form.data.note },
      sender.displayName,
    );
    if (!updated) return [say(m.reportNotFound)];
    return [
      ...(msg.replyToId
        ? [{ kind: 'updateCard' as const, messageId: msg.replyToId, card: adminReportCard(updated, m) }]
        : []),
      say(m.reportChanged(updated.reportId, m.statusWords[updated.status])),
    ];
  }

  /** Nothing when the user may use their data; otherwise the sign-in request (Teams answers with a token exchange). */
  private async signInGate(sender: Sender, place: Place, m: Messages): Promise<Outgoing[] | undefined> {
    if (!this.deps.requireSignIn) return undefined;
    const record = await this.deps.signIns.get(sender.tenantId, sender.userId);
    if (record?.signedIn) return undefined;
    return place.kind === 'personal' ? [{ kind: 'signIn' }] : [say(m.signInInChat)];
  }

  private async isAdmin(sender: Sender): Promise<boolean> {
    const record = await this.deps.signIns.get(sender.tenantId, sender.userId);
    if (record?.signedIn && record.roles.includes(ADMIN_ROLE)) return true;
    return (await this.deps.isInAdminGroup?.(sender.tenantId, sender.userId)) ?? false;
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

  /** A channel or group chat becomes the admins' notice channel only when an admin puts the bot there. */
  private async claimAdminChannel(sender: Sender, place: Place, m: Messages): Promise<Outgoing[]> {
    if (place.kind === 'personal') return [say(m.adminChannelNeedsChannel)];
    if (!(await this.isAdmin(sender))) return [say(m.adminChannelOnlyAdmins)];
    await this.deps.store.putConversation({
      tenantId: sender.tenantId,
      key: conversationKey.admins,
      reference: place.reference,
      updatedAt: this.deps.now(),
    });
    this.deps.logger.info({ tenantId: sender.tenantId, kind: place.kind }, 'admin notice conversation set');
    return [say(m.adminChannelClaimed)];
  }
}
