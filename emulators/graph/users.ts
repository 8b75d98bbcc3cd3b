import type { DirectoryUser } from '../common/directory';
import { type ApiCall, ApiRoutes } from './api';
import { hasAny, PERMISSIONS } from './auth';
import { badRequest, directoryDenied, notFoundUser } from './errors';

/**
 * Directory reads: GET /users/{id | userPrincipalName}, GET /me, GET /users ($filter on id, mail and
 * userPrincipalName with `eq` or `in`, $select, $top, @odata.nextLink) and GET /groups/{id}/members.
 */

const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const SELECTABLE = new Set([...DEFAULT_PROPERTIES, 'accountEnabled']);
const FILTERABLE: Record<string, (u: DirectoryUser) => string | null> = {
  id: (u) => u.id,
  mail: (u) => u.mail,
  userprincipalname: (u) => u.userPrincipalName,
};
const MAX_PAGE = 999;
const DEFAULT_PAGE = 100;

export function userJson(u: DirectoryUser, select: string[] | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    businessPhones: u.businessPhones,
    displayName: u.displayName,
    givenName: null,
    jobTitle: null,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
    accountEnabled: u.accountEnabled,
  };
  const keys = select ?? DEFAULT_PROPERTIES;
  return Object.fromEntries(keys.map((k) => [k, all[k]]));
}

export function parseSelect(query: URLSearchParams): string[] | undefined {
  const raw = query.get('$select');
  if (raw === null) return undefined;
  const fields = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const canonical = fields.map((f) => [...SELECTABLE].find((s) => s.toLowerCase() === f.toLowerCase()));
  const unknown = fields.find((_f, i) => canonical[i] === undefined);
  if (unknown)
    throw badRequest(
      `Could not find a property named '${unknown}' on type 'microsoft.graph.user'.`,
      'Request_BadRequest',
    );
  return canonical as string[];
}

function parseTop(query: URLSearchParams): number {
  const raw = query.get('$top');
  if (raw === null) return DEFAULT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw badRequest(
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
      'Request_UnsupportedQuery',
    );
  }
  return n;
}

/** `mail eq 'a@b'`, `userPrincipalName in ('a','b')`, `id eq '...'`; anything else is refused, as Graph would. */
export function parseFilter(raw: string): (u: DirectoryUser) => boolean {
  const m = /^\s*(\w+)\s+(eq|in)\s+(.+?)\s*$/i.exec(raw);
  const field = m && FILTERABLE[(m[1] as string).toLowerCase()];
  if (!m || !field) throw badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const literal = (s: string) => {
    const q = /^'((?:[^']|'')*)'$/.exec(s.trim());
    if (!q) throw badRequest(`Invalid filter clause: ${raw}`, 'BadRequest');
    return (q[1] as string).replace(/''/g, "'").toLowerCase();
  };
  let values: string[];
  if ((m[2] as string).toLowerCase() === 'eq') values = [literal(m[3] as string)];
  else {
    const list = /^\((.*)\)$/.exec((m[3] as string).trim());
    if (!list) throw badRequest(`Invalid filter clause: ${raw}`, 'BadRequest');
    values = (list[1] as string).split(',').map(literal);
    if (values.length > 15)
      throw badRequest(
        "Too many child clauses specified in search filter expression containing 'OR' operators: 15 max",
        'Request_UnsupportedQuery',
      );
  }
  const wanted = new Set(values);
  return (u) => wanted.has((field(u) ?? '').toLowerCase());
}

interface PageToken {
  offset: number;
}

function page<T>(call: ApiCall, items: T[], top: number, path: string): { value: T[]; nextLink?: string } {
  let offset = 0;
  const token = call.req.query.get('$skiptoken');
  if (token !== null) {
    try {
      offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken).offset;
    } catch {
      throw badRequest('Invalid skip token.', 'Request_BadRequest');
    }
  }
  const value = items.slice(offset, offset + top);
  if (offset + top >= items.length) return { value };
  const next = new URLSearchParams(call.req.query);
  next.set(
    '$skiptoken',
    Buffer.from(JSON.stringify({ offset: offset + top } satisfies PageToken)).toString('base64url'),
  );
  next.set('$top', String(top));
  return { value, nextLink: `${call.serviceRoot}${path}?${next.toString()}` };
}

function requireUser(call: ApiCall, idOrUpn: string): DirectoryUser {
  const user = findUser(call, idOrUpn);
  if (!user) throw notFoundUser(idOrUpn);
  return user;
}

export function findUser(call: ApiCall, idOrUpn: string): DirectoryUser | undefined {
  const needle = idOrUpn.toLowerCase();
  const direct = call.caller.tenant.users.get(idOrUpn);
  if (direct) return direct;
  for (const u of call.caller.tenant.users.values()) {
    if (u.id.toLowerCase() === needle || u.userPrincipalName.toLowerCase() === needle) return u;
  }
  return undefined;
}

export function registerUserRoutes(routes: ApiRoutes): void {
  routes.on('GET', '/me', (call) => {
    if (!call.caller.delegated || !call.caller.userId) {
      throw badRequest('/me request is only valid with delegated authentication flow.');
    }
    const selfAllowed = ['User.Read', 'User.ReadWrite', ...PERMISSIONS.readUsers.delegated].some((p) =>
      call.caller.permissions.has(p),
    );
    if (!selfAllowed) throw directoryDenied();
    const user = requireUser(call, call.caller.userId);
    return {
      status: 200,
      body: {
        '@odata.context': `${call.serviceRoot}/$metadata#users/$entity`,
        ...userJson(user, parseSelect(call.req.query)),
      },
    };
  });

  routes.on('GET', '/users/:id', (call) => {
    if (!hasAny(call.caller, PERMISSIONS.readUsers)) throw directoryDenied();
    const user = requireUser(call, call.params.id as string);
    return {
      status: 200,
      body: {
        '@odata.context': `${call.serviceRoot}/$metadata#users/$entity`,
        ...userJson(user, parseSelect(call.req.query)),
      },
    };
  });

  routes.on('GET', '/users', (call) => {
    if (!hasAny(call.caller, PERMISSIONS.readUsers)) throw directoryDenied();
    const select = parseSelect(call.req.query);
    const top = parseTop(call.req.query);
    const filterText = call.req.query.get('$filter');
    const filter = filterText === null ? () => true : parseFilter(filterText);
    const users = [...call.caller.tenant.users.values()]
      .filter(filter)
      .sort((a, b) => a.id.localeCompare(b.id));
    const { value, nextLink } = page(call, users, top, '/users');
    return {
      status: 200,
      body: {
        '@odata.context': `${call.serviceRoot}/$metadata#users`,
        ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
        value: value.map((u) => userJson(u, select)),
      },
    };
  });

  routes.on('GET', '/groups/:id/members', (call) => {
    if (!hasAny(call.caller, PERMISSIONS.readGroupMembers)) throw directoryDenied();
    const groupId = call.params.id as string;
    if (!call.caller.tenant.groups.has(groupId)) throw notFoundUser(groupId);
    const select = parseSelect(call.req.query);
    const top = parseTop(call.req.query);
    const members = [...call.caller.tenant.users.values()]
      .filter((u) => u.groups.includes(groupId))
      .sort((a, b) => a.id.localeCompare(b.id));
    const { value, nextLink } = page(call, members, top, `/groups/${groupId}/members`);
    return {
      status: 200,
      body: {
        '@odata.context': `${call.serviceRoot}/$metadata#directoryObjects`,
        ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
        value: value.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...userJson(u, select) })),
      },
    };
  });
}
