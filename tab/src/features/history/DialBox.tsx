import { Field, Input, makeStyles } from '@fluentui/react-components';
import { useState } from 'react';
import { useEnv } from '../../app/env';
import { buildCallUri } from '../../callto/uri';
import { useT } from '../../i18n';
import { CallLink } from '../call/CallLink';

const useStyles = makeStyles({
  box: { display: 'flex', alignItems: 'flex-end', gap: '8px' },
  field: { flexGrow: 1, maxWidth: '360px' },
});

/** Type a number, get a call link for this device's client type. */
export function DialBox(props: { onNotHandled(href: string): void }) {
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const [value, setValue] = useState('');
  const href = value.trim()
    ? buildCallUri(env.me.clickToCall.byClient[env.clientType], value, env.region)
    : null;
  const invalid = value.trim() !== '' && !href;
  return (
    <div className={s.box}>
      <Field
        className={s.field}
        label={t('dialLabel')}
        validationState={invalid ? 'error' : 'none'}
        validationMessage={invalid ? t('dialInvalid') : undefined}
      >
        <Input
          type="tel"
          value={value}
          placeholder={t('dialPlaceholder')}
          onChange={(_e, d) => setValue(d.value)}
        />
      </Field>
      {href ? (
        <CallLink
          href={href}
          label={`${t('dialButton')} ${value.trim()}`}
          appearance="primary"
          onNotHandled={() => props.onNotHandled(href)}
        >
          {t('dialButton')}
        </CallLink>
      ) : null}
    </div>
  );
}
