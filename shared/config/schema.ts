import { z } from 'zod';

/**
 * Every setting Switchboard reads, in one place. `.env.example` documents the same keys; a test keeps the two
 * in step. Values come from the environment, optionally layered over a JSON file named by CONFIG_FILE.
 */
const url = z.string().url();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

export const CLOUDLINK_DEFAULT_BASE = 'https://{service}.api.mitel.io/2017-09-01';

export const configSchema = z
  .object({
    PORT: port.default(3978),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_BASE_URL: url.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // json: one JSON object a line, for log collectors (default); pretty: readable lines for a terminal.
    LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),

    // single (default): one tenant, TENANT_ID. hosted: one deployment serves every tenant whose admin consented
    // (issue 16; docs/hosting.md says what exists and what is missing); TENANT_ID must then be unset.
    TENANCY: z.enum(['single', 'hosted']).default('single'),
    TENANT_ID: guid.optional(),
    CLIENT_ID: guid.optional(),
    CLIENT_SECRET: z.string().min(1).optional(),
    // When CLIENT_SECRET expires (Entra shows it next to the secret), so the first start already warns in time.
    CLIENT_SECRET_EXPIRES_AT: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date, e.g. 2027-06-30 or 2027-06-30T12:00:00Z')
      .optional(),
    APP_ID_URI: z.string().min(1).optional(),
    BOT_ID: guid.optional(),
    BOT_PASSWORD: z.string().min(1).optional(),
    // The Teams app's manifest id: bot notices link into the app's tab with it (Teams deep links name the app by it).
    TEAMS_APP_ID: guid.optional(),
    ADMIN_GROUP_ID: guid.optional(),
    // Hosted mode: the hosting provider's own tenant. Its users holding the Switchboard.Operator app role see the
    // operator view (every customer tenant and its health); nobody else does, a customer's admin included.
    OPERATOR_TENANT_ID: guid.optional(),

    GRAPH_BASE_URL: url.default('https://graph.microsoft.com'),
    AUTHORITY_HOST: url.default('https://login.microsoftonline.com'),
    CLOUDLINK_API_BASE: z
      .string()
      .default(CLOUDLINK_DEFAULT_BASE)
      .refine(
        (v) => v.includes('{service}'),
        'must contain {service}, e.g. https://{service}.api.mitel.io/2017-09-01',
      ),
    CLOUDLINK_ACCOUNT_ID: z.string().min(1).optional(),
    CLOUDLINK_CLIENT_ID: z.string().min(1).optional(),
    CLOUDLINK_CLIENT_SECRET: z.string().min(1).optional(),
    CLOUDLINK_APP_ID: z.string().min(1).default('switchboard'),

    STORE_URL: z
      .string()
      .default('sqlite:data/switchboard.sqlite')
      .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), 'must start with sqlite: or postgres://'),
    SECRET_KEY: z
      .string()
      .refine(
        (v) => Buffer.from(v, 'base64').length === 32,
        'must be 32 bytes, base64 encoded (openssl rand -base64 32)',
      )
      .optional(),

    SYNC_MODE: z.enum(['hybrid', 'notifications', 'polling']).default('hybrid'),
    POLL_INTERVAL_MS: z.coerce.number().int().min(1000).max(300_000).default(5000),
    RESYNC_INTERVAL_MS: z.coerce.number().int().min(60_000).default(3_600_000),
    // CloudLink publishes no rate limit; 200 requests/s per account is our assumption (the emulator enforces it), so
    // resync PBX reads are paced below it to leave room for webhook reads and DND writes.
    CLOUDLINK_READS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(150),
    // The tenant's sync lease (one owner per tenant, issue 12; docs/architecture.md). A takeover after the owner dies
    // takes about the ttl; the owner renews several times per ttl and stops writing `margin` before its lease ends.
    SYNC_LEASE_TTL_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
    SYNC_LEASE_RENEW_MS: z.coerce.number().int().min(100).max(100_000).default(2_500),
    SYNC_LEASE_MARGIN_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),

    // Bearer token Prometheus must send to GET /metrics; unset, /metrics answers 404 (disabled).
    METRICS_BEARER_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters (openssl rand -hex 32)')
      .optional(),

    // Loopback development only: lets a live-mode PUBLIC_BASE_URL be http://127.0.0.1... (Graph itself needs https).
    ALLOW_HTTP_PUBLIC_BASE_URL: bool.default('false'),
    LOCAL_PLAYGROUND: bool.default('false'),
    DEMO_CALL_INTERVAL_MS: z.coerce.number().int().min(0).default(20_000),
  })
  .superRefine((c, ctx) => {
    // Two renewals may fail in a row and the owner still writes: renew at least twice within what the fence allows.
    if (c.SYNC_LEASE_RENEW_MS * 2 > c.SYNC_LEASE_TTL_MS - c.SYNC_LEASE_MARGIN_MS)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SYNC_LEASE_RENEW_MS'],
        message: 'must be at most half of SYNC_LEASE_TTL_MS minus SYNC_LEASE_MARGIN_MS',
      });
    const hosted = c.TENANCY === 'hosted';
    if (hosted && c.TENANT_ID !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['TENANT_ID'],
        message:
          'must be unset with TENANCY=hosted: the tenants come from admin consent, not the configuration',
      });
    if (hosted && c.ADMIN_GROUP_ID !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['ADMIN_GROUP_ID'],
        message:
          "must be unset with TENANCY=hosted: a group belongs to one tenant; each customer's admins hold the Switchboard.Admin app role",
      });
    if (!hosted && c.OPERATOR_TENANT_ID !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['OPERATOR_TENANT_ID'],
        message:
          "is for TENANCY=hosted only: it names the hosting provider's tenant, whose operators see every customer",
      });
    const live = c.TENANT_ID !== undefined || hosted;
    if (live) {
      for (const key of [
        'CLIENT_ID',
        'CLIENT_SECRET',
        'BOT_ID',
        'BOT_PASSWORD',
        'SECRET_KEY',
        'PUBLIC_BASE_URL',
      ] as const) {
        if (c[key] === undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [key],
            message: hosted ? 'is required with TENANCY=hosted' : 'is required when TENANT_ID is set',
          });
        }
      }
    }
    if (live && c.PUBLIC_BASE_URL !== undefined && !c.PUBLIC_BASE_URL.startsWith('https://')) {
      const host = new URL(c.PUBLIC_BASE_URL).hostname.replace(/^\[|\]$/g, '');
      if (!c.ALLOW_HTTP_PUBLIC_BASE_URL || !isLoopback(host))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['PUBLIC_BASE_URL'],
          message: c.ALLOW_HTTP_PUBLIC_BASE_URL
            ? `must be https, or a loopback http URL with ALLOW_HTTP_PUBLIC_BASE_URL=true (got ${host})`
            : 'must be an https URL: Microsoft Graph and CloudLink deliver webhooks to https only (for loopback development set ALLOW_HTTP_PUBLIC_BASE_URL=true)',
        });
    }
    if (c.LOCAL_PLAYGROUND && !isLoopback(c.HOST)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['LOCAL_PLAYGROUND'],
        message: `accepts unauthenticated bot traffic, so HOST must be a loopback address (got ${c.HOST})`,
      });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
