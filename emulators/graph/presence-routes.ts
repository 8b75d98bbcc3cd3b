import { actionBody, type ApiCall, ApiRoutes } from './api';
import { hasAny, PERMISSIONS } from './auth';
import { MINUTE, HOUR, parseIsoDuration } from './duration';
import { badRequest, forbidden, GraphFailure, notFoundUser } from './errors';
import {
  APP_SESSION_PAIRS,
  defaultPreferredExpiryMs,
  isAllowedPair,
  PREFERRED_PAIRS,
  type StatusMessage,
} from './presence-model';
import type { PresenceSnapshot, PresenceStore } from './presence-store';
import { findUser } from './users';

/**
 * Presence endpoints: read one (`/users/{id}/presence`, `/me/presence`), read many (`getPresencesByUserId`), and
 * the write actions setPresence, clearPresence, setUserPreferredPresence, clearUserPreferredPresence and
 * setStatusMessage, each reachable under /users/{id}/presence, /me/presence and /communications/presences/{id}.
 */

export const MAX_PRESENCE_IDS = 650;
const MIN_SESSION_MS = 5 * MINUTE;
const MAX_SESSION_MS = 4 * HOUR;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function presenceJson(snap: PresenceSnapshot): Record<string, unknown> {
  const m: StatusMessage | undefined = snap.statusMessage;
  return {
    id: snap.userId,
    availability: snap.availability,
    activity: snap.activity,
    statusMessage: m
      ? {
          message: { content: m.content, contentType: m.contentType },
          publishedDateTime: new Date(m.publishedAt).toISOString(),
          expiryDateTime: m.expiry ?? null,
        }
      : null,
    outOfOfficeSettings: { message: null, isOutOfOffice: false },
    sequenceNumber: snap.sequenceNumber,
  };
}

/** The user a presence path names: `/me` means the signed-in user (delegated tokens only). */
function targetUserId(call: ApiCall): string {
  const id = call.params.id;
  if (id === undefined) {
    if (!call.caller.delegated || !call.caller.userId)
      throw badRequest('/me request is only valid with delegated authentication flow.');
    return call.caller.userId;
  }
  const user = findUser(call, id);
  if (!user) throw notFoundUser(id);
  return user.id;
}

function requireWrite(call: ApiCall): string {
  if (!hasAny(call.caller, PERMISSIONS.writePresence)) throw forbidden();
  const userId = targetUserId(call);
  // Delegated Presence.ReadWrite writes only the signed-in user's own presence.
  if (call.caller.delegated && userId !== call.caller.userId) throw forbidden();
  return userId;
}

function requireString(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0)
    throw badRequest(`The parameter '${name}' is required and must be a non-empty string.`);
  return v;
}

function requireSessionOfCaller(call: ApiCall, body: Record<string, unknown>): string {
  const sessionId = requireString(body, 'sessionId');
  if (sessionId.toLowerCase() !== call.caller.appId.toLowerCase()) {
    throw badRequest('The sessionId must be the application (client) id of the calling application.');
  }
  return call.caller.appId;
}

export function registerPresenceRoutes(routes: ApiRoutes, store: PresenceStore, now: () => number): void {
  const read = (call: ApiCall) => {
    const userId = targetUserId(call);
    // Presence.Read reaches the signed-in user's own presence; anyone else's takes Presence.Read.All.
    const own = call.caller.delegated && userId === call.caller.userId;
    const allowed =
      hasAny(call.caller, PERMISSIONS.readPresence) ||
      (own && hasAny(call.caller, PERMISSIONS.readOwnPresence));
    if (!allowed) throw forbidden();
    const context = `${call.serviceRoot}/$metadata#users('${userId}')/presence/$entity`;
    return { status: 200, body: { '@odata.context': context, ...presenceJson(store.snapshot(userId)) } };
  };

  const setPresence = (call: ApiCall) => {
    const userId = requireWrite(call);
    const body = actionBody(call.req, 'setPresence', [
      'sessionId',
      'availability',
      'activity',
      'expirationDuration',
    ]);
    const sessionId = requireSessionOfCaller(call, body);
    const availability = requireString(body, 'availability');
    const activity = requireString(body, 'activity');
    if (!isAllowedPair(APP_SESSION_PAIRS, availability, activity)) {
      throw badRequest(
        `The availability '${availability}' and activity '${activity}' combination is not supported.`,
      );
    }
    let duration = MIN_SESSION_MS;
    if (body.expirationDuration !== undefined && body.expirationDuration !== null) {
      const parsed = parseIsoDuration(body.expirationDuration);
      if (parsed === undefined)
        throw badRequest(
          `Cannot convert the literal '${String(body.expirationDuration)}' to the expected type 'Edm.Duration'.`,
        );
      if (parsed < MIN_SESSION_MS || parsed > MAX_SESSION_MS) {
        throw badRequest('The expirationDuration must be between PT5M (5 minutes) and PT4H (4 hours).');
      }
      duration = parsed;
    }
    const t = now();
    store.setSession(userId, {
      id: sessionId,
      kind: 'app',
      availability,
      activity,
      setAt: t,
      expiresAt: t + duration,
    });
    return { status: 200 };
  };

  const clearPresence = (call: ApiCall) => {
    const userId = requireWrite(call);
    const sessionId = requireSessionOfCaller(call, actionBody(call.req, 'clearPresence', ['sessionId']));
    if (!store.hasSession(userId, sessionId)) {
      throw new GraphFailure(
        404,
        'NotFound',
        `The presence session '${sessionId}' does not exist for user '${userId}'.`,
      );
    }
    store.removeSession(userId, sessionId);
    return { status: 200 };
  };

  const setPreferred = (call: ApiCall) => {
    const userId = requireWrite(call);
    const body = actionBody(call.req, 'setUserPreferredPresence', [
      'availability',
      'activity',
      'expirationDuration',
    ]);
    const availability = requireString(body, 'availability');
    const activity = requireString(body, 'activity');
    if (!isAllowedPair(PREFERRED_PAIRS, availability, activity)) {
      throw badRequest(
        `The availability '${availability}' and activity '${activity}' combination is not supported.`,
      );
    }
    let duration = defaultPreferredExpiryMs(availability);
    if (body.expirationDuration !== undefined && body.expirationDuration !== null) {
      const parsed = parseIsoDuration(body.expirationDuration);
      if (parsed === undefined || parsed <= 0) {
        throw badRequest(
          `Cannot convert the literal '${String(body.expirationDuration)}' to the expected type 'Edm.Duration'.`,
        );
      }
      duration = parsed;
    }
    store.setPreferred(userId, { availability, activity, expiresAt: now() + duration });
    return { status: 200 };
  };

  const clearPreferred = (call: ApiCall) => {
    const userId = requireWrite(call);
    store.setPreferred(userId, undefined);
    return { status: 200 };
  };

  const setStatusMessage = (call: ApiCall) => {
    const userId = requireWrite(call);
    const sm = actionBody(call.req, 'setStatusMessage', ['statusMessage']).statusMessage as
      Record<string, unknown> | undefined;
    const message = sm?.message as Record<string, unknown> | undefined;
    if (!sm || typeof sm !== 'object' || !message || typeof message.content !== 'string') {
      throw badRequest("The parameter 'statusMessage' is required and must carry message.content.");
    }
    const contentType = message.contentType ?? 'text';
    if (contentType !== 'text' && contentType !== 'html')
      throw badRequest(`Invalid contentType '${String(contentType)}'.`);
    let expiresAt: number | undefined;
    let expiry: { dateTime: string; timeZone: string } | undefined;
    const e = sm.expiryDateTime as Record<string, unknown> | undefined;
    if (e) {
      // Time zones other than UTC are read as UTC: the emulator keeps one zone, and tests use UTC.
      const at =
        typeof e.dateTime === 'string'
          ? Date.parse(e.dateTime.endsWith('Z') ? e.dateTime : `${e.dateTime}Z`)
          : NaN;
      if (Number.isNaN(at)) throw badRequest('Invalid expiryDateTime.');
      expiresAt = at;
      expiry = {
        dateTime: String(e.dateTime),
        timeZone: typeof e.timeZone === 'string' ? e.timeZone : 'UTC',
      };
    }
    const empty = message.content.length === 0;
    store.setStatusMessage(
      userId,
      empty ? undefined : { content: message.content, contentType, publishedAt: now(), expiresAt, expiry },
    );
    return { status: 200 };
  };

  const getMany = (call: ApiCall) => {
    if (!hasAny(call.caller, PERMISSIONS.readPresence)) throw forbidden();
    const ids = actionBody(call.req, 'getPresencesByUserId', ['ids']).ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string')) {
      throw badRequest("The parameter 'ids' is required and must be a non-empty array of user ids.");
    }
    if (ids.length > MAX_PRESENCE_IDS) {
      throw badRequest(
        `The number of ids in the request (${ids.length}) exceeds the maximum of ${MAX_PRESENCE_IDS}.`,
      );
    }
    const bad = (ids as string[]).find((i) => !GUID.test(i));
    if (bad) throw badRequest(`Invalid user id '${bad}': ids must be user object ids (GUIDs).`);
    const value = [...new Set((ids as string[]).map((i) => i.toLowerCase()))].map((id) => {
      const user = findUser(call, id);
      if (!user) {
        return {
          id,
          availability: 'PresenceUnknown',
          activity: 'PresenceUnknown',
          statusMessage: null,
          outOfOfficeSettings: null,
          sequenceNumber: null,
        };
      }
      return presenceJson(store.snapshot(user.id));
    });
    return {
      status: 200,
      body: { '@odata.context': `${call.serviceRoot}/$metadata#Collection(microsoft.graph.presence)`, value },
    };
  };

  const p = { presence: true };
  routes.on('POST', '/communications/getPresencesByUserId', getMany, p);
  for (const base of ['/users/:id/presence', '/me/presence', '/communications/presences/:id']) {
    routes.on('GET', base, read, p);
    routes.on('POST', `${base}/setPresence`, setPresence, p);
    routes.on('POST', `${base}/clearPresence`, clearPresence, p);
    routes.on('POST', `${base}/setUserPreferredPresence`, setPreferred, p);
    routes.on('POST', `${base}/clearUserPreferredPresence`, clearPreferred, p);
    routes.on('POST', `${base}/setStatusMessage`, setStatusMessage, p);
  }
}
