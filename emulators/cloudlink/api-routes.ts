import type { EmulatorRequest, Router } from '../common/http';
import { clFail } from './errors';
import type { Gate } from './gate';
import type { NotificationHub } from './notifications';
import { TOPICS } from './notifications';
import { parseRecordFilter } from './odata';
import { halPage, readPage } from './paging';
import type { SimulatedPbx } from './pbx';
import type { PbxUserRecord } from './pbx-types';
import type { IssuedAccess } from './tokens';

/**
 * The admin, media, presence and notifications services under /{service}/2017-09-01. Everything is scoped to the
 * account of the caller's token; a user token (password or authorization-code grant) reaches only its own user's
 * records and presence, an account token (client credentials) any user of its account.
 */

export const API_VERSION = '2017-09-01';
const at = (service: string, path: string) => `/${service}/${API_VERSION}${path}`;

/** The query options the call records list takes (documented: $top, $skip, $filter). */
const RECORD_QUERY_OPTIONS = new Set(['$top', '$skip', '$filter']);

/** Assumption: the length limit of a presence status text. */
export const MAX_REASON_LENGTH = 256;

export function mountApi(router: Router, gate: Gate, pbx: SimulatedPbx, hub: NotificationHub): void {
  const userInScope = (caller: IssuedAccess, principalId: string, write = false): PbxUserRecord => {
    const user = pbx.user(principalId);
    if (!user) throw clFail(404, 'NotFound', `No user ${principalId}.`);
    if (user.accountId !== caller.accountId)
      throw clFail(403, 'Forbidden', 'The user belongs to another account.');
    if (caller.principalId && caller.principalId !== principalId && write) {
      throw clFail(403, 'Forbidden', 'A user token may only change its own user.');
    }
    return user;
  };

  // admin
  router.on(
    'GET',
    at('admin', '/accounts/:accountId'),
    gate.authenticated((req, caller) => {
      requireAccount(caller, req.params.accountId!);
      const account = pbx.account(caller.accountId)!;
      return { status: 200, body: { accountId: account.accountId, name: account.name } };
    }),
  );
  router.on(
    'GET',
    at('admin', '/accounts/:accountId/users'),
    gate.authenticated((req, caller) => {
      requireAccount(caller, req.params.accountId!);
      // Assumption: listing an account's users needs an account (admin) token, not an end user's.
      if (caller.principalId)
        throw clFail(403, 'Forbidden', 'Listing users needs an account administrator token.');
      const page = readPage(req);
      const users = pbx.usersOf(caller.accountId).map((u) => ({
        userId: u.principalId,
        accountId: u.accountId,
        name: u.name,
        email: u.email,
        extension: u.extension,
      }));
      return { status: 200, body: halPage(req, users, page) };
    }),
  );

  // media: call records, newest first. Paging is $top/$skip only: CloudLink documents no continuation token,
  // next link or ordering option for call records, so any other query option is refused, not ignored.
  const records = (req: EmulatorRequest, principalId: string) => {
    const unknown = [...req.query.keys()].filter((k) => !RECORD_QUERY_OPTIONS.has(k));
    if (unknown.length > 0)
      throw clFail(
        400,
        'InvalidArgument',
        `Unsupported query option ${unknown.join(', ')}: use $top, $skip, $filter.`,
      );
    const page = readPage(req);
    const matches = parseRecordFilter(req.query.get('$filter'));
    return { status: 200, body: halPage(req, pbx.recordsOf(principalId).filter(matches), page) };
  };
  router.on(
    'GET',
    at('media', '/calls/records'),
    gate.authenticated((req, caller) => {
      if (!caller.principalId) {
        throw clFail(
          400,
          'InvalidArgument',
          'An account token must name the user: /users/{userId}/calls/records.',
        );
      }
      return records(req, caller.principalId);
    }),
  );
  router.on(
    'GET',
    at('media', '/users/:userId/calls/records'),
    gate.authenticated((req, caller) => {
      const user = userInScope(caller, req.params.userId!);
      if (caller.principalId && caller.principalId !== user.principalId) {
        throw clFail(403, 'Forbidden', "A user token may only read its own user's call records.");
      }
      return records(req, user.principalId);
    }),
  );

  // presence
  router.on(
    'GET',
    at('presence', '/presentities/:principalId'),
    gate.authenticated((req, caller) => ({
      status: 200,
      body: pbx.presentity(userInScope(caller, req.params.principalId!).principalId),
    })),
  );
  router.on(
    'PUT',
    at('presence', '/presentities/:principalId'),
    gate.authenticated((req, caller) => {
      const user = userInScope(caller, req.params.principalId!, true);
      const body = objectBody(req);
      if (body.status !== 'dnd' && body.status !== 'available') {
        throw clFail(400, 'InvalidArgument', 'status must be "dnd" or "available".');
      }
      const reason = body.reason ?? null;
      if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
        throw clFail(
          400,
          'InvalidArgument',
          `reason must be a string of at most ${MAX_REASON_LENGTH} characters.`,
        );
      }
      return { status: 200, body: pbx.setDnd(user.principalId, body.status === 'dnd', reason) };
    }),
  );

  // notifications
  router.on(
    'POST',
    at('notifications', '/subscriptions'),
    gate.authenticated((req, caller) => {
      const b = objectBody(req);
      if (b.transport !== 'webhook') throw clFail(400, 'InvalidArgument', 'transport must be "webhook".');
      if (typeof b.topic !== 'string' || !(TOPICS as readonly string[]).includes(b.topic)) {
        throw clFail(400, 'InvalidArgument', `topic must be one of ${TOPICS.join(', ')}.`);
      }
      if (typeof b.applicationId !== 'string' || b.applicationId.trim() === '') {
        throw clFail(400, 'InvalidArgument', 'applicationId is required.');
      }
      if (typeof b.deviceId !== 'string' || !isWebhookUrl(b.deviceId)) {
        throw clFail(400, 'InvalidArgument', 'deviceId must be the absolute http(s) URL of the webhook.');
      }
      if (typeof b.subjectFilter !== 'string' || b.subjectFilter === '' || !isRegex(b.subjectFilter)) {
        throw clFail(
          400,
          'InvalidArgument',
          'subjectFilter must be a regular expression such as /presentities/{principalId}.',
        );
      }
      const sub = hub.add({
        accountId: caller.accountId,
        applicationId: b.applicationId,
        deviceId: b.deviceId,
        transport: 'webhook',
        topic: b.topic,
        subjectFilter: b.subjectFilter,
      });
      return { status: 201, body: sub };
    }),
  );
  router.on(
    'GET',
    at('notifications', '/subscriptions'),
    gate.authenticated((req, caller) => ({
      status: 200,
      body: halPage(req, hub.list(caller.accountId), readPage(req)),
    })),
  );
  router.on(
    'GET',
    at('notifications', '/subscriptions/:id'),
    gate.authenticated((req, caller) => {
      const sub = hub.get(caller.accountId, req.params.id!);
      if (!sub) throw clFail(404, 'NotFound', `No subscription ${req.params.id}.`);
      return { status: 200, body: sub };
    }),
  );
  router.on(
    'DELETE',
    at('notifications', '/subscriptions/:id'),
    gate.authenticated((req, caller) => {
      if (!hub.remove(caller.accountId, req.params.id!))
        throw clFail(404, 'NotFound', `No subscription ${req.params.id}.`);
      return { status: 204 };
    }),
  );
}

function requireAccount(caller: IssuedAccess, accountId: string): void {
  if (accountId !== caller.accountId)
    throw clFail(403, 'Forbidden', 'The token is not valid for this account.');
}

function objectBody(req: EmulatorRequest): Record<string, unknown> {
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw clFail(400, 'BadRequest', 'A JSON object body is required.');
  }
  return req.body as Record<string, unknown>;
}

function isWebhookUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}
