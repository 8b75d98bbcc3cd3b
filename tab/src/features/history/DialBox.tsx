import { Field, Input, makeStyles } from '@fluentui/react-components';
import { memo, useState } from 'react';
import { useEnv } from '../../app/env';
import { useDialing } from '../../callto/useDialing';
import { useT } from '../../i18n';
import { CallLink } from '../call/CallLink';
import { historyText } from './texts';

const useStyles = makeStyles({
  box: { display: 'flex', alignItems: 'flex-end', gap: '8px' },
  field: { flexGrow: 1, maxWidth: '360px' },
});

/**
 * Type a number, get a call link for this device's client type, read by the company's dialling rules: a national
 * number in the company's country, an extension as typed, a feature code (`*72`, `#31#`) with its `*` and `#`.
 * Memoized, so scrolling the call list (which re-renders the page) does not re-render it.
 */
export const DialBox = memo(function DialBox(props: { onNotHandled(href: string): void }) {
  const t = useT();
  const env = useEnv();
  const dialing = useDialing();
  const s = useStyles();
  const [value, setValue] = useState('');
  const href = value.trim() ? dialing.callUri(value) : null;
  const invalid = value.trim() !== '' && !href;
  const message = dialing.needsCountry(value)
    ? historyText(env.language, 'dialNeedsCountry')
    : t('dialInvalid');
  return (
    <div className={s.box}>
      <Field
        className={s.field}
        label={t('dialLabel')}
        validationState={invalid ? 'error' : 'none'}
        validationMessage={invalid ? message : undefined}
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
});
