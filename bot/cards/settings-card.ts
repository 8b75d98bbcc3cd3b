import type { UserSettings } from '../../shared/ports/store';
import { adaptiveCard, submit, text, type Card } from './adaptive';

/** The `settings` form: missed-call notices and how click-to-call dials on every client of this user. */
export function settingsCard(settings: UserSettings): Card {
  const current = Object.values(settings.clickToCall ?? {}).find(Boolean);
  return adaptiveCard(
    [
      text('Your settings', { weight: 'Bolder', size: 'Medium' }),
      {
        type: 'Input.Toggle',
        id: 'missedCallNotice',
        title: 'Tell me in this chat when I miss a phone call',
        value: String(settings.missedCallNotice),
        valueOn: 'true',
        valueOff: 'false',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'clickToCall',
        label: 'Click-to-call dials with',
        value: current === undefined ? 'default' : current === 'tel' ? 'tel' : 'custom',
        choices: [
          { title: "My company's default", value: 'default' },
          { title: 'The phone app (tel: link)', value: 'tel' },
          { title: 'A custom link (below)', value: 'custom' },
        ],
      },
      {
        type: 'Input.Text',
        id: 'customTemplate',
        label: 'Custom link, with {number} where the number goes',
        placeholder: 'micollab://dial?number={number}',
        value: current && current !== 'tel' ? current : '',
      },
    ],
    [submit('Save', { verb: 'saveSettings' })],
  );
}
