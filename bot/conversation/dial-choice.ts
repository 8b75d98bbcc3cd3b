import { TEL_TEMPLATE } from '../../shared/api/click-to-call';
import type { ClientType } from '../../shared/api/contract';
import type { UserSettings } from '../../shared/ports/store';
import type { Messages } from './messages';

/**
 * The settings card's three click-to-call choices and the client types each applies to. Pure.
 *
 * - `tel`: computers, the web and Android. Not iPhone: there tel: opens the native dialer and bypasses the PBX, so
 *   iPhone keeps the company default (the Mitel app's custom scheme).
 * - `custom`: a phone app's own scheme (micollab://…) works where that app is installed and the client lets custom
 *   schemes through: iPhone and Android. New Teams desktop blocks schemes off its allow list, and the web has no
 *   app to open, so those keep the company default.
 * - `default`: no override anywhere.
 */
export type DialChoice = 'default' | 'tel' | 'custom';

export const CLIENTS_OF: Record<Exclude<DialChoice, 'default'>, ClientType[]> = {
  tel: ['desktop', 'web', 'android'],
  custom: ['ios', 'android'],
};

const ORDER: ClientType[] = ['desktop', 'web', 'ios', 'android'];

export interface DialSetting {
  choice: DialChoice;
  /** The custom link (only meaningful with `custom`, kept so a card can show what the user typed). */
  template: string;
}

/** What the card shows for the stored overrides. */
export function dialSettingOf(settings: UserSettings): DialSetting {
  const methods = ORDER.map((c) => settings.clickToCall?.[c]).filter((m): m is string => Boolean(m));
  const custom = methods.find((m) => m !== TEL_TEMPLATE);
  if (custom) return { choice: 'custom', template: custom };
  if (methods.length) return { choice: 'tel', template: '' };
  return { choice: 'default', template: '' };
}

/** The per-client overrides a choice stores; client types it does not apply to get none (company default). */
export function overridesOf(setting: DialSetting): UserSettings['clickToCall'] {
  if (setting.choice === 'default') return undefined;
  const method = setting.choice === 'tel' ? TEL_TEMPLATE : setting.template;
  return Object.fromEntries(CLIENTS_OF[setting.choice].map((c) => [c, method]));
}

/** In words, what a saved choice means, e.g. "the phone app (tel:) on computers, the web and Android; …". */
export function describeDialSetting(setting: DialSetting, m: Messages): string {
  if (setting.choice === 'default') return m.companyDefault;
  const clients = CLIENTS_OF[setting.choice].map((c) => m.clients[c]);
  const list =
    clients.length > 1
      ? `${clients.slice(0, -1).join(m.listJoin)}${m.andJoin}${clients[clients.length - 1]}`
      : clients.join('');
  const method = setting.choice === 'tel' ? m.telLink : setting.template;
  return `${m.dialsOn(method, list)}; ${m.elsewhereDefault}`;
}
