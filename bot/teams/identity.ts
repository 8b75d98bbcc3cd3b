import { TurnContext, type Activity } from 'botbuilder';
import type { ClientType } from '../../shared/api/contract';
import type { Audience, ConversationKind, Place, Sender } from '../conversation/types';

/**
 * Who sent an activity. Teams stamps the sender's Entra object id and tenant on every activity, and the Bot
 * Framework token that came with the activity vouches for the channel that stamped them.
 */
export type BotUser = Sender;

export function botUserOf(activity: Partial<Activity>, override?: BotUser): BotUser | undefined {
  if (override) return override;
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const tenantId = channelData?.tenant?.id ?? activity.conversation?.tenantId;
  const userId = activity.from?.aadObjectId;
  if (!tenantId || !userId) return undefined;
  return { tenantId: tenantId.toLowerCase(), userId, displayName: activity.from?.name ?? userId };
}

interface ClientInfo {
  platform?: string;
  locale?: string;
  timezone?: string;
}

function clientInfoOf(activity: Partial<Activity>): ClientInfo | undefined {
  return (activity.entities ?? []).find((e) => e.type === 'clientInfo') as ClientInfo | undefined;
}

/** Teams reports the client's platform in a clientInfo entity; the version is not reported to bots. */
export function clientOf(activity: Partial<Activity>): { type: ClientType | 'unknown'; locale?: string } {
  const info = clientInfoOf(activity);
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

/**
 * The reader's language and time zone. The Bot Framework activity carries `locale` (the language of the Teams client)
 * and `localTimezone` (IANA) from the client; Teams also puts a `timezone` in the clientInfo entity, used when the
 * activity lacks one. The language follows the activity's locale only, as the Bot Framework documents it.
 */
export function audienceOf(activity: Partial<Activity>): Audience {
  const locale = activity.locale;
  const timeZone = activity.localTimezone || clientInfoOf(activity)?.timezone;
  return { ...(locale ? { locale } : {}), ...(timeZone ? { timeZone } : {}) };
}

function kindOf(activity: Partial<Activity>): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'channel' || type === 'groupChat') return type;
  if (type === 'personal') return 'personal';
  return activity.conversation?.isGroup ? 'groupChat' : 'personal';
}

/**
 * Where the activity came from, with the reference notices use later. The reference is the Bot Framework's
 * ConversationReference (its `locale` included) plus the client's `localTimezone`, which the proactive notifier
 * reads back to write in the reader's language and time zone.
 */
export function placeOf(activity: Partial<Activity>): Place {
  const reference = TurnContext.getConversationReference(activity) as unknown as Record<string, unknown>;
  const audience = audienceOf(activity);
  const kind = kindOf(activity);
  // A message in a channel thread names the thread (`19:…@thread.tacv2;messageid=…`); notices go to the channel
  // itself, as new posts, so the stored reference names the channel.
  const id = (activity.conversation?.id ?? '').split(';messageid=')[0]!;
  const conversation = reference.conversation as Record<string, unknown> | undefined;
  return {
    id,
    kind,
    reference: {
      ...reference,
      ...(kind === 'channel' && conversation ? { conversation: { ...conversation, id } } : {}),
      ...(audience.locale ? { locale: audience.locale } : {}),
      ...(audience.timeZone ? { localTimezone: audience.timeZone } : {}),
    },
  };
}
