import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SeededCompany } from '../../emulators/seed/demo';
import { HOSTING_PARTNER } from '../../emulators/seed/hosted';
import { startTeamsHost, type TeamsHost } from '../../emulators/teams-host';
import { buildTab } from '../../tab/build';
import { linkAndMonitor, onboard, startHostedWorld, type HostedWorld } from '../integration/hosted-fixture';
import { launchChromium, waitForTab } from './stack';

/**
 * The operator view end to end (hosted mode, issue 16): the built tab in headless Chromium, framed by the Teams-like
 * host signed in as the hosting provider's operator, against a hosted server serving two customers. The operator
 * sees only the Operator page, with each organisation by the name Graph gave it and its health.
 */
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
let world: HostedWorld;
let host: TeamsHost;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'tab', 'dist', 'index.html'))) await buildTab();
  world = await startHostedWorld({
    users: 2,
    tabDir: join(ROOT, 'tab', 'dist'),
    env: { OPERATOR_TENANT_ID: HOSTING_PARTNER.tenantId },
  });
  const [northwind, fabrikam] = world.hosted.companies as [SeededCompany, SeededCompany];
  await onboard(world, northwind);
  await linkAndMonitor(world, northwind);
  await onboard(world, fabrikam);
  host = await startTeamsHost({
    tabUrl: `${world.app.baseUrl}/tab/index.html`,
    entraBaseUrl: world.emulators.entra.baseUrl,
    tenantId: HOSTING_PARTNER.tenantId,
    clientId: world.hosted.provider.clientId,
    users: [{ userId: world.hosted.provider.operatorId, displayName: 'Olivia Operator' }],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await world?.close();
});

it("shows the provider's operator every organisation with its health, and nothing else", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Berlin' });
  const query = new URLSearchParams({
    user: world.hosted.provider.operatorId,
    client: 'desktop',
    locale: 'en-US',
  });
  await page.goto(`${host.url}?${query}`);
  const tab = page.frameLocator('#tab');
  const stack = {
    hostUrl: host.url,
    baseUrl: world.app.baseUrl,
    output: () =>
      world.lines
        .slice(-30)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    close: () => Promise.resolve(),
  };
  await waitForTab(page, stack, tab.getByRole('tab', { name: 'Operator', selected: true }));
  expect(await tab.getByRole('tab').allTextContents()).toEqual(['Operator']);

  const rows = tab.getByTestId('tenant-row');
  await rows.first().waitFor();
  // Named as Graph names the organisations; the server read the names when each tenant opened.
  const northwind = rows.filter({ hasText: 'Northwind Traders' });
  const fabrikam = rows.filter({ hasText: 'Fabrikam' });
  await northwind.waitFor();
  await fabrikam.waitFor();
  expect(await rows.count()).toBe(2);
  // Northwind linked CloudLink and added a monitor; its sync runs in this server. Fabrikam has done neither yet.
  // Its monitor turns active a moment after it was added: the operator refreshes until it shows.
  const deadline = Date.now() + 30_000;
  while (!(await northwind.getByText('1 of 1 active, 0 failed').isVisible())) {
    if (Date.now() > deadline) throw new Error(`still: ${await northwind.textContent()}`);
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(500);
  }
  expect(await northwind.getByRole('cell').nth(4).textContent()).toMatch(
    /^Runningruns on .+; served by 1 of 1 servers$/,
  );
  expect(await northwind.getByRole('cell').nth(5).textContent()).toBe('Linked');
  expect(await fabrikam.getByRole('cell').nth(4).textContent()).toBe(
    'Off (CloudLink not linked)served by 1 of 1 servers',
  );
  expect(await fabrikam.getByRole('cell').nth(5).textContent()).toBe('Not linked');
  await page.close();
});
