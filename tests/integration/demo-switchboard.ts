import { startSwitchboard, type Environment, type RunningSwitchboard } from '../../bot/app';
import type { Emulators } from '../../emulators/index';
import { demoTenantLink, type DemoCompany } from '../../emulators/seed/demo';
import { loadConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/platform/logger';

/**
 * The server as main.ts composes it for the demo company seeded in `emulators` (on `port`, which the company's
 * public base URL names), with an in-memory store, silent logs and the playground's bot auth: what the API tests
 * that talk to it over HTTP share. `config` adds settings (SYNC_MODE …); `env` overrides the environment.
 */
export async function startDemoSwitchboard(
  emulators: Emulators,
  company: DemoCompany,
  options: { port: number; appId: string; config?: Record<string, string>; env?: Partial<Environment> },
): Promise<RunningSwitchboard> {
  return startSwitchboard(
    loadConfig({
      PORT: String(options.port),
      STORE_URL: 'sqlite::memory:',
      LOG_LEVEL: 'silent',
      ...options.config,
    }),
    {
      ...demoTenantLink(company, emulators, options.appId),
      botAuth: { kind: 'playground' },
      secretKey: Buffer.alloc(32, 5),
      appVersion: '0.0.0-test',
      tabDir: 'tests/integration/bot-tab-fixture',
      ...options.env,
    },
    silentLogger(),
  );
}

/** A Teams SSO token for the company's first admin who needs no MFA, as the tab would send it. */
export function demoAdminToken(emulators: Emulators, company: DemoCompany): Promise<string> {
  return emulators.entra.mintTeamsSsoToken({
    tenantId: company.tenantId,
    userId: company.users.find((u) => u.isAdmin && !u.mfaRequired)!.entraId,
    clientId: company.clientId,
  });
}
