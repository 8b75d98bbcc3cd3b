import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, cloudlinkServiceUrl, loadConfig } from '../../shared/config/load';
import { configSchema } from '../../shared/config/schema';

const tenant = '11111111-2222-3333-4444-555555555555';
const live = {
  TENANT_ID: tenant,
  CLIENT_ID: '21111111-2222-3333-4444-555555555555',
  CLIENT_SECRET: 'shh',
  BOT_ID: '31111111-2222-3333-4444-555555555555',
  BOT_PASSWORD: 'pw',
  SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  PUBLIC_BASE_URL: 'https://switchboard.example.com/',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('configuration', () => {
  it('runs in demo mode with Microsoft and Mitel defaults when no tenant is configured', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('demo');
    expect(c.port).toBe(3978);
    expect(c.graphBaseUrl).toBe('https://graph.microsoft.com');
    expect(c.authorityHost).toBe('https://login.microsoftonline.com');
    expect(cloudlinkServiceUrl(c, 'media')).toBe('https://media.api.mitel.io/2017-09-01');
    expect(c.storeUrl).toBe('sqlite:data/switchboard.sqlite');
  });

  it('switches to live mode with a tenant and demands what live mode needs, naming each key', () => {
    expect(loadConfig(live).mode).toBe('live');
    const problems = problemsOf({ TENANT_ID: tenant });
    for (const key of [
      'CLIENT_ID',
      'CLIENT_SECRET',
      'BOT_ID',
      'BOT_PASSWORD',
      'SECRET_KEY',
      'PUBLIC_BASE_URL',
    ]) {
      expect(problems).toContain(`${key} is required when TENANT_ID is set`);
    }
  });

  it('stays single-tenant unless TENANCY=hosted, which serves the registry with no TENANT_ID and needs the rest of live mode', () => {
    expect(loadConfig({}).tenancy).toBe('single');
    expect(loadConfig(live).tenancy).toBe('single');
    const hostedEnv: Record<string, string> = { ...live };
    delete hostedEnv.TENANT_ID;
    const hosted = loadConfig({ ...hostedEnv, TENANCY: 'hosted' });
    expect(hosted).toMatchObject({ tenancy: 'hosted', mode: 'live' });
    expect(hosted.tenantId).toBeUndefined();
    // A tenant id alongside hosted mode would say two things at once.
    expect(problemsOf({ ...live, TENANCY: 'hosted' })).toContain(
      'TENANT_ID must be unset with TENANCY=hosted: the tenants come from admin consent, not the configuration',
    );
    const problems = problemsOf({ TENANCY: 'hosted' });
    for (const key of [
      'CLIENT_ID',
      'CLIENT_SECRET',
      'BOT_ID',
      'BOT_PASSWORD',
      'SECRET_KEY',
      'PUBLIC_BASE_URL',
    ])
      expect(problems).toContain(`${key} is required with TENANCY=hosted`);
    expect(
      problemsOf({ ...hostedEnv, TENANCY: 'hosted', PUBLIC_BASE_URL: 'http://switchboard.example.com' })[0],
    ).toMatch(/^PUBLIC_BASE_URL must be an https URL/);
    expect(problemsOf({ TENANCY: 'multi' })[0]).toMatch(/^TENANCY /);
    // An admin group is one tenant's: across tenants the admins are those with the app role in their own tenant.
    expect(
      problemsOf({ ...hostedEnv, TENANCY: 'hosted', ADMIN_GROUP_ID: '11111111-2222-4333-8444-555555555555' }),
    ).toEqual([expect.stringMatching(/^ADMIN_GROUP_ID must be unset with TENANCY=hosted/)]);
    // The operator tenant is the hosting provider's: hosted mode only, kept in lower case as tokens' tid are.
    const operatorTenant = 'AAAAAAAA-2222-4333-8444-555555555555';
    expect(
      loadConfig({ ...hostedEnv, TENANCY: 'hosted', OPERATOR_TENANT_ID: operatorTenant }).operatorTenantId,
    ).toBe(operatorTenant.toLowerCase());
    expect(problemsOf({ ...live, OPERATOR_TENANT_ID: operatorTenant })).toEqual([
      expect.stringMatching(/^OPERATOR_TENANT_ID is for TENANCY=hosted only/),
    ]);
  });

  it('names the key and what is wrong for bad values', () => {
    expect(problemsOf({ PORT: 'eighty' })[0]).toMatch(/^PORT /);
    expect(problemsOf({ TENANT_ID: 'contoso' })).toContain('TENANT_ID must be a GUID');
    expect(problemsOf({ GRAPH_BASE_URL: 'not a url' })[0]).toMatch(/^GRAPH_BASE_URL /);
    expect(problemsOf({ CLOUDLINK_API_BASE: 'https://media.api.mitel.io' })[0]).toMatch(
      /CLOUDLINK_API_BASE must contain \{service\}/,
    );
    expect(problemsOf({ SECRET_KEY: 'c2hvcnQ=' })[0]).toMatch(/SECRET_KEY must be 32 bytes/);
    expect(problemsOf({ STORE_URL: 'mysql://x' })[0]).toMatch(
      /STORE_URL must start with sqlite: or postgres/,
    );
  });

  it('refuses an http PUBLIC_BASE_URL in live mode, where Graph would deliver nothing, unless loopback development opts out', () => {
    expect(problemsOf({ ...live, PUBLIC_BASE_URL: 'http://switchboard.example.com' })).toEqual([
      expect.stringMatching(
        /^PUBLIC_BASE_URL must be an https URL: Microsoft Graph .*ALLOW_HTTP_PUBLIC_BASE_URL=true/,
      ),
    ]);
    expect(
      problemsOf({ ...live, PUBLIC_BASE_URL: 'http://10.0.0.5:3978', ALLOW_HTTP_PUBLIC_BASE_URL: 'true' }),
    ).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL must be https, or a loopback http URL .*got 10\.0\.0\.5/),
    ]);
    const dev = loadConfig({
      ...live,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3978',
      ALLOW_HTTP_PUBLIC_BASE_URL: 'true',
    });
    expect(dev).toMatchObject({ publicBaseUrl: 'http://127.0.0.1:3978', allowHttpPublicBaseUrl: true });
    // The demo runs on http against its in-process emulators, as before.
    expect(loadConfig({}).publicBaseUrl).toBe('http://127.0.0.1:3978');
  });

  it("takes the client secret's expiry date as configuration, so the first start already knows it", () => {
    expect(loadConfig({ ...live, CLIENT_SECRET_EXPIRES_AT: '2027-06-30' }).clientSecretExpiresAt).toBe(
      Date.parse('2027-06-30'),
    );
    expect(problemsOf({ ...live, CLIENT_SECRET_EXPIRES_AT: 'next june' })[0]).toMatch(
      /^CLIENT_SECRET_EXPIRES_AT must be a date/,
    );
  });

  it('refuses the unauthenticated playground mode on a non-loopback address', () => {
    expect(problemsOf({ LOCAL_PLAYGROUND: 'true', HOST: '0.0.0.0' })[0]).toMatch(
      /LOCAL_PLAYGROUND .* loopback/,
    );
    expect(loadConfig({ LOCAL_PLAYGROUND: 'true', HOST: '127.0.0.1' }).localPlayground).toBe(true);
  });

  it('layers the environment over a JSON config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, LOG_LEVEL: 'debug' }));
    const c = loadConfig({ CONFIG_FILE: file, LOG_LEVEL: 'warn' });
    expect(c.port).toBe(4000);
    expect(c.logLevel).toBe('warn');
    writeFileSync(file, '{ nope');
    expect(problemsOf({ CONFIG_FILE: file })[0]).toMatch(/CONFIG_FILE is not valid JSON/);
  });

  it('paces resync PBX reads below the assumed CloudLink limit, and keeps /metrics off until a token is set', () => {
    expect(loadConfig({}).sync.pbxReadsPerSecond).toBe(150);
    expect(loadConfig({ CLOUDLINK_READS_PER_SECOND: '40' }).sync.pbxReadsPerSecond).toBe(40);
    expect(problemsOf({ CLOUDLINK_READS_PER_SECOND: '0' })[0]).toMatch(/^CLOUDLINK_READS_PER_SECOND/);
    expect(loadConfig({}).metricsBearerToken).toBeUndefined();
    expect(loadConfig({ METRICS_BEARER_TOKEN: '' }).metricsBearerToken).toBeUndefined();
    expect(problemsOf({ METRICS_BEARER_TOKEN: 'short' })[0]).toMatch(
      /^METRICS_BEARER_TOKEN must be at least 16/,
    );
    expect(loadConfig({ METRICS_BEARER_TOKEN: 'a'.repeat(32) }).metricsBearerToken).toBe('a'.repeat(32));
  });

  it('documents every key in .env.example', () => {
    const documented = new Set(
      readFileSync(join(__dirname, '../../.env.example'), 'utf8')
        .split('\n')
        .map((l) => /^([A-Z_]+)=/.exec(l)?.[1])
        .filter((k): k is string => Boolean(k)),
    );
    const keys = Object.keys(
      (configSchema as unknown as { _def: { schema: { shape: object } } })._def.schema.shape,
    );
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !keys.includes(k))).toEqual([]);
  });
});
