import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSwitchboard, type RunningSwitchboard } from '../../bot/app';
import { startEmulators, type Emulators } from '../../emulators/index';
import { demoTenantLink, seedDemoCompany, type DemoCompany } from '../../emulators/seed/demo';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';
import { eventually, freePort } from './real-time';

/**
 * docs/presence-api.md's "Try it against the demo", run as written: the seeded reception console gets a token from
 * the demo's Entra ID and reads presence with curl. Only the two values the demo prints (its token endpoint, its
 * port) are filled in.
 */
const run = promisify(execFile);
let emulators: Emulators;
let company: DemoCompany;
let app: RunningSwitchboard;
const dir = mkdtempSync(join(tmpdir(), 'demo-presence-api-'));

beforeAll(async () => {
  emulators = await startEmulators();
  const port = await freePort();
  company = await seedDemoCompany(emulators, {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    users: 4,
    callsPerUser: 1,
  });
  const config = loadConfig({
    PORT: String(port),
    STORE_URL: `sqlite:${join(dir, 'switchboard.sqlite')}`,
    LOG_LEVEL: 'silent',
  });
  app = await startSwitchboard(
    config,
    {
      ...demoTenantLink(company, emulators, 'switchboard-docs-test'),
      botAuth: { kind: 'playground' },
      secretKey: Buffer.alloc(32, 7),
      appVersion: '0.0.0-docs',
      tabDir: 'tests/integration/bot-tab-fixture',
    },
    silentLogger(),
  );
});

afterAll(async () => {
  await app?.close();
  await emulators?.close();
  rmSync(dir, { recursive: true, force: true });
});

function documentedExample(): string {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'presence-api.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 3. Try it against the demo'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script) throw new Error('docs/presence-api.md has no sh example in section 3');
  // The server's URL first: the token endpoint's own port could begin with 3978.
  return script
    .replaceAll('http://127.0.0.1:3978/', `${app.baseUrl}/`)
    .replace('<the token endpoint printed above>', emulators.entra.tokenEndpoint(company.tenantId));
}

it('reads the demo users presence with the documented curl commands', async () => {
  const script = documentedExample();
  const [megan, adele] = company.users;
  await eventually(
    async () => {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script]);
      const body = JSON.parse(stdout) as {
        items: { id: string; upn: string; pbx: { callState: string } | null }[];
        notFound: string[];
      };
      expect(body.notFound).toEqual([]);
      expect(body.items.map((i) => i.upn)).toEqual([megan!.userPrincipalName, adele!.userPrincipalName]);
      expect(body.items.map((i) => i.id)).toEqual([megan!.entraId, adele!.entraId]);
      // Idle phones read as idle (from the sync's view or CloudLink), never unknown.
      for (const item of body.items) expect(item.pbx).toMatchObject({ callState: 'idle' });
    },
    20_000,
    500,
  );
});
