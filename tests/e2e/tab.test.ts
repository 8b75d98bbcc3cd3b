import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchChromium, startDemoStack, waitForTab, type DemoStack } from './stack';

/**
 * The built tab in headless Chromium, framed by the Teams-like host that speaks the real teams-js protocol, against
 * the real server in demo mode (emulated Entra, Graph and CloudLink seeded with the demo company).
 */
const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
jest.setTimeout(120_000);

let stack: DemoStack;
let browser: Browser;
let users: { id: string; label: string }[];

beforeAll(async () => {
  stack = await startDemoStack();
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(stack.hostUrl);
  users = await page
    .locator('#user option')
    .evaluateAll((options) =>
      options.map((o) => ({ id: (o as HTMLOptionElement).value, label: o.textContent ?? '' })),
    );
  await page.close();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const admin = () => users.find((u) => u.label.includes('(admin)'))!;
const nonAdmin = () => users.find((u) => !u.label.includes('(admin)'))!;

async function openTab(options: {
  user: string;
  client?: string;
  theme?: string;
  locale?: string;
  viewport?: { width: number; height: number };
}): Promise<{ page: Page; tab: FrameLocator }> {
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1280, height: 860 },
    timezoneId: 'Europe/Berlin',
  });
  const query = new URLSearchParams({
    user: options.user,
    client: options.client ?? 'desktop',
    theme: options.theme ?? 'default',
    locale: options.locale ?? 'en-US',
  });
  await page.goto(`${stack.hostUrl}?${query}`);
  const tab = page.frameLocator('#tab');
  await waitForTab(page, stack, tab.getByRole('tab', { name: /Calls|Anrufe/ }));
  return { page, tab };
}

/** Reads until the value satisfies `ok` (the page updates asynchronously); fails with the last value seen. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

it('loads the call history from the emulated CloudLink and filters it', async () => {
  const { page, tab } = await openTab({ user: admin().id });
  const rows = tab.getByTestId('call-row');
  await rows.first().waitFor();
  expect(await rows.count()).toBeGreaterThan(3);
  await shot(page, 'history');

  await tab.getByRole('button', { name: 'Missed' }).click();
  await tab.locator('[data-testid="call-row"]').first().waitFor();
  const missedFlags = await tab
    .getByTestId('call-row')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-missed')));
  expect(missedFlags.length).toBeGreaterThan(0);
  expect(missedFlags.every((m) => m === 'true')).toBe(true);
  await shot(page, 'history-missed');

  await tab.getByRole('button', { name: 'Outgoing' }).click();
  const outgoing = await until(
    () => tab.getByTestId('call-row').allTextContents(),
    (rows) => rows.length > 0 && rows.every((t) => t.includes('Outgoing')),
  );
  expect(outgoing.length).toBeGreaterThan(0);

  const someone = (await tab.getByTestId('call-row').first().locator('span').first().textContent()) ?? '';
  await tab.getByRole('button', { name: 'All' }).click();
  await tab.getByRole('searchbox', { name: 'Search by name or number' }).fill(someone);
  const found = await until(
    () => tab.getByTestId('call-row').allTextContents(),
    (rows) => rows.length > 0 && rows.every((t) => t.includes(someone)),
  );
  expect(found.length).toBeGreaterThan(0);
  await page.close();
});

it('with the server unreachable the calls page says so in the user’s words, and a retry shows the calls', async () => {
  const { page, tab } = await openTab({ user: nonAdmin().id });
  await tab.getByTestId('call-row').first().waitFor();
  // What a dropped connection looks like to the page: fetch rejects ("TypeError: Failed to fetch" in Chromium).
  await page.route('**/api/me/calls**', (r) => r.abort());
  await tab.getByRole('button', { name: 'Missed' }).click();
  const alert = tab.getByRole('alert');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toMatch(
    /Could not load your calls\. ?Switchboard cannot be reached right now/,
  );
  expect((await tab.locator('main').textContent()) ?? '').not.toMatch(/TypeError|Failed to fetch/);

  await page.unroute('**/api/me/calls**');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await tab.getByTestId('call-row').first().waitFor();
  await expect(tab.getByRole('alert').count()).resolves.toBe(0);
  await page.close();
});

it('gives tel: on desktop and the configured custom scheme on iOS', async () => {
  const user = nonAdmin().id;
  const desktop = await openTab({ user, client: 'desktop', locale: 'de-DE' });
  await desktop.tab.getByRole('textbox', { name: 'Rufnummer' }).fill('030 1234567');
  await expect(
    desktop.tab.getByRole('link', { name: 'Anrufen 030 1234567' }).getAttribute('href'),
  ).resolves.toBe('tel:+49301234567');
  const rowLink = desktop.tab.getByTestId('call-row').first().getByRole('link');
  // E.164 for outside numbers; an internal extension is a local number, which RFC 3966 gives a phone-context.
  await expect(rowLink.getAttribute('href')).resolves.toMatch(/^tel:(\+\d+|\d+;phone-context=[^;]+)$/);
  await expect(rowLink.getAttribute('target')).resolves.toBe('_blank');
  await desktop.page.close();

  // The user sets the iOS method in their settings (the company default is tel: everywhere in the demo).
  const ios = await openTab({ user, client: 'ios', locale: 'de-DE' });
  await ios.tab.getByRole('tab', { name: 'Einstellungen' }).click();
  await ios.tab.getByRole('textbox', { name: 'iPhone / iPad' }).fill('micollab://dial?number={number}');
  await ios.tab.getByRole('button', { name: 'Speichern' }).click();
  await ios.tab.getByText('Gespeichert.').waitFor();
  await expect(
    ios.tab.getByText('Dieses Gerät (iPhone / iPad) verwendet: micollab://dial?number={number}').count(),
  ).resolves.toBe(1);
  await shot(ios.page, 'settings-ios');
  await ios.tab.getByRole('tab', { name: 'Anrufe' }).click();
  await ios.tab.getByRole('textbox', { name: 'Rufnummer' }).fill('030 1234567');
  await expect(ios.tab.getByRole('link', { name: 'Anrufen 030 1234567' }).getAttribute('href')).resolves.toBe(
    'micollab://dial?number=%2B49301234567',
  );
  await ios.page.close();

  // Desktop is unchanged by the iOS choice.
  const again = await openTab({ user, client: 'desktop', locale: 'de-DE' });
  await again.tab.getByRole('textbox', { name: 'Rufnummer' }).fill('030 1234567');
  await expect(
    again.tab.getByRole('link', { name: 'Anrufen 030 1234567' }).getAttribute('href'),
  ).resolves.toBe('tel:+49301234567');
  await again.page.close();
});

it('tells the user what to install when no app takes the call link', async () => {
  const { page, tab } = await openTab({ user: nonAdmin().id });
  await tab.getByRole('textbox', { name: 'Number to call' }).fill('2042');
  // Headless Chromium has no tel: handler: the popup goes nowhere and the tab keeps focus, as with no app installed.
  page.on('popup', (popup) => void popup.close());
  await tab.getByRole('link', { name: 'Call 2042' }).click();
  await page.bringToFront();
  await expect(tab.getByRole('alert').textContent({ timeout: 10_000 })).resolves.toMatch(
    /Nothing opened the call/,
  );
  await shot(page, 'click-to-call-not-handled');
  await page.close();
});

it('submits a report that the admin then sees in the triage list, opened with the diagnostics attached', async () => {
  const reporter = await openTab({ user: nonAdmin().id });
  await reporter.tab.getByRole('tab', { name: 'Report a problem' }).click();
  const description = `Presence stuck on busy (e2e ${Date.now()})`;
  await reporter.tab.getByRole('combobox', { name: 'What is it about?' }).selectOption('presence');
  await reporter.tab.getByRole('textbox', { name: /What happened/ }).fill(description);
  await reporter.tab.getByRole('button', { name: 'Preview what will be sent' }).click();
  const preview = JSON.parse(
    (await reporter.tab.getByTestId('diagnostics-preview').textContent()) ?? '',
  ) as Attached;
  await reporter.tab.getByRole('button', { name: 'Send report' }).click();
  const confirmation = reporter.tab.getByText(/Your report .+ was received; its status is "New"/);
  await confirmation.waitFor();
  // The number people read out on the phone: six hex digits in upper case (shared/domain/report-number.ts).
  const number = /^Thank you\. Your report ([0-9A-F]{6}) was received; its status is "New"\.$/.exec(
    (await confirmation.textContent()) ?? '',
  )?.[1];
  expect(number).toBeDefined();
  await reporter.tab
    .getByRole('list', { name: 'My earlier reports' })
    .getByText(new RegExp(`^Report ${number} · `))
    .waitFor();
  await shot(reporter.page, 'report-sent');
  await reporter.page.close();

  const adminView = await openTab({ user: admin().id });
  await adminView.tab.getByRole('tab', { name: 'Admin' }).click();
  await adminView.tab.getByRole('tab', { name: 'Problem reports' }).click();
  const table = adminView.tab.getByRole('table', { name: 'Problem reports' });
  const row = table.getByTestId('report-row').filter({ hasText: description });
  await row.waitFor();
  // The admin's row for this report carries the very number the reporter was given, never the raw UUID.
  await expect(row.getByRole('button', { name: /^Open report / }).textContent()).resolves.toBe(number);
  await shot(adminView.page, 'admin-reports');

  await row.getByRole('button', { name: `Open report ${number}` }).click();
  await adminView.tab.getByRole('heading', { name: `Report ${number}` }).waitFor();
  await adminView.tab.getByRole('heading', { name: 'Attached diagnostics' }).waitFor();
  const shown = adminView.tab.getByLabel('Attached diagnostics');
  await shown.waitFor();
  const attached = JSON.parse((await shown.textContent()) ?? '') as Attached;
  // What the server stored is what the reporter was shown before sending: their account, their client, the source.
  expect(attached.user).toEqual(preview.user);
  expect(attached.user.upn).toMatch(/@/);
  expect(attached.client).toEqual({ ...preview.client, locale: 'en-US' });
  expect(attached.source).toBe('tab');
  await adminView.page.close();
});

/** The parts of a report's diagnostics this test compares (bot/services/reports.ts gathers them). */
interface Attached {
  user: { upn?: string } & Record<string, unknown>;
  client: Record<string, unknown>;
  source: string;
}

it('shows a non-admin no admin page, and the server refuses them the admin API', async () => {
  const { page, tab } = await openTab({ user: nonAdmin().id });
  await tab.getByRole('tab', { name: 'Report a problem' }).waitFor();
  await expect(tab.getByRole('tab', { name: 'Admin' }).count()).resolves.toBe(0);
  const status = await page.evaluate(async (userId) => {
    const { token } = (await (
      await fetch('/_host/sso-token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId }),
      })
    ).json()) as { token: string };
    return (await fetch('/api/admin/health', { headers: { Authorization: `Bearer ${token}` } })).status;
  }, nonAdmin().id);
  expect(status).toBe(403);
  await page.close();
});

it('follows the dark theme when Teams switches to it', async () => {
  const { page, tab } = await openTab({ user: admin().id });
  await tab.getByTestId('call-row').first().waitFor();
  await page.evaluate(() =>
    (window as unknown as { teamsHost: { setTheme(t: string): void } }).teamsHost.setTheme('dark'),
  );
  const provider = tab.locator('[data-theme]').first();
  await until(
    () => provider.getAttribute('data-theme'),
    (t) => t === 'dark',
  );
  const background = await provider.evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
  expect(Math.max(r, g, b)).toBeLessThan(80);
  await shot(page, 'history-dark');
  await page.close();
});

it('captures the other main screens', async () => {
  const { page, tab } = await openTab({ user: admin().id });
  await tab.getByRole('tab', { name: 'My sync status' }).click();
  await tab.getByRole('button', { name: 'Sync now' }).waitFor();
  await shot(page, 'sync-status');
  await tab.getByRole('tab', { name: 'Admin' }).click();
  await tab.getByText('Queue depth').waitFor();
  // The side menu's labels start at one indent, whatever their length and whichever is selected.
  const labelLefts = await tab
    .getByRole('tablist', { name: 'Admin sections' })
    .locator('.fui-Tab__content:not(.fui-Tab__content--reserved-space)')
    .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
  expect(labelLefts.length).toBeGreaterThan(5);
  expect(new Set(labelLefts).size).toBe(1);
  await shot(page, 'admin-health');
  await tab.getByRole('tab', { name: 'Configuration check' }).click();
  await tab.getByRole('button', { name: 'Run configuration check' }).click();
  await tab.locator('ol li').first().waitFor();
  await until(
    () => tab.getByRole('button', { name: 'Run configuration check' }).isEnabled(),
    (enabled) => enabled,
    60_000,
  );
  await shot(page, 'admin-check');
  await tab.getByRole('tab', { name: 'Presence monitors' }).click();
  await tab.getByText(/monitor account\(s\) needed/).waitFor();
  await shot(page, 'admin-monitors');
  await tab.getByRole('tab', { name: 'Mapping table' }).click();
  await tab.getByRole('table', { name: 'Teams → phone' }).waitFor();
  await shot(page, 'admin-mapping');
  await tab.getByRole('tab', { name: 'Tenant link' }).click();
  await tab.getByText('Tenant id:').waitFor();
  await shot(page, 'admin-tenant');
  await tab.getByRole('tab', { name: 'User diagnostics' }).click();
  await tab
    .getByRole('button', { name: /^Diagnose / })
    .first()
    .click();
  await tab.getByRole('heading', { name: 'Recent events' }).waitFor();
  await shot(page, 'admin-user-diagnostics');
  await page.close();

  const contrast = await openTab({ user: nonAdmin().id, theme: 'contrast', locale: 'de-DE' });
  await contrast.tab.getByTestId('call-row').first().waitFor();
  await shot(contrast.page, 'history-contrast-de');
  await contrast.page.close();
});

it('fits a phone: every top tab reachable, numbers in full, time and duration under the name', async () => {
  const { page, tab } = await openTab({
    user: admin().id,
    client: 'android',
    viewport: { width: 390, height: 844 },
  });
  const rows = tab.getByTestId('call-row');
  await rows.first().waitFor();
  // One row of tabs, as in Teams: the row scrolls sideways instead of wrapping, and a tab scrolled to is fully
  // on screen.
  const settings = tab.getByRole('tab', { name: 'Settings' });
  const tops = await tab
    .getByRole('navigation', { name: 'Switchboard sections' })
    .getByRole('tab')
    .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
  expect(new Set(tops).size).toBe(1);
  await settings.scrollIntoViewIfNeeded();
  const box = await settings.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  // Every number and name shows in full (nothing cut off with an ellipsis) and stays on screen.
  const texts = await rows.evaluateAll((els) =>
    els.flatMap((row) =>
      [...row.querySelectorAll('span')].map((e) => ({
        text: e.textContent ?? '',
        cut: e.scrollWidth > e.clientWidth + 1,
        right: e.getBoundingClientRect().right,
      })),
    ),
  );
  // Numbers are shown formatted for people (+49 30 901820): a plus and at least eight digits, spaces between.
  const numbers = texts.filter((x) => /\+\d(?: ?\d){7,}/.test(x.text));
  expect(numbers.length).toBeGreaterThan(0);
  expect(texts.filter((x) => x.cut)).toEqual([]);
  expect(Math.max(...numbers.map((x) => x.right))).toBeLessThanOrEqual(390);
  // The time sits under the name, not beside it.
  const [nameBox, timeBox] = await Promise.all([
    rows.first().locator('span').first().boundingBox(),
    rows
      .first()
      .getByText(/\d{1,2}:\d{2}\s?(AM|PM)/)
      .boundingBox(),
  ]);
  expect(timeBox!.y).toBeGreaterThan(nameBox!.y + nameBox!.height / 2);
  await shot(page, 'history-mobile');
  await settings.click();
  await tab.getByRole('region', { name: 'My settings' }).waitFor();
  await expect(settings.getAttribute('aria-selected')).resolves.toBe('true');
  await page.close();
});

it("takes Teams' lower-case locale and loads without a single 404", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.goto(`${stack.hostUrl}?${new URLSearchParams({ user: nonAdmin().id, locale: 'de-de' })}`);
  const tab = page.frameLocator('#tab');
  await waitForTab(page, stack, tab.getByRole('tab', { name: 'Anrufe' }));
  await expect(page.locator('#locale').inputValue()).resolves.toBe('de-DE');
  // A page without an icon link makes a desktop browser ask for /favicon.ico, a 404 here (headless Chromium skips
  // that request, so the links themselves are checked).
  await expect(page.locator('link[rel="icon"]').count()).resolves.toBe(1);
  await expect(tab.locator('link[rel="icon"]').count()).resolves.toBe(1);
  expect(missing).toEqual([]);
  await page.close();
});
