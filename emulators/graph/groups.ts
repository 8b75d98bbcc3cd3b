import type { DirectoryGroup } from '../common/directory';
import { type ApiCall, ApiRoutes } from './api';
import { hasAny, PERMISSIONS } from './auth';
import { badRequest, directoryDenied, notFoundUser } from './errors';

/**
 * GET /groups, as an admin's group picker uses it: `$search="displayName:..."` (an advanced query: Graph refuses
 * it without the `ConsistencyLevel: eventual` header, with the error its documentation shows),
 * `$filter=startswith(displayName,'...')` (a standard query, no header), `$select`, `$top`. Search matches as
 * Graph's tokenized search does for display names: every word searched is the start of a word of the name, case
 * ignored. Anything else in the query is refused.
 */

const GROUP_PROPERTIES = ['id', 'displayName', 'description', 'mail', 'mailEnabled', 'securityEnabled'];
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;
const KNOWN_OPTIONS = new Set(['$search', '$filter', '$select', '$top', '$count']);

function groupJson(g: DirectoryGroup, select: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: g.id,
    displayName: g.displayName,
    description: g.description ?? null,
    mail: null,
    mailEnabled: false,
    securityEnabled: true,
  };
  return Object.fromEntries(select.map((k) => [k, all[k]]));
}

function parseSelect(raw: string | null): string[] {
  if (raw === null) return GROUP_PROPERTIES;
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return fields.map((f) => {
    const known = GROUP_PROPERTIES.find((p) => p.toLowerCase() === f.toLowerCase());
    if (!known)
      throw badRequest(
        `Could not find a property named '${f}' on type 'microsoft.graph.group'.`,
        'Request_BadRequest',
      );
    return known;
  });
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** `"displayName:sales team"`: the quotes are part of the syntax. */
function parseSearch(raw: string): (g: DirectoryGroup) => boolean {
  const m = /^"(\w+):(.*)"$/s.exec(raw.trim());
  if (!m) throw badRequest(`Syntax error: invalid search expression '${raw}'.`, 'Request_UnsupportedQuery');
  const property = (m[1] as string).toLowerCase();
  if (property !== 'displayname' && property !== 'description')
    throw badRequest(
      `Search on property '${m[1]}' is not supported for type 'microsoft.graph.group'.`,
      'Request_UnsupportedQuery',
    );
  const wanted = words(m[2] as string);
  return (g) => {
    const have = words((property === 'displayname' ? g.displayName : g.description) ?? '');
    return wanted.length > 0 && wanted.every((w) => have.some((h) => h.startsWith(w)));
  };
}

/** `startswith(displayName,'Sal')`, the one filter a name picker needs; anything else is refused. */
function parseFilter(raw: string): (g: DirectoryGroup) => boolean {
  const m = /^\s*startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(raw);
  if (!m) throw badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const prefix = (m[1] as string).replace(/''/g, "'").toLowerCase();
  return (g) => g.displayName.toLowerCase().startsWith(prefix);
}

function parseTop(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw badRequest(
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
      'Request_UnsupportedQuery',
    );
  return n;
}

function listGroups(call: ApiCall) {
  if (!hasAny(call.caller, PERMISSIONS.readGroups)) throw directoryDenied();
  const q = call.req.query;
  for (const key of q.keys())
    if (key.startsWith('$') && !KNOWN_OPTIONS.has(key))
      throw badRequest(`Query option '${key}' is not supported.`, 'Request_UnsupportedQuery');
  const search = q.get('$search');
  if (search !== null && call.req.headers['consistencylevel']?.toLowerCase() !== 'eventual')
    throw badRequest(
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      'Request_UnsupportedQuery',
    );
  const filterText = q.get('$filter');
  const matchesSearch = search === null ? () => true : parseSearch(search);
  const matchesFilter = filterText === null ? () => true : parseFilter(filterText);
  const select = parseSelect(q.get('$select'));
  const top = parseTop(q.get('$top'));
  const found = [...call.caller.tenant.groups.values()]
    .filter((g) => matchesSearch(g) && matchesFilter(g))
    .sort((a, b) => a.id.localeCompare(b.id));
  // A name picker asks for one page; the next pages are not served (a search narrows instead).
  return {
    status: 200,
    body: {
      '@odata.context': `${call.serviceRoot}/$metadata#groups`,
      ...(q.get('$count') === 'true' ? { '@odata.count': found.length } : {}),
      value: found.slice(0, top).map((g) => groupJson(g, select)),
    },
  };
}

/** GET /groups/{id}, with `$select`: a group of the caller's tenant, or Graph's 404 for any other id. */
function getGroup(call: ApiCall) {
  if (!hasAny(call.caller, PERMISSIONS.readGroups)) throw directoryDenied();
  const id = call.params.id as string;
  // Object ids are GUIDs, which Graph matches in any case (as /users/{id} does).
  const group =
    call.caller.tenant.groups.get(id) ??
    [...call.caller.tenant.groups.values()].find((g) => g.id.toLowerCase() === id.toLowerCase());
  if (!group) throw notFoundUser(id);
  return {
    status: 200,
    body: {
      '@odata.context': `${call.serviceRoot}/$metadata#groups/$entity`,
      ...groupJson(group, parseSelect(call.req.query.get('$select'))),
    },
  };
}

export function registerGroupRoutes(routes: ApiRoutes): void {
  routes.on('GET', '/groups', listGroups);
  routes.on('GET', '/groups/:id', getGroup);
}
