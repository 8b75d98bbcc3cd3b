import { isValidCallTemplate } from '../../shared/api/click-to-call';
import { settingsCard, type SettingsEntries } from './cards/settings-card';
import { describeDialSetting, dialSettingOf, overridesOf } from './dial-choice';
import { settingsForm } from './forms';
import { say, type Turn } from './turn';
import type { Outgoing } from './types';

/** The `settings` command: the card with what is stored. */
export async function showSettings({ deps, sender, m }: Turn): Promise<Outgoing[]> {
  const settings = await deps.store.getUserSettings(sender.tenantId, sender.userId);
  const entries: SettingsEntries = {
    missedCallNotice: settings.missedCallNotice,
    ...dialSettingOf(settings),
  };
  return [{ kind: 'card', card: settingsCard(m, entries) }];
}

/** The settings card came back: save it and say what was saved, or show it again with the user's entries. */
export async function saveSettings({ deps, msg, sender, m }: Turn): Promise<Outgoing[]> {
  const form = settingsForm.safeParse(msg.submit);
  const entries: SettingsEntries = {
    missedCallNotice: form.success ? form.data.missedCallNotice === 'true' : false,
    choice: form.success ? form.data.clickToCall : 'default',
    template: form.success ? (form.data.customTemplate ?? '').trim() : '',
  };
  if (!form.success || (entries.choice === 'custom' && !isValidCallTemplate(entries.template))) {
    // The card shows what the user entered and what is wrong, so correcting the link is all that is left to do: in
    // place of the card they sent when Teams says which one it was, as a new card otherwise.
    const card = settingsCard(m, entries, m.settingsCustomInvalid);
    return [msg.replyToId ? { kind: 'updateCard', messageId: msg.replyToId, card } : { kind: 'card', card }];
  }
  const overrides = overridesOf(entries);
  await deps.store.putUserSettings(sender.tenantId, sender.userId, {
    missedCallNotice: entries.missedCallNotice,
    ...(overrides ? { clickToCall: overrides } : {}),
  });
  deps.logger.info(
    {
      event: 'settings.userChanged',
      tenantId: sender.tenantId,
      userId: sender.userId,
      missedCallNotice: entries.missedCallNotice,
      clickToCall: entries.choice,
      source: 'bot',
    },
    'user settings saved from the bot',
  );
  return [say(m.settingsSaved(entries.missedCallNotice, describeDialSetting(entries, m)))];
}
