import { INVOKE_RESPONSE_KEY, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { BotConnection } from './adapter';
import type { Request, Response } from 'restify';
import { z } from 'zod';
import type { Logger } from '../../shared/platform/logger';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The least an activity needs before we spend a signature check on it. */
const activityShape = z
  .object({
    type: z.string().min(1),
    serviceUrl: z.string().url(),
    channelId: z.string().min(1),
    conversation: z.object({ id: z.string().min(1) }).passthrough(),
  })
  .passthrough();

/**
 * Handles POST /api/messages. We authenticate the request ourselves and then hand the adapter the result, instead
 * of CloudAdapter.process, because process answers some refusals (a bad signature: jsonwebtoken's error is not an
 * AuthenticationError) with 500 and prints them with console.error; a refused caller must get 401, logged our way.
 */
export async function handleActivityRequest(
  req: Request,
  res: Response,
  connection: BotConnection,
  logic: (context: TurnContext) => Promise<void>,
  logger: Logger,
  /**
   * The Agents Playground mode (LOCAL_PLAYGROUND): activities carry no token, so any web page the developer opens
   * could post one. Only JSON is taken (a form cannot send it cross-site without CORS, which we never grant), and
   * only a loopback serviceUrl, which replies and later notices (stored references) go to.
   */
  localOnly = false,
): Promise<void> {
  if (localOnly && mediaTypeOf(req.header('content-type')) !== 'application/json') {
    res.send(415, {
      error: {
        code: 'unsupported_media_type',
        message: 'In playground mode /api/messages takes Content-Type: application/json only.',
      },
    });
    return;
  }
  const parsed = activityShape.safeParse(req.body);
  if (!parsed.success) {
    res.send(400, {
      error: {
        code: 'bad_activity',
        message: 'The body is not a Bot Framework activity (type, serviceUrl, channelId, conversation.id).',
      },
    });
    return;
  }
  const activity = parsed.data as unknown as Activity;
  if (localOnly && !isLoopbackUrl(parsed.data.serviceUrl)) {
    logger.warn(
      { channelId: activity.channelId },
      'playground activity with a non-loopback serviceUrl refused',
    );
    res.send(400, {
      error: {
        code: 'bad_service_url',
        message:
          'In playground mode the serviceUrl must be a loopback address (127.0.0.1, localhost or [::1]).',
      },
    });
    return;
  }
  let authenticated: Awaited<ReturnType<BotConnection['authentication']['authenticateRequest']>>;
  try {
    authenticated = await connection.authentication.authenticateRequest(
      activity,
      req.header('authorization') ?? '',
    );
  } catch (e) {
    logger.warn(
      { reason: e instanceof Error ? e.message : String(e), channelId: activity.channelId },
      'bot activity refused',
    );
    res.header('WWW-Authenticate', 'Bearer');
    res.send(401, {
      error: { code: 'unauthorized', message: 'The activity is not authenticated by the Bot Framework.' },
    });
    return;
  }
  // processActivityDirect is CloudAdapter's public turn runner for a request authenticated elsewhere; it does not
  // return what the HTTP answer carries, so the turn hands it out: an invoke's response (botbuilder keeps it in the
  // turn state under this key), or the replies a caller asked to get in the answer (deliveryMode expectReplies).
  let invokeResponse: InvokeResponse | undefined;
  await connection.adapter.processActivityDirect(authenticated, activity, async (context) => {
    await logic(context);
    if (context.activity.type === 'invoke') {
      const sent = context.turnState.get(INVOKE_RESPONSE_KEY) as { value?: InvokeResponse } | undefined;
      invokeResponse = sent?.value;
    } else if (context.activity.deliveryMode === 'expectReplies') {
      invokeResponse = { status: 200, body: { activities: context.bufferedReplyActivities } };
    }
  });
  // An invoke no handler answered (or whose turn failed) gets HTTP 501, as CloudAdapter answers it.
  if (activity.type === 'invoke' && !invokeResponse) invokeResponse = { status: 501 };
  if (invokeResponse?.body !== undefined) res.send(invokeResponse.status, invokeResponse.body);
  else res.send(invokeResponse?.status ?? 200);
}
