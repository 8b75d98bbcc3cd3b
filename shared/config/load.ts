import { readFileSync } from 'node:fs';
import { configSchema, isLoopback, type RawConfig } from './schema';

/** The one configuration object, built at start-up and handed down. Nothing reads process.env deeper in. */
export interface Config {
  /** `demo`: no tenant configured, the product runs against the bundled emulators with a seeded company. */
  mode: 'demo' | 'live';
  /**
   * `single`: the one tenant of TENANT_ID (or the demo's). `hosted`: every tenant in the store's registry, onboarded
   * through admin consent (always live; no TENANT_ID).
   */
  tenancy: 'single' | 'hosted';
  port: number;
  host: string;
  publicBaseUrl: string;
  logLevel: RawConfig['LOG_LEVEL'];
  logFormat: RawConfig['LOG_FORMAT'];
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** epoch ms CLIENT_SECRET expires, when the operator gave it. */
  clientSecretExpiresAt?: number;
  /** Live mode with an http PUBLIC_BASE_URL on loopback (development only). */
  allowHttpPublicBaseUrl: boolean;
  appIdUri?: string;
  botId?: string;
  botPassword?: string;
  /** The Teams app manifest id (TEAMS_APP_ID), for deep links into the app's tabs. */
  teamsAppId?: string;
  adminGroupId?: string;
  /** Hosted mode: the hosting provider's tenant, whose Switchboard.Operator role holders see the operator view. */
  operatorTenantId?: string;
  graphBaseUrl: string;
  authorityHost: string;
  cloudlink: {
    apiBase: string;
    accountId?: string;
    clientId?: string;
    clientSecret?: string;
    appId: string;
  };
  storeUrl: string;
  secretKey?: Buffer;
  sync: {
    mode: 'hybrid' | 'notifications' | 'polling';
    pollIntervalMs: number;
    resyncIntervalMs: number;
    /** Pace of resync PBX reads (CloudLink publishes no limit; see schema.ts). */
    pbxReadsPerSecond: number;
    /** The tenant's sync lease: ownership and fencing (shared/sync/ownership.ts, fence.ts). */
    lease: { ttlMs: number; renewEveryMs: number; marginMs: number };
  };
  /** What GET /metrics requires as `Authorization: Bearer …`; undefined: /metrics is disabled (404). */
  metricsBearerToken?: string;
  localPlayground: boolean;
  demoCallIntervalMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/** Reads the environment, layered over the JSON file named by CONFIG_FILE if any. Throws ConfigError naming each bad key. */
export function loadConfig(env: Source = process.env): Config {
  const merged: Source = { ...readConfigFile(env.CONFIG_FILE), ...definedOnly(env) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`));
  }
  const c = parsed.data;
  return {
    mode: c.TENANT_ID || c.TENANCY === 'hosted' ? 'live' : 'demo',
    tenancy: c.TENANCY,
    port: c.PORT,
    host: c.HOST,
    publicBaseUrl: (
      c.PUBLIC_BASE_URL ?? `http://${isLoopback(c.HOST) ? '127.0.0.1' : c.HOST}:${c.PORT}`
    ).replace(/\/$/, ''),
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    tenantId: c.TENANT_ID,
    clientId: c.CLIENT_ID,
    clientSecret: c.CLIENT_SECRET,
    clientSecretExpiresAt: c.CLIENT_SECRET_EXPIRES_AT ? Date.parse(c.CLIENT_SECRET_EXPIRES_AT) : undefined,
    allowHttpPublicBaseUrl: c.ALLOW_HTTP_PUBLIC_BASE_URL,
    appIdUri: c.APP_ID_URI,
    botId: c.BOT_ID,
    botPassword: c.BOT_PASSWORD,
    teamsAppId: c.TEAMS_APP_ID,
    adminGroupId: c.ADMIN_GROUP_ID,
    operatorTenantId: c.OPERATOR_TENANT_ID?.toLowerCase(),
    graphBaseUrl: c.GRAPH_BASE_URL.replace(/\/$/, ''),
    authorityHost: c.AUTHORITY_HOST.replace(/\/$/, ''),
    cloudlink: {
      apiBase: c.CLOUDLINK_API_BASE.replace(/\/$/, ''),
      accountId: c.CLOUDLINK_ACCOUNT_ID,
      clientId: c.CLOUDLINK_CLIENT_ID,
      clientSecret: c.CLOUDLINK_CLIENT_SECRET,
      appId: c.CLOUDLINK_APP_ID,
    },
    storeUrl: c.STORE_URL,
    secretKey: c.SECRET_KEY ? Buffer.from(c.SECRET_KEY, 'base64') : undefined,
    sync: {
      mode: c.SYNC_MODE,
      pollIntervalMs: c.POLL_INTERVAL_MS,
      resyncIntervalMs: c.RESYNC_INTERVAL_MS,
      pbxReadsPerSecond: c.CLOUDLINK_READS_PER_SECOND,
      lease: {
        ttlMs: c.SYNC_LEASE_TTL_MS,
        renewEveryMs: c.SYNC_LEASE_RENEW_MS,
        marginMs: c.SYNC_LEASE_MARGIN_MS,
      },
    },
    metricsBearerToken: c.METRICS_BEARER_TOKEN,
    localPlayground: c.LOCAL_PLAYGROUND,
    demoCallIntervalMs: c.DEMO_CALL_INTERVAL_MS,
  };
}

/** Builds the URL of one CloudLink service ("authentication", "admin", "media", "notifications") from the template. */
export function cloudlinkServiceUrl(config: Pick<Config, 'cloudlink'>, service: string): string {
  return config.cloudlink.apiBase.replace('{service}', service);
}

function readConfigFile(path: string | undefined): Source {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`CONFIG_FILE cannot be read (${path}): ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`CONFIG_FILE is not valid JSON (${path}): ${(e as Error).message}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError([`CONFIG_FILE must hold a JSON object of KEY: value pairs (${path})`]);
  }
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

function definedOnly(env: Source): Source {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}
