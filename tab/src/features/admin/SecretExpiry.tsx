import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useEnv } from '../../app/env';
import { useAdminT } from './common';

/** Secrets expire (two years at most) and sync then stops silently: warn a month ahead, loudly once expired. */
export const SECRET_WARNING_DAYS = 30;

export function SecretExpiry(props: { expiresAt: string | null; now?: Date }) {
  const at = useAdminT();
  const env = useEnv();
  if (!props.expiresAt) return null;
  const expires = new Date(props.expiresAt);
  const days = Math.floor((expires.getTime() - (props.now ?? new Date()).getTime()) / 86_400_000);
  if (days > SECRET_WARNING_DAYS) return null;
  const date = new Intl.DateTimeFormat(env.locale, { dateStyle: 'long', timeZone: env.timeZone }).format(
    expires,
  );
  return (
    <MessageBar intent={days < 0 ? 'error' : 'warning'} role="alert" layout="multiline">
      <MessageBarBody>
        {days < 0 ? at('secretExpired', { date }) : at('secretExpiresSoon', { date, days })}
      </MessageBarBody>
    </MessageBar>
  );
}
