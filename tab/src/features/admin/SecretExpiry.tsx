import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { calendarDaysUntil } from '../../../../shared/domain/expiry';
import { useEnv } from '../../app/env';
import { useAdminT } from './common';

/** Secrets expire (two years at most) and sync then stops silently: warn a month ahead, loudly once expired. */
export const SECRET_WARNING_DAYS = 30;

export function SecretExpiry(props: { expiresAt: string | null; now?: Date }) {
  const at = useAdminT();
  const env = useEnv();
  if (!props.expiresAt) return null;
  const expires = new Date(props.expiresAt);
  const now = (props.now ?? new Date()).getTime();
  const expired = expires.getTime() <= now;
  const days = calendarDaysUntil(expires.getTime(), now);
  if (days > SECRET_WARNING_DAYS) return null;
  const date = new Intl.DateTimeFormat(env.locale, { dateStyle: 'long', timeZone: env.timeZone }).format(
    expires,
  );
  return (
    <MessageBar intent={expired ? 'error' : 'warning'} role="alert" layout="multiline">
      <MessageBarBody>
        {expired
          ? at('secretExpired', { date })
          : days === 0
            ? at('secretExpiresToday', { date })
            : days === 1
              ? at('secretExpiresTomorrow', { date })
              : at('secretExpiresSoon', { date, days })}
      </MessageBarBody>
    </MessageBar>
  );
}
