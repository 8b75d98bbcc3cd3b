import { Button, Field, Input, makeStyles, Spinner, Switch, Text } from '@fluentui/react-components';
import { useState } from 'react';
import type { ClientType } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { isValidTemplate } from '../../callto/uri';
import { useT, type MessageKey } from '../../i18n';

export const CLIENTS: { value: ClientType; label: MessageKey }[] = [
  { value: 'desktop', label: 'clientDesktop' },
  { value: 'web', label: 'clientWeb' },
  { value: 'ios', label: 'clientIos' },
  { value: 'android', label: 'clientAndroid' },
];

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '640px' },
});

/** The user's own choices: missed-call notices and, per client type, how a call is launched (empty = company default). */
export function SettingsPage() {
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const [notice, setNotice] = useState(env.me.settings.missedCallNotice);
  const [overrides, setOverrides] = useState<Partial<Record<ClientType, string>>>(
    env.me.settings.clickToCall ?? {},
  );
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<unknown>(null);
  const invalid = (c: ClientType) => {
    const v = overrides[c]?.trim();
    return Boolean(v) && !isValidTemplate(v as string);
  };
  const anyInvalid = CLIENTS.some((c) => invalid(c.value));

  const save = async () => {
    setState('saving');
    setError(null);
    const clickToCall: Partial<Record<ClientType, string>> = {};
    for (const c of CLIENTS) {
      const v = overrides[c.value]?.trim();
      if (v) clickToCall[c.value] = v;
    }
    try {
      await env.api.saveSettings({
        missedCallNotice: notice,
        ...(Object.keys(clickToCall).length ? { clickToCall } : {}),
      });
      await env.reloadMe();
      setState('saved');
    } catch (e) {
      setError(e);
      setState('idle');
    }
  };

  return (
    <section className={s.page} aria-label={t('settingsTitle')}>
      <h2>{t('settingsTitle')}</h2>
      <Switch
        checked={notice}
        onChange={(_e, d) => setNotice(d.checked)}
        label={t('settingsMissedCallNotice')}
      />
      <h3>{t('settingsClickToCall')}</h3>
      <Text>{t('settingsClickToCallHint')}</Text>
      <Text weight="semibold">
        {t('settingsCurrentClient', {
          client: t(CLIENTS.find((c) => c.value === env.clientType)?.label ?? 'clientWeb'),
          template: env.me.clickToCall.byClient[env.clientType],
        })}
      </Text>
      {CLIENTS.map((c) => (
        <Field
          key={c.value}
          label={t(c.label)}
          validationState={invalid(c.value) ? 'error' : 'none'}
          validationMessage={invalid(c.value) ? t('settingsInvalidTemplate') : undefined}
        >
          <Input
            value={overrides[c.value] ?? ''}
            placeholder={env.me.clickToCall.byClient[c.value]}
            onChange={(_e, d) => setOverrides((o) => ({ ...o, [c.value]: d.value }))}
          />
        </Field>
      ))}
      <ProblemBar error={error} />
      <div>
        <Button
          appearance="primary"
          disabled={anyInvalid || state === 'saving'}
          icon={state === 'saving' ? <Spinner size="extra-tiny" /> : undefined}
          onClick={() => void save()}
        >
          {t('settingsSave')}
        </Button>{' '}
        <Text role="status">
          {state === 'saving' ? t('saving') : state === 'saved' ? t('settingsSaved') : ''}
        </Text>
      </div>
    </section>
  );
}
