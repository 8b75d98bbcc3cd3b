import type { DialSetting } from '../dial-choice';
import type { Messages } from '../messages';
import { adaptiveCard, submit, text, type Card } from './adaptive';

export interface SettingsEntries extends DialSetting {
  missedCallNotice: boolean;
}

/**
 * The `settings` form: missed-call notices and how click-to-call dials. Shown with the stored settings, or, after a
 * refused submit, with exactly what the user entered and what was wrong, so nothing they chose is lost.
 */
export function settingsCard(m: Messages, entries: SettingsEntries, problem?: string): Card {
  return adaptiveCard(
    [
      text(m.settingsTitle, { weight: 'Bolder', size: 'Medium' }),
      ...(problem ? [text(problem, { color: 'Attention' })] : []),
      {
        type: 'Input.Toggle',
        id: 'missedCallNotice',
        title: m.settingsMissedCalls,
        value: String(entries.missedCallNotice),
        valueOn: 'true',
        valueOff: 'false',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'clickToCall',
        label: m.settingsDialsWith,
        value: entries.choice,
        choices: [
          { title: m.settingsDefault, value: 'default' },
          { title: m.settingsTel, value: 'tel' },
          { title: m.settingsCustom, value: 'custom' },
        ],
      },
      {
        type: 'Input.Text',
        id: 'customTemplate',
        label: m.settingsCustomLabel,
        placeholder: 'micollab://dial?number={number}',
        value: entries.template,
        ...(problem ? { errorMessage: problem } : {}),
      },
    ],
    [submit(m.settingsSave, { verb: 'saveSettings' })],
  );
}
