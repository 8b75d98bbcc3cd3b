/**
 * Route fuzzing (issue 11): every route the server mounts, found in restify's router so a new route is fuzzed without
 * a change here, gets valid-looking requests (real tokens from the Entra emulator, bodies that pass its schema) mutated
 * at random: bodies, content types, headers, tokens, path parameters, query strings and methods. Invariants: no 5xx,
 * no unhandled rejection or uncaught exception, no file written to the temp directory or the data directory, RSS
 * growth bounded, and every refusal a JSON ApiError (webhooks answer text/plain; Node's own HTTP parser answers a
 * bodiless 400/431 to what it cannot parse).
 *
 * The server: bot/server.ts's createServer with the real authenticator (JWTs checked against the Entra emulator's
 * keys), the real bot endpoint (playground auth, replies to a recording connector), reports, jobs and the webhook
 * handlers of shared/sync, a real SQLite store in a file; only the sync engine is the harness's recording one.
 *
 * Sizes: FUZZ_REQUESTS (default 6000; `npm run test:long` runs 200000). FUZZ_SEED picks the run (fixed by default, so
 * CI is repeatable; random when FUZZ_REQUESTS is set without it). Each request is generated from (seed, index) alone,
 * so a failure prints the request and `FUZZ_SEED=<s> FUZZ_ONLY=<i>` replays exactly that request against a fresh
 * server; `FUZZ_SEED=<s> FUZZ_REQUESTS=<n>` replays the whole run (state built by earlier requests included, though
 * eight requests in flight at a time interleave differently from run to run).
 */
import fs, { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import type { Server } from 'restify';
import { Authenticator } from '../../bot/auth/authenticator';
import { createServer, DEFAULT_MAX_BODY_BYTES, listen } from '../../bot/server';
import { tenantWebhooks } from '../../bot/services/webhooks';
import { JobRegistry } from '../../bot/services/jobs';
import { ReportService } from '../../bot/services/reports';
import { SignIns } from '../../bot/services/sign-in';
import { createTeamsBot } from '../../bot/teams';
import { createEntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import { DEFAULT_MAPPING } from '../../shared/domain/mapping';
import type { CallRecord } from '../../shared/ports/cloudlink';
import type { Store } from '../../shared/ports/store';
import { silentLogger } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';
import type { SyncService } from '../../shared/sync';
import { readCloudLinkWebhook } from '../../shared/adapters/cloudlink/webhook';
import { acceptCloudLinkPost } from '../../shared/sync/webhooks';
import { FakeCallHistory, METRICS_TOKEN, RecordingSync, startConnector, type Connector } from './bot-harness';
import { postToken, startEntraFixture, type EntraFixture } from './entra-fixture';
import { seededRandom } from '../../emulators/common/random';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 6000);
/** Fixed for the CI run, so it is repeatable; a run of another size (the long one) explores with a fresh seed. */
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : process.env.FUZZ_REQUESTS
    ? Math.floor(Math.random() * 2 ** 31)
    : 0x5b0a11;
const ONLY = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
const CONCURRENCY = 8;
const RSS_BOUND_MB = 150;
const HOOK_KEY = 'fuzz-cloudlink-key-0123456789abcdef';

// ---------------------------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32): each request gets its own generator from (seed, index).

type Rng = () => number;

function rngFor(seed: number, index: number): Rng {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rng, p: number) => r() < p;

// ---------------------------------------------------------------------------------------------------------------
// The world the requests are built from.

interface Tokens {
  user: string;
  admin: string;
  app: string;
  /** A signed-in user of Fabrikam, the second tenant the server accepts. */
  otherTenantAllowed: string;
  /** Validly signed by the emulator, for a tenant the server does not serve. */
  otherTenant: string;
  otherAudience: string;
  expired: string;
  noScope: string;
  adminViaTamperedPayload: string;
  tamperedSignature: string;
  algNone: string;
}

interface RouteInfo {
  method: string;
  path: string;
}

interface World {
  baseUrl: string;
  routes: RouteInfo[];
  tokens: Tokens;
  /** Ids that exist in the store, so parameterised routes reach their handlers' success paths too. */
  ids: string[];
  connectorUrl: string;
  maxBodyBytes: number;
}

interface FuzzRequest {
  index: number;
  route: string;
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer;
  chunked: boolean;
  /** Whole request as bytes on a socket (for what a well-behaved client cannot send). */
  raw?: Buffer;
}

const GUID = 'd0d0d0d0-0000-4000-8000-00000000f022';

/** Bodies each known route accepts; a route not listed here gets random JSON (and mutations of it). */
function seedBodies(w: World, r: Rng): Record<string, unknown[]> {
  const method = () => pick(r, ['tel', 'micollab://dial?number={number}', 'sip:{number}']);
  return {
    'PUT /api/me/settings': [
      { missedCallNotice: chance(r, 0.5) },
      { missedCallNotice: true, clickToCall: { desktop: method(), ios: method() } },
    ],
    'POST /api/me/reports': [
      {
        category: pick(r, ['presence', 'callHistory', 'clickToCall', 'signIn', 'other']),
        description: 'My presence is stuck on busy',
        includeDiagnostics: chance(r, 0.5),
        client: {
          type: pick(r, ['desktop', 'web', 'ios', 'android', 'unknown']),
          version: '1.2',
          locale: 'de-DE',
        },
      },
    ],
    'POST /api/me/sync': [{}],
    'PUT /api/admin/tenant': [
      { clientSecret: 'new-secret', clientSecretExpiresAt: '2027-01-01T00:00:00Z' },
      { clientId: GUID, cloudlink: { accountId: 'acc-1', clientId: 'cl-client', clientSecret: 'cl-secret' } },
    ],
    'POST /api/admin/monitors': [{ username: 'monitor2@contoso.example', password: 'Passw0rd!' }],
    'PUT /api/admin/monitors/:id/password': [
      { password: 'N3w-Passw0rd!' },
      { password: 'N3w-Passw0rd!', passwordExpiresAt: '2027-06-30T23:59:59Z' },
    ],
    'PUT /api/admin/mapping': [
      {
        teamsToPbx: [{ availability: 'Busy', activity: 'InACall', dnd: 'on', statusText: null }],
        pbxToTeams: [
          { pbxState: 'ringing', teams: { availability: 'Busy', activity: 'InACall' } },
          { pbxState: 'connected', teams: { availability: 'Busy', activity: 'InACall' } },
          { pbxState: 'dnd', teams: null },
        ],
      },
    ],
    'PUT /api/admin/selection': [
      {
        mode: 'allWithBlockList',
        blockList: ['x@contoso.example'],
        groupId: null,
        allowList: [],
        sendToTeams: true,
        getFromTeams: true,
      },
      {
        mode: 'groupWithAllowList',
        blockList: [],
        groupId: GUID,
        allowList: [],
        sendToTeams: false,
        getFromTeams: true,
      },
    ],
    'PUT /api/admin/click-to-call': [
      { byClient: { desktop: method(), web: method(), ios: method(), android: method() } },
    ],
    'PUT /api/admin/users/overrides': [{ pbxPrincipalId: 'p-bob', entraUserId: pick(r, w.ids) }],
    'POST /api/admin/resync-all': [{}, { readEveryPbx: true }],
    'PATCH /api/admin/reports/:id': [{ status: 'acknowledged', note: 'looking into it' }],
    'POST /api/notifications/graph': [
      {
        value: [
          {
            subscriptionId: 'sub-1',
            clientState: 'x',
            changeType: 'updated',
            resource: "communications/presences('a')",
            resourceData: { id: 'a' },
          },
        ],
      },
    ],
    'POST /api/notifications/graph/lifecycle': [
      { value: [{ subscriptionId: 'sub-1', clientState: 'x', lifecycleEvent: 'reauthorizationRequired' }] },
    ],
    'POST /api/notifications/cloudlink': [
      {
        topic: 'platform-api-presence',
        method: 'PUT',
        subject: '/presentities/p%201',
        content: { state: 'busy' },
      },
    ],
    'POST /api/messages': [
      {
        type: 'message',
        id: 'activity-1',
        text: pick(r, ['help', 'status', 'resync', 'calls', 'settings', 'hello']),
        serviceUrl: w.connectorUrl,
        channelId: 'msteams',
        from: { id: '29:bob', name: 'Bob Agent', aadObjectId: pick(r, w.ids) },
        recipient: { id: '28:bot', name: 'Switchboard' },
        conversation: { id: 'a:bob-personal', conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      },
    ],
  };
}

const TENANT = 'c0a1b2c3-0000-4000-8000-000000000001';

const WEIRD_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\ud83d\ude00',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%E0%A4%A',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\r\nX-Injected: 1',
  'tel',
  'javascript:alert(1)//{number}',
  '1e309',
  '-0',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  GUID,
];

const EVIL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  '\u0000',
];

function randomString(r: Rng, max = 40): string {
  if (chance(r, 0.4)) return pick(r, WEIRD_STRINGS);
  const n = int(r, max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    s +=
      k < 0.7
        ? String.fromCharCode(32 + int(r, 95))
        : k < 0.85
          ? String.fromCharCode(int(r, 0x3000))
          : k < 0.95
            ? String.fromCharCode(0xd800 + int(r, 0x800))
            : String.fromCodePoint(0x1f300 + int(r, 0x300));
  }
  return s;
}

function randomJson(r: Rng, depth = 0): unknown {
  const k = int(r, depth > 3 ? 6 : 8);
  switch (k) {
    case 0:
      return null;
    case 1:
      return chance(r, 0.5);
    case 2:
      return pick(r, [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308, 65536, 4294967296]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return int(r, 1000);
    case 6:
      return Array.from({ length: int(r, 5) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 5); i > 0; i--) {
        o[chance(r, 0.2) ? pick(r, EVIL_KEYS) : randomString(r, 12)] = randomJson(r, depth + 1);
      }
      return o;
    }
  }
}

/** Every node of a JSON value, with a way to replace or delete it. */
function nodesOf(
  v: unknown,
  out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [],
) {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      nodesOf(x, out);
    });
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      nodesOf(x, out);
    }
  return out;
}

function mutateJson(r: Rng, value: unknown, maxBytes: number): unknown {
  let v = structuredClone(value);
  for (let n = 1 + int(r, 3); n > 0; n--) {
    const nodes = nodesOf(v);
    const node = nodes.length ? pick(r, nodes) : undefined;
    switch (int(r, 9)) {
      case 0:
        if (node) (node.parent as Record<string, unknown>)[node.key as string] = randomJson(r);
        else v = randomJson(r);
        break;
      case 1:
        if (node && !Array.isArray(node.parent)) delete node.parent[node.key as string];
        break;
      case 2: {
        // Keys that would poison prototypes if a handler merged the body naively (JSON.parse makes them own keys).
        const target =
          node && typeof (node.parent as Record<string, unknown>)[node.key as string] === 'object'
            ? (node.parent as Record<string, unknown>)[node.key as string]
            : v;
        if (target && typeof target === 'object' && !Array.isArray(target))
          Object.defineProperty(target, pick(r, EVIL_KEYS), {
            value: chance(r, 0.5) ? { isAdmin: true, polluted: 'yes' } : randomJson(r),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        break;
      }
      case 3: {
        // A string near or over the body limit.
        const size = pick(r, [
          maxBytes - 200,
          maxBytes - 20,
          maxBytes + 1,
          maxBytes * 2,
          4000,
          4001,
          100_000,
        ]);
        const s = pick(r, ['a', '\u00e9', '\ud83d\ude00', '\u0000']).repeat(
          Math.max(1, Math.floor(size / 4)),
        );
        if (node) (node.parent as Record<string, unknown>)[node.key as string] = s;
        else v = s;
        break;
      }
      case 4: {
        // Deep nesting, spliced into the text by encodeBody (JSON.stringify would overflow our own stack).
        const deep = `__DEEP_${pick(r, [50, 1000, 5000, 50_000])}_${pick(r, ['a', 'o', 'm'])}__`;
        if (node) (node.parent as Record<string, unknown>)[node.key as string] = deep;
        else v = deep;
        break;
      }
      case 5:
        if (node) (node.parent as Record<string, unknown>)[node.key as string] = pick(r, WEIRD_STRINGS);
        break;
      case 6:
        v = pick(r, [null, 0, 'string', true, [], [v], { value: v }]);
        break;
      case 7:
        if (node)
          (node.parent as Record<string, unknown>)[node.key as string] = Array.from(
            { length: pick(r, [0, 201, 1000]) },
            () => 'x',
          );
        break;
      default:
        if (v && typeof v === 'object' && !Array.isArray(v))
          (v as Record<string, unknown>)[randomString(r, 10)] = randomJson(r);
    }
  }
  return v;
}

/** The body on the wire: mostly JSON text, sometimes broken bytes. */
function encodeBody(r: Rng, value: unknown): Buffer {
  const text = (JSON.stringify(value) ?? 'null').replace(
    /"__DEEP_(\d+)_([aom])__"/g,
    (_, n: string, kind: string) => {
      const depth = Number(n);
      if (kind === 'a') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
      if (kind === 'o') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return `${'[{"__proto__":'.repeat(depth)}1${'}]'.repeat(depth)}`;
    },
  );
  switch (int(r, 14)) {
    case 0:
      return Buffer.from(text.slice(0, int(r, text.length + 1))); // truncated
    case 1:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]); // BOM
    case 2:
      return Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0xc0, 0x80])]); // invalid UTF-8
    case 3:
      return Buffer.from(
        text.replace(/^\{/, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},'),
      );
    case 4:
      return Buffer.from(
        pick(r, ['', ' ', 'null', '[]', '{}', '{', '"', 'undefined', 'NaN', '{"a":1}{"a":2}', '\u0000']),
      );
    case 5:
      return Buffer.from(text, 'utf16le');
    case 6:
      return Buffer.from(`${text}${pick(r, [' ', '\n', 'x', ',', '\u0000'])}`);
    case 7:
      return Buffer.from('['.repeat(pick(r, [10_000, 200_000])));
    default:
      return Buffer.from(text);
  }
}

const CONTENT_TYPES: (string | undefined)[] = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;charset="utf-8"; foo=bar',
  'application/vnd.switchboard+json',
  'application/merge-patch+json',
  'application/jsonx',
  'multipart/form-data; boundary=xyz',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/octet-stream',
  undefined,
  '',
  ';;;',
  'json',
  '*/*',
  '\t application/json \t',
];

const MULTIPART =
  '--xyz\r\nContent-Disposition: form-data; name="file"; filename="../../evil.txt"\r\nContent-Type: text/plain\r\n\r\n' +
  'x'.repeat(2000) +
  '\r\n--xyz--\r\n';

function authorizationFor(r: Rng, route: RouteInfo, t: Tokens): string[] {
  const fitting = route.path.startsWith('/api/admin')
    ? t.admin
    : route.path.startsWith('/api/me')
      ? pick(r, [t.user, t.user, t.admin])
      : route.path.startsWith('/api/presence')
        ? t.app
        : route.path === '/metrics'
          ? METRICS_TOKEN
          : undefined;
  const k = r();
  if (k < 0.55) return fitting ? [`Bearer ${fitting}`] : chance(r, 0.3) ? [`Bearer ${t.user}`] : [];
  if (k < 0.7)
    return [
      `Bearer ${pick(r, [t.user, t.admin, t.app, t.otherTenantAllowed, t.otherTenant, t.otherAudience, t.expired, t.noScope, t.adminViaTamperedPayload, t.tamperedSignature, t.algNone, METRICS_TOKEN])}`,
    ];
  if (k < 0.8) {
    const base = fitting ?? t.user;
    return [
      pick(r, [
        `Bearer ${base.slice(0, int(r, base.length))}`,
        `bearer ${base}`,
        `Bearer  ${base} `,
        `Bearer ${base}.`,
        `Bearer ${base}${base}`,
        `Bearer ${base.replace(/\./g, '..')}`,
        `Bearer ${base.split('.').reverse().join('.')}`,
        `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        'Bearer',
        'Bearer ',
        '',
        'Bearer a.b.c',
        'Bearer eyJhbGciOiJIUzI1NiJ9.e30.',
        `Bearer ${'A'.repeat(int(r, 2) ? 9000 : 20_000)}`,
        `Negotiate ${base}`,
        `Bearer ${Buffer.from(randomString(r, 200)).toString('base64url')}`,
      ]),
    ];
  }
  if (k < 0.9) return [`Bearer ${fitting ?? t.user}`, `Bearer ${pick(r, [t.admin, t.expired, 'x'])}`]; // duplicated
  return [];
}

function pathFor(r: Rng, route: RouteInfo, w: World): string {
  const param = () => {
    const k = r();
    if (k < 0.3) return encodeURIComponent(pick(r, w.ids));
    if (k < 0.4) return GUID;
    if (k < 0.55) return pct(randomString(r, 30));
    if (k < 0.7)
      return pick(r, ['%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%2e%2e', '..', '%2F', '%ff%fe', '%25']);
    if (k < 0.8) return 'x'.repeat(pick(r, [300, 5000, 17_000]));
    if (k < 0.9) return encodeURIComponent('\u00fc\u4e2d\ud83d\ude00');
    return pick(r, [
      'null',
      'undefined',
      '0',
      '-1',
      '__proto__',
      'constructor',
      'index.html',
      '.',
      'a;b',
      'a%3Bb',
    ]);
  };
  let path = route.path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? param() : seg === '*' ? tabPath(r) : seg))
    .join('/');
  if (chance(r, 0.05)) path = path.replace(/\/$/, '') + pick(r, ['/', '//', '/.', '/..', '/%2e', '/extra']);
  if (chance(r, 0.03)) path = path.toUpperCase();
  return path + queryFor(r);
}

function tabPath(r: Rng): string {
  return pick(r, [
    'index.html',
    '',
    'missing.js',
    '..%2f..%2fpackage.json',
    '%2e%2e/%2e%2e/package.json',
    '....//....//etc/passwd',
    '%E0%A4%A',
    '%',
    '%00index.html',
    'index.html%00.png',
    'a/b/c/d',
    'x'.repeat(3000),
    encodeURIComponent('\ud83d\ude00.html'),
  ]);
}

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

const QUERY_KEYS = [
  'top',
  'skip',
  'filter',
  'q',
  'ids',
  'mails',
  'limit',
  'status',
  'clientType',
  'clientVersion',
  'validationToken',
  'key',
];

function queryFor(r: Rng): string {
  if (chance(r, 0.5)) return '';
  const parts: string[] = [];
  for (let i = 1 + int(r, 4); i > 0; i--) {
    const key = chance(r, 0.8)
      ? pick(r, QUERY_KEYS)
      : pick(r, ['__proto__', 'constructor[prototype][x]', 'a[b][c]', 'a[]', '%zz', '']);
    const value = pick(r, [
      () => HOOK_KEY,
      () => String(int(r, 300) - 50),
      () => pick(r, ['all', 'missed', 'new', 'resolved', 'web', 'x@contoso.example,bob@contoso.example']),
      () => pct(randomString(r, 30)),
      () => pick(r, ['%', '%zz', '%E0%A4%A', '%00', '1e3', 'NaN', 'Infinity', '0x10', '1.5', '']),
      () => 'a,'.repeat(pick(r, [99, 101, 3000])),
      () => 'y'.repeat(pick(r, [1024, 1025])),
    ])();
    parts.push(chance(r, 0.1) ? key : `${key}=${value}`);
    if (chance(r, 0.15)) parts.push(`${key}=${value}`); // repeated key
  }
  return `?${parts.join(pick(r, ['&', '&', '&&', ';']))}`;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'];

/** One request, from (seed, index) and the world alone. */
function generate(seed: number, index: number, w: World): FuzzRequest {
  const r = rngFor(seed, index);
  const route = pick(r, w.routes);
  const key = `${route.method} ${route.path}`;
  const method = chance(r, 0.85) ? route.method : pick(r, METHODS);
  const path = pathFor(r, route, w);
  const headers: [string, string][] = [];
  for (const a of authorizationFor(r, route, w.tokens)) headers.push(['Authorization', a]);

  let body: Buffer | undefined;
  let contentType: string | undefined = 'application/json';
  const seeds = seedBodies(w, r)[key];
  if (method !== 'GET' && method !== 'HEAD' ? chance(r, 0.9) : chance(r, 0.1)) {
    const valid = seeds ? pick(r, seeds) : randomJson(r);
    const value = chance(r, 0.3)
      ? valid
      : chance(r, 0.85)
        ? mutateJson(r, valid, w.maxBodyBytes)
        : randomJson(r);
    body = encodeBody(r, value);
  }
  if (chance(r, 0.25)) contentType = pick(r, CONTENT_TYPES);
  if (contentType?.startsWith('multipart') && chance(r, 0.7)) body = Buffer.from(MULTIPART);
  if (contentType === 'application/x-www-form-urlencoded' && chance(r, 0.7))
    body = Buffer.from('a=1&b=%zz&__proto__[x]=1');
  if (body && contentType !== undefined) headers.push(['Content-Type', contentType]);
  if (chance(r, 0.05))
    headers.push(['Content-Encoding', pick(r, ['gzip', 'deflate', 'br', 'identity', 'x'])]);
  if (chance(r, 0.05)) headers.push(['Content-Type', pick(r, ['text/plain', 'application/json'])]); // a second one
  if (chance(r, 0.05))
    headers.push([
      'X-Forwarded-For',
      pick(r, ['1.2.3.4', '::1, 10.0.0.1', randomString(r, 20).replace(/[^\x20-\x7e]/g, '')]),
    ]);
  if (chance(r, 0.03)) headers.push(['X-Big', 'h'.repeat(pick(r, [4000, 17_000]))]);
  if (chance(r, 0.03)) headers.push(['Expect', '100-continue']);
  if (chance(r, 0.03))
    headers.push(['Accept', pick(r, ['text/html', 'application/xml', '*/*;q=0', 'garbage'])]);
  const chunked = body !== undefined && chance(r, 0.15);

  if (chance(r, 0.04)) {
    // What no HTTP client library sends: broken framing, bytes a header may not hold, lying lengths.
    const lines = [
      `${pick(r, [method, 'GET', 'BREW', 'get', 'G E T'])} ${pick(r, [path, path.replace(/%/g, '\u0000'), `${path} x`, '*', 'http://evil/api/me', `${path}\u00ff`])} ${pick(r, ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x'])}`,
      'Host: 127.0.0.1',
      ...headers.map(([k, v]) => `${k}: ${v}`),
      ...(chance(r, 0.5) ? [`Authorization: Bearer ${w.tokens.user}\u0000`] : []),
      `Content-Length: ${pick(r, [body?.length ?? 0, (body?.length ?? 0) + 5, 0, -1, '1, 2', 'abc'])}`,
      ...(chance(r, 0.3) ? ['Transfer-Encoding: chunked'] : []),
      ...(chance(r, 0.2) ? ['Bad Header: x', 'X-Folded: a\r\n b'] : []),
      'Connection: close',
    ];
    const raw = Buffer.concat([
      Buffer.from(`${lines.join(pick(r, ['\r\n', '\r\n', '\n']))}\r\n\r\n`, 'latin1'),
      body ?? Buffer.alloc(0),
    ]);
    return { index, route: key, method, path, headers, body, chunked: false, raw };
  }
  return { index, route: key, method, path, headers, body, chunked };
}

// ---------------------------------------------------------------------------------------------------------------
// Sending and checking.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function sendHttp(base: URL, q: FuzzRequest, agent: Agent): Promise<Answer | { clientError: string }> {
  return new Promise((resolve) => {
    // A raw header list (so names may repeat) gets no Host from Node; HTTP/1.1 servers refuse a request without one.
    const flat: string[] = ['Host', base.host];
    for (const [k, v] of q.headers) flat.push(k, v);
    if (q.body && !q.chunked) flat.push('Content-Length', String(q.body.length));
    let settled = false;
    const done = (a: Answer | { clientError: string }) => {
      if (settled) return;
      settled = true;
      resolve(a);
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(
        {
          host: base.hostname,
          port: base.port,
          method: q.method,
          path: q.path,
          headers: flat,
          agent,
          timeout: 20_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', (e) => done({ clientError: e.message }));
        },
      );
    } catch (e) {
      // Node's client refused to send it (an invalid header character, a path it will not write).
      return done({ clientError: `not sent: ${(e as Error).message}` });
    }
    req.on('error', (e) => done({ clientError: e.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (q.body && q.chunked) {
      const cut = int(seededRandom(q.index), q.body.length + 1);
      req.write(q.body.subarray(0, cut));
      req.end(q.body.subarray(cut));
    } else req.end(q.body);
  });
}

function sendRaw(base: URL, q: FuzzRequest): Promise<Answer | { clientError: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) return resolve({ clientError: 'no answer (connection closed)' });
      const split = text.indexOf('\r\n\r\n');
      const headers: IncomingHttpHeaders = {};
      for (const line of text.slice(0, split).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(m[1]), headers, body: Buffer.from(text.slice(split + 4), 'latin1') });
    });
    socket.end(q.raw ?? Buffer.alloc(0));
  });
}

const WEBHOOKS = /^\/api\/notifications\//;

/** What is wrong with an answer, or undefined. */
function problemWith(q: FuzzRequest, a: Answer): string | undefined {
  if (a.status >= 500) return `answered ${a.status}`;
  if (q.raw) return undefined; // raw bodies may be chunk-framed; the status is what counts
  const type = String(a.headers['content-type'] ?? '');
  if (q.method === 'HEAD' || a.status === 204 || a.status === 304 || a.status < 200) return undefined;
  if (a.status >= 400) {
    // Node's HTTP parser refusing what it cannot parse (header too large, a malformed request line): no body at all.
    if ((a.status === 400 || a.status === 431) && a.body.length === 0 && !type) return undefined;
    if (WEBHOOKS.test(q.path) && type.startsWith('text/plain')) return undefined;
    if (!type.includes('json')) return `a ${a.status} answered as ${type || 'no content type'}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.body.toString('utf8'));
    } catch {
      return `a ${a.status} whose body is not JSON`;
    }
    const e = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof e?.code !== 'string' || typeof e.message !== 'string')
      return `a ${a.status} without the ApiError shape`;
    if (a.status === 429 && !a.headers['retry-after']) return 'a 429 without Retry-After';
    return undefined;
  }
  if (type.includes('json') && a.body.length > 0) {
    try {
      JSON.parse(a.body.toString('utf8'));
    } catch {
      return `a ${a.status} with a JSON content type and a body that is not JSON`;
    }
  }
  return undefined;
}

function describeRequest(q: FuzzRequest, seed: number): string {
  const preview = (b?: Buffer) =>
    b === undefined ? '(none)' : `${b.length} bytes: ${JSON.stringify(b.subarray(0, 300).toString('utf8'))}`;
  return [
    `request #${q.index} of seed ${seed} (route ${q.route}); replay: FUZZ_SEED=${seed} FUZZ_ONLY=${q.index} npx jest tests/integration/fuzz-routes.test.ts`,
    q.raw
      ? `  raw: ${JSON.stringify(q.raw.subarray(0, 600).toString('latin1'))}`
      : `  ${q.method} ${q.path.slice(0, 300)}${q.chunked ? ' (chunked)' : ''}\n  headers: ${JSON.stringify(q.headers.map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v]))}\n  body: ${preview(q.body)}`,
  ].join('\n');
}

interface RunResult {
  sent: number;
  notSent: number;
  statuses: Map<number, number>;
  byRoute: Map<string, { total: number; ok: number }>;
  failures: string[];
  ms: number;
  /** Process RSS after a full GC at each tenth of the run (the first taken after the first tenth). */
  rss: number[];
  /** Files the process opened for writing, created or renamed during the run, anywhere (the temp directory too). */
  fileWrites: string[];
}

async function runFuzz(w: World, seed: number, indices: number[], concurrency: number): Promise<RunResult> {
  const base = new URL(w.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: RunResult = {
    sent: 0,
    notSent: 0,
    statuses: new Map(),
    byRoute: new Map(),
    failures: [],
    ms: 0,
    rss: [],
    fileWrites: [],
  };
  const stopWatching = watchFileWrites(result.fileWrites);
  const started = Date.now();
  const tenth = Math.max(1, Math.floor(indices.length / 10));
  let next = 0;
  const worker = async () => {
    while (next < indices.length) {
      if (next > 0 && next % tenth === 0) {
        collectGarbage();
        result.rss.push(process.memoryUsage().rss);
      }
      const q = generate(seed, indices[next++]!, w);
      const a = q.raw ? await sendRaw(base, q) : await sendHttp(base, q, agent);
      if ('clientError' in a) {
        result.notSent++;
        continue;
      }
      result.sent++;
      result.statuses.set(a.status, (result.statuses.get(a.status) ?? 0) + 1);
      const route = result.byRoute.get(q.route) ?? { total: 0, ok: 0 };
      route.total++;
      if (a.status < 300) route.ok++;
      result.byRoute.set(q.route, route);
      const problem = problemWith(q, a);
      if (problem && result.failures.length < 20)
        result.failures.push(
          `${problem}: ${a.body.subarray(0, 300).toString('utf8')}\n${describeRequest(q, seed)}`,
        );
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Let what the requests started in the background (bot replies, notices, jobs) finish or fail.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    stopWatching();
    agent.destroy();
  }
  result.ms = Date.now() - started;
  return result;
}

/**
 * Records every file the process writes through node:fs while the run lasts. The environment variable TMPDIR cannot
 * be pointed at a private folder from inside jest (a test's process.env is a copy; os.tmpdir() reads the real one),
 * and the shared temp directory sees other tests' files, so the writes are caught where they are made: restify's old
 * multipart reader, for one, wrote uploads with fs.createWriteStream. The store writes through SQLite's own I/O, into
 * the data directory, which is compared before and after instead.
 */
function watchFileWrites(into: string[]): () => void {
  const fsm = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const fsp = fs.promises as unknown as Record<string, (...args: unknown[]) => unknown>;
  const writing = (flags: unknown) =>
    typeof flags === 'number'
      ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0
      : typeof flags === 'string' && /[wa+]/.test(flags);
  const restores: (() => void)[] = [];
  const spy = (
    target: Record<string, (...args: unknown[]) => unknown>,
    name: string,
    writes: (args: unknown[]) => boolean,
  ) => {
    const original = target[name]!;
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (writes(args)) into.push(`${name} ${String(args[0])}`);
      return original.apply(this, args);
    };
    restores.push(() => (target[name] = original));
  };
  for (const target of [fsm, fsp]) {
    spy(target, 'open', (a) => writing(a[1]));
    for (const name of [
      'writeFile',
      'appendFile',
      'mkdir',
      'mkdtemp',
      'rename',
      'copyFile',
      'symlink',
      'link',
    ])
      spy(target, name, () => true);
  }
  spy(fsm, 'openSync', (a) => writing(a[1]));
  spy(fsm, 'createWriteStream', () => true);
  for (const name of [
    'writeFileSync',
    'appendFileSync',
    'mkdirSync',
    'mkdtempSync',
    'renameSync',
    'copyFileSync',
  ])
    spy(fsm, name, () => true);
  return () => restores.reverse().forEach((restore) => restore());
}

// ---------------------------------------------------------------------------------------------------------------
// The server under test.

interface Running {
  world: World;
  server: Server;
  store: Store;
  sync: RecordingSync;
  close(): Promise<void>;
}

/** Recording sync whose monitor operations answer plausibly (the harness's throw, which would read as our 500s). */
class FuzzSync extends RecordingSync {
  override monitors = {
    add: async (_tenantId: string, input: { username: string }) => ({
      monitorId: 'm-new',
      username: input.username,
      state: 'active' as const,
      users: 0,
      passwordExpiresAt: null,
      subscriptionExpiresAt: null,
      lastError: null,
    }),
    authorize: async () => ({ state: 'active' as const }),
    renew: async () => ({ state: 'active' as const }),
    setPassword: async () => ({ state: 'active' as const }),
    remove: async () => undefined,
  } as unknown as RecordingSync['monitors'];
}

async function startServer(
  fx: EntraFixture,
  connector: Connector,
  dataDir: string,
  limits: { burst?: number; perSecond?: number } | undefined,
  wrapStore: (store: Store) => Store = (s) => s,
): Promise<Running> {
  const now = () => fx.clock.now();
  const logger = silentLogger();
  const store = wrapStore(await openStore(`sqlite:${join(dataDir, 'switchboard.sqlite')}`));
  const validator = createEntraJwtValidator({
    authorityHost: fx.entra.baseUrl,
    allowedTenantIds: [fx.contoso, fx.fabrikam],
    audiences: [
      fx.switchboard.clientId,
      fx.switchboard.identifierUri,
      fx.fabrikamApp.clientId,
      fx.fabrikamApp.identifierUri,
    ],
    now,
  });
  const bot = createTeamsBot({
    auth: { kind: 'playground' },
    store,
    logger,
    now,
    sso: { validator, appIdUri: fx.switchboard.identifierUri, signInUrl: 'http://127.0.0.1/tab/index.html' },
    signIns: new SignIns(store, now),
  });
  const sync = new FuzzSync();
  const jobs = new JobRegistry(logger, now);
  const reports = new ReportService({
    store,
    sync,
    jobs,
    notifier: bot.notifier,
    logger,
    appVersion: '9.9.9-fuzz',
    now,
  });
  const accepted = { count: 0 };
  const service: Pick<SyncService, 'receiveGraphNotifications' | 'receiveCloudLinkPost'> = {
    receiveGraphNotifications: (items) => {
      accepted.count += items.length;
      return Promise.resolve({ status: 202 });
    },
    receiveCloudLinkPost: (post) =>
      Promise.resolve(acceptCloudLinkPost(post, HOOK_KEY, readCloudLinkWebhook, () => accepted.count++)),
  };
  const records: CallRecord[] = Array.from({ length: 120 }, (_, i) => ({
    callId: `c${i}`,
    from: '+49301110000',
    fromName: i % 2 ? 'Erika Mustermann' : null,
    to: '201',
    toName: 'Bob Agent',
    direction: i % 3 ? 'inbound' : 'outbound',
    state: 'completed',
    cause: i % 5 ? null : 'callNotAnswer',
    createdOn: new Date(Date.UTC(2026, 10, 23) - i * 60_000).toISOString(),
    endTime: null,
    completed: i % 5 !== 0,
    ringTime: 4000,
    billingTime: 61_000,
  }));
  const server = createServer({
    logger,
    store,
    now,
    authenticator: new Authenticator({ validator }),
    sync,
    cloudlinkFor: () => new FakeCallHistory(records) as never,
    reports,
    jobs,
    secretBox: new SecretBox(Buffer.alloc(32, 7)),
    bot: bot.endpoint({ sync, reports }),
    webhooks: tenantWebhooks(() => service as SyncService),
    metrics: new Registry(),
    metricsToken: METRICS_TOKEN,
    tabDir: 'tests/integration/bot-tab-fixture',
    appVersion: '9.9.9-fuzz',
    defaults: {
      mapping: DEFAULT_MAPPING,
      selection: {
        mode: 'allWithBlockList',
        blockList: [],
        groupId: null,
        allowList: [],
        sendToTeams: true,
        getFromTeams: true,
      },
    },
    limits,
  });
  const baseUrl = await listen(server, 0, '127.0.0.1');

  await store.putUsers([
    {
      tenantId: fx.contoso,
      entraUserId: fx.users.bob,
      upn: 'bob@contoso.example',
      displayName: 'Bob Agent',
      pbxPrincipalId: 'p-bob',
      extension: '201',
      sendToTeams: null,
      getFromTeams: null,
      selected: true,
      updatedAt: 0,
    },
  ]);
  const report = await reports.create(
    { tenantId: fx.contoso, userId: fx.users.bob, displayName: 'Bob Agent' },
    { category: 'presence', description: 'stuck', includeDiagnostics: false },
    { source: 'tab', client: { type: 'web' }, correlationIds: [] },
  );

  const mint = (
    tenantId: string,
    userId: string,
    extra: { audience?: string; expiresInSeconds?: number; scp?: string } = {},
  ) =>
    fx.entra.mintTeamsSsoToken({
      tenantId,
      userId,
      clientId: tenantId === fx.fabrikam ? fx.fabrikamApp.clientId : fx.switchboard.clientId,
      ...extra,
    });
  const user = await mint(fx.contoso, fx.users.bob);
  const [head, payload, signature] = user.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['Switchboard.Admin'] })).toString(
    'base64url',
  );
  const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
  const app = await postToken(fx, fx.contoso, {
    grant_type: 'client_credentials',
    client_id: fx.crm.clientId,
    client_secret: fx.crm.secret,
    scope: `${fx.switchboard.clientId}/.default`,
  });
  const tokens: Tokens = {
    user,
    admin: await mint(fx.contoso, fx.users.alice),
    app: String(app.body.access_token),
    otherTenantAllowed: await mint(fx.fabrikam, fx.users.fabrikamUser),
    otherTenant: await mint(NORTHWIND, northwindUser(fx)),
    otherAudience: await mint(fx.contoso, fx.users.bob, { audience: fx.crm.clientId }),
    expired: await mint(fx.contoso, fx.users.alice, { expiresInSeconds: -3600 }),
    noScope: await mint(fx.contoso, fx.users.alice, { scp: 'User.Read' }),
    adminViaTamperedPayload: `${head}.${elevated}.${signature}`,
    tamperedSignature: `${head}.${payload}.${flipped}`,
    algNone: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${elevated}.`,
  };

  // Every route the server mounts, from restify's own router (an object by route name at run time).
  const routes = Object.values(server.router.getRoutes()).map((r) => ({
    method: r.method,
    path: String(r.path),
  }));
  const world: World = {
    baseUrl,
    routes,
    tokens,
    ids: [fx.users.bob, fx.users.alice, report.reportId, 'p-bob', 'm-new'],
    connectorUrl: connector.url,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  };
  return {
    world,
    server,
    store,
    sync,
    async close() {
      await new Promise<void>((r) => {
        server.server.closeAllConnections();
        server.close(() => r());
      });
      await store.close();
    },
  };
}

const NORTHWIND = 'a0a0a0a0-0000-4000-8000-0000000000ee';

/** A third tenant the emulator signs for and the server does not serve. */
function northwindUser(fx: EntraFixture): string {
  const tenant = fx.directory.tenant(NORTHWIND);
  if (tenant) return [...tenant.users.values()][0]!.id;
  fx.directory.addTenant({ id: NORTHWIND, displayName: 'Northwind', domain: 'northwind.example' });
  // Northwind's admin consented to the (multi-tenant) app: Teams hands its users real tokens for it.
  fx.directory.grantAdminConsent(NORTHWIND, fx.switchboard.clientId, {
    application: [],
    delegated: ['User.Read'],
    by: 'admin@northwind.example',
    at: fx.clock.now(),
  });
  return fx.directory.addUser(NORTHWIND, {
    userPrincipalName: 'eve@northwind.example',
    displayName: 'Eve',
    appRoles: { [fx.switchboard.clientId]: ['Switchboard.Admin'] },
  }).id;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * A store with planted bugs, to prove the fuzzer notices them: a 500 on some bodies, a file written on the others. (A stray
 * rejection cannot be planted in a passing test: jest fails the running test on one by itself, which was checked.)
 */
function plantedBugs(dir: string) {
  return (store: Store): Store =>
    new Proxy(store, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (prop === 'putUserSettings')
          return (...args: unknown[]) => {
            const settings = args[2] as { missedCallNotice: boolean; clickToCall?: { ios?: string } };
            if (settings.clickToCall?.ios !== undefined)
              throw new Error('planted: a route that fails on some bodies');
            fs.writeFileSync(join(dir, 'planted-upload'), 'x');
            return method.apply(target, args);
          };
        return method.bind(target);
      },
    });
}

/** A full garbage collection, also without `node --expose-gc`, so RSS is measured without the run's garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

// ---------------------------------------------------------------------------------------------------------------

describe('route fuzzing', () => {
  let fx: EntraFixture;
  let connector: Connector;
  let scratch: string;
  let dataDir: string;
  // A stray rejection or exception anywhere in the process fails the running test: jest reports one by itself (checked
  // by planting one in the server's store), and these handlers record any that reach the process's own listeners.
  const processErrors: string[] = [];
  const onRejection = (reason: unknown) => processErrors.push(`unhandled rejection: ${String(reason)}`);
  const onException = (error: Error) =>
    processErrors.push(`uncaught exception: ${error.stack ?? String(error)}`);

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'switchboard-fuzz-'));
    dataDir = join(scratch, 'data');
    mkdirSync(dataDir);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    fx = await startEntraFixture();
    connector = await startConnector();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await connector?.close();
    await fx?.entra.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it(
    `sends ${ONLY === undefined ? REQUESTS : 1} mutated requests over every route: no 5xx, no stray rejection, no file, bounded memory`,
    async () => {
      const running = await startServer(fx, connector, dataDir, { burst: 1_000_000, perSecond: 1_000_000 });
      try {
        const { world } = running;
        expect(world.routes.length).toBeGreaterThanOrEqual(30);
        // Every mounted route is one of the fuzzer's targets.
        expect(world.routes.map((r) => `${r.method} ${r.path}`)).toEqual(
          expect.arrayContaining([
            'GET /api/me',
            'PUT /api/admin/mapping',
            'GET /api/presence',
            'POST /api/messages',
            'GET /tab/*',
          ]),
        );
        const dataBefore = filesUnder(dataDir);
        collectGarbage();
        const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
        // The recording sync keeps every call it saw; a test double's memory is not the server's.
        const forget = setInterval(() => (running.sync.calls.length = 0), 1000);
        const indices = ONLY === undefined ? Array.from({ length: REQUESTS }, (_, i) => i) : [ONLY];
        const result = await runFuzz(world, SEED, indices, ONLY === undefined ? CONCURRENCY : 1);
        collectGarbage();
        clearInterval(forget);
        const { rss: rssAfter, heapUsed: heapAfter } = process.memoryUsage();

        const statuses = [...result.statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}:${n}`)
          .join(' ');
        console.log(
          `fuzz seed ${SEED}: ${result.sent} answered (${result.notSent} not sent or not answered) in ${result.ms} ms, ` +
            `${Math.round((result.sent * 1000) / Math.max(1, result.ms))}/s; ${world.routes.length} routes; statuses ${statuses}; ` +
            `RSS ${mb(rssBefore)} -> ${mb(rssAfter)} MB, heap ${mb(heapBefore)} -> ${mb(heapAfter)} MB` +
            ` (after a full GC); RSS by tenths ${result.rss.map(mb).join(' ')} MB`,
        );
        expect(result.failures).toEqual([]);
        expect(processErrors).toEqual([]);
        expect(result.fileWrites).toEqual([]);
        // SQLite's own journal files may come and go next to the database; nothing else may appear.
        const dataAfter = filesUnder(dataDir).filter(
          (f) => !/^switchboard\.sqlite(-wal|-shm|-journal)?$/.test(f),
        );
        expect(dataAfter).toEqual(
          dataBefore.filter((f) => !/^switchboard\.sqlite(-wal|-shm|-journal)?$/.test(f)),
        );
        expect(mb(rssAfter - rssBefore)).toBeLessThan(RSS_BOUND_MB);
        if (ONLY === undefined) {
          // The fuzzer reaches past the front door: every route is hit, and most signed-in routes also succeed sometimes.
          expect(result.sent).toBeGreaterThan(REQUESTS * 0.9);
          for (const r of world.routes)
            expect(result.byRoute.get(`${r.method} ${r.path}`)?.total ?? 0).toBeGreaterThan(0);
          const succeeded = [...result.byRoute.values()].filter((r) => r.ok > 0).length;
          expect(succeeded).toBeGreaterThan(world.routes.length * 0.7);
        }
      } finally {
        await running.close();
      }
    },
    60_000 + REQUESTS * 10,
  );

  it('notices a planted 500 and a planted file write, and prints the request to replay', async () => {
    if (ONLY !== undefined) return;
    const dir = join(scratch, 'data-planted');
    mkdirSync(dir);
    const running = await startServer(
      fx,
      connector,
      dir,
      { burst: 1_000_000, perSecond: 1_000_000 },
      plantedBugs(dir),
    );
    try {
      // Only the route with the planted bugs, so the check is quick and no new route elsewhere changes what it sends.
      const world = {
        ...running.world,
        routes: running.world.routes.filter((r) => r.path === '/api/me/settings'),
      };
      const result = await runFuzz(
        world,
        0x5b0a11,
        Array.from({ length: 200 }, (_, i) => i),
        CONCURRENCY,
      );
      expect(result.fileWrites).toContainEqual(expect.stringMatching(/^writeFileSync .*planted-upload$/));
      expect(result.failures[0]).toMatch(/^answered 500: .*internal_error/);
      expect(result.failures[0]).toMatch(/PUT \/api\/me\/settings/);
      expect(result.failures[0]).toMatch(/replay: FUZZ_SEED=\d+ FUZZ_ONLY=\d+ npx jest/);
    } finally {
      await running.close();
    }
  });

  it('with the default rate limits, floods are refused with clean 429s', async () => {
    if (ONLY !== undefined) return;
    const dir = join(scratch, 'data-limits');
    mkdirSync(dir);
    const running = await startServer(fx, connector, dir, undefined);
    try {
      const result = await runFuzz(
        running.world,
        SEED + 1,
        Array.from({ length: 1500 }, (_, i) => i),
        CONCURRENCY,
      );
      console.log(
        `fuzz with default limits: ${result.sent} answered in ${result.ms} ms; statuses ${[...result.statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}:${n}`)
          .join(' ')}`,
      );
      expect(result.failures).toEqual([]);
      expect(result.statuses.get(429) ?? 0).toBeGreaterThan(100);
      expect(processErrors).toEqual([]);
      expect(result.fileWrites).toEqual([]);
    } finally {
      await running.close();
    }
  });
});
