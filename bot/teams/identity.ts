import type { Activity } from 'botbuilder';
import type { ClientType } from '../../shared/api/contract';

/**
 * Who sent an activity. Teams stamps the sender's Entra object id and tenant on every activity, and the Bot
 * Framework token that came with the activity vouches for the channel that stamped them.
 */
export interface BotUser {
  tenantId: string;
  userId: string;
  displayName: string;
}

export function botUserOf(activity: Partial<Activity>, override?: BotUser): BotUser | undefined {
  if (override) return override;
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const tenantId = channelData?.tenant?.id ?? activity.conversation?.tenantId;
  const userId = activity.from?.aadObjectId;
  if (!tenantId || !userId) return undefined;
  return { tenantId: tenantId.toLowerCase(), userId, displayName: activity.from?.name ?? userId };
}

/** Teams reports the client's platform in a clientInfo entity; the version is not reported to bots. */
export function clientOf(activity: Partial<Activity>): { type: ClientType | 'unknown'; locale?: string } {
  const info = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as
    { platform?: string; locale?: string } | undefined;
  const platform = (info?.platform ?? '').toLowerCase();
  const type: ClientType | 'unknown' =
    platform === 'web'
      ? 'web'
      : platform === 'ios'
        ? 'ios'
        : platform === 'android'
          ? 'android'
          : platform === 'windows' || platform === 'mac' || platform === 'linux'
            ? 'desktop'
            : 'unknown';
  return { type, ...(info?.locale || activity.locale ? { locale: info?.locale ?? activity.locale } : {}) };
}
