import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { brokenWordsInTable, spillsInTable } from './layout';
import { launchChromium, startDemoStack, waitForTab, type DemoStack } from './stack';

/**
 * The admin and sync pages as an admin meets them in Chromium through the Teams-like host, against the real server
 * in demo mode: monitor actions that land (DELETE included), one clear error state, tables that hold their content
 * at desktop and phone widths, and the screenshots in docs/screenshots.
 */
const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
jest.setTimeout(180_000);

let stack: DemoStack;
let browser: Browser;
let adminId: string;

beforeAll(async () => {
  stack = await startDemoStack();
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(stack.hostUrl);
  const users = await page
    .locator('#user option')
    .evaluateAll((options) =>
      options.map((o) => ({ id: (o as HTMLOptionElement).value, label: o.textContent ?? '' })),
    );
  adminId = users.find((u) => u.label.includes('(admin)'))!.id;
  await page.close();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function openTab(options: { width: number; theme?: string; locale?: string }) {
  const page = await browser.newPage({
    viewport: { width: options.width, height: 860 },
    timezoneId: 'Europe/Berlin',
    locale: options.locale ?? 'en-US',
  });
  const query = new URLSearchParams({
    user: adminId,
    client: options.width < 600 ? 'android' : 'desktop',
    theme: options.theme ?? 'default',
    locale: options.locale ?? 'en-US',
  });
  await page.goto(`${stack.hostUrl}?${query}`);
  const tab = page.frameLocator('#tab');
  await waitForTab(page, stack, tab.getByRole('tab', { name: /Calls|Anrufe/ }));
  return { page, tab };
}

async function openAdmin(tab: FrameLocator, section: string) {
  await tab.getByRole('tab', { name: 'Admin' }).click();
  await tab.getByRole('tab', { name: section }).click();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

it("authorizes the demo's monitor again: the sign-in and subscription work and the page says so", async () => {
  const { page, tab } = await openTab({ width: 1280 });
  await openAdmin(tab, 'Presence monitors');
  // The monitor that watches the demo's users (the other one is a spare).
  const first = tab
    .getByTestId('monitor-row')
    .filter({ has: tab.getByText('Active', { exact: true }) })
    .first();
  await first.waitFor();
  const user = ((await first.getByRole('cell').first().textContent()) ?? '').trim();
  expect(user).toMatch(/^svc-presence-monitor-\d@/);
  await tab.getByRole('button', { name: `Authorize ${user}` }).click();
  await tab.getByText(`${user}: authorized. State now: Active.`).waitFor();
  await expect(first.getByText('Active', { exact: true }).count()).resolves.toBe(1);
  // The demo's 36 users need one monitor: the other was signed in and waits in reserve, not "Not authorized yet".
  const spare = tab.getByTestId('monitor-row').filter({ hasText: /^svc-presence-monitor-2@/ });
  await expect(spare.getByText('In reserve', { exact: true }).count()).resolves.toBe(1);
  await expect(tab.getByRole('alert').count()).resolves.toBe(0);
  await page.close();
});

it('deletes a presence monitor against the real server, after asking; a failed sign-in says why', async () => {
  const { page, tab } = await openTab({ width: 1280 });
  await openAdmin(tab, 'Presence monitors');
  await tab.getByText(/monitor account\(s\) needed/).waitFor();

  // A monitor of its own, so the demo's monitors stay.
  await tab.getByLabel('Monitor account (UPN)').fill('svc-e2e-delete@contoso.example');
  await tab.locator('input[type=password]').fill('not-a-real-password');
  await tab.getByRole('button', { name: 'Add' }).click();
  // Entra knows no such account. A spare is signed in when it is added, so the wrong password shows at once, with
  // Entra's reason, rather than on the day the spare is needed.
  const refusedAs = (action: string) =>
    tab.getByRole('alert').filter({
      hasText: new RegExp(
        `^svc-e2e-delete@contoso\\.example: ${action} did not work\\. State now: Failed\\. \\S`,
      ),
    });
  await refusedAs('Add').waitFor();

  const requests: { method: string; status: number }[] = [];
  page.on('response', (r) => {
    if (/\/api\/admin\/monitors\/[^/]+$/.test(new URL(r.url()).pathname))
      requests.push({ method: r.request().method(), status: r.status() });
  });
  // Asked again, it fails again, and the page says so: never "authorized".
  await tab.getByRole('button', { name: 'Authorize svc-e2e-delete@contoso.example' }).click();
  await refusedAs('Authorize').waitFor();
  await expect(tab.getByText(/authorized\./).count()).resolves.toBe(0);

  // A new password through its dialog. The demo's Entra has no such account, so this sign-in fails too, and the page
  // says so with Entra's reason, never "saved" as if the monitor worked; the expiry date given is kept.
  await tab.getByRole('button', { name: 'New password svc-e2e-delete@contoso.example' }).click();
  const passwordDialog = tab.getByRole('dialog', { name: 'New password for svc-e2e-delete@contoso.example' });
  await passwordDialog.waitFor();
  await passwordDialog.getByLabel('New password').fill('still-not-a-real-password');
  await passwordDialog.getByLabel('Password expires (optional)').fill('2027-06-15');
  await passwordDialog.getByRole('button', { name: 'Save' }).click();
  await refusedAs('New password').waitFor();
  await passwordDialog.waitFor({ state: 'detached' });
  await expect(tab.getByText(/new password saved/).count()).resolves.toBe(0);
  const rotated = tab.getByTestId('monitor-row').filter({ hasText: 'svc-e2e-delete@contoso.example' });
  await expect(rotated.getByRole('cell').nth(4).textContent()).resolves.toMatch(/2027/);

  await tab.getByRole('button', { name: 'Delete svc-e2e-delete@contoso.example' }).click();
  const dialog = tab.getByRole('dialog', { name: 'Delete the monitor svc-e2e-delete@contoso.example?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await tab.getByText('svc-e2e-delete@contoso.example: deleted.').waitFor();
  // One DELETE, answered with success (it used to come back 415 "application/octet-stream").
  expect(requests.map((r) => r.method)).toEqual(['DELETE']);
  expect(requests[0]!.status).toBeGreaterThanOrEqual(200);
  expect(requests[0]!.status).toBeLessThan(300);
  await expect(tab.getByRole('cell', { name: 'svc-e2e-delete@contoso.example' }).count()).resolves.toBe(0);
  await expect(tab.getByRole('alert').count()).resolves.toBe(0);
  await page.close();
});

it('with the server unreachable the sync page shows one message in German with a retry, never "All good"', async () => {
  const { page, tab } = await openTab({ width: 1280, locale: 'de-DE' });
  await page.route('**/api/me/sync', (route) => route.abort('connectionrefused'));
  await tab.getByRole('tab', { name: 'Mein Sync-Status' }).click();
  const alert = tab.getByRole('alert');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toMatch(/Switchboard ist gerade nicht erreichbar/);
  const text = (await tab.locator('main').textContent()) ?? '';
  expect(text).not.toMatch(/TypeError|Failed to fetch|Alles in Ordnung/);
  await page.unroute('**/api/me/sync');
  await alert.getByRole('button', { name: 'Erneut versuchen' }).click();
  await tab
    .getByText(/Alles in Ordnung|Noch nicht abgeglichen|Problem/)
    .first()
    .waitFor();
  // The offline message goes once the page loaded (a sync problem of the user's own may still be shown as one).
  await tab.getByText(/Switchboard ist gerade nicht erreichbar/).waitFor({ state: 'detached' });
  await page.close();
});

it('chooses the synced group by typing part of its name, with the keyboard, and keeps it after a reload', async () => {
  const { page, tab } = await openTab({ width: 1280 });
  await openAdmin(tab, 'User selection');
  await tab.getByRole('radio', { name: 'Members of a group, plus the allow list' }).check();
  const box = tab.getByRole('combobox', { name: 'Group' });
  // Graph's group search matches words starting with what was typed: "ber" finds "Sales Berlin".
  await box.fill('ber');
  const options = tab.getByRole('listbox', { name: 'Group' }).getByRole('option');
  await options.filter({ hasText: 'Sales Berlin' }).waitFor();
  await expect(options.allTextContents()).resolves.toEqual(['Sales BerlinField and inside sales']);
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect(tab.getByTestId('selected-group').textContent()).resolves.toBe('Synced group: Sales Berlin');
  await box.fill('zzz');
  await tab.getByText('No group has a name starting with "zzz".').waitFor();
  await box.press('Escape');
  await tab.getByRole('button', { name: 'Save' }).click();
  await tab.getByText('Saved.').waitFor();

  await page.reload();
  await waitForTab(page, stack, tab.getByRole('tab', { name: /Calls|Anrufe/ }));
  await openAdmin(tab, 'User selection');
  await tab.getByText('Synced group: Sales Berlin').waitFor();
  // Everyone synced again, as the other tests expect.
  await tab.getByRole('radio', { name: 'Everyone, except the block list' }).check();
  await tab.getByRole('button', { name: 'Save' }).click();
  await tab.getByText('Saved.').waitFor();
  await page.close();
});

it('the problem reports list keeps a long description to its column at 1280 and 400 px; names never break mid-word', async () => {
  // A report pasted with a whole morning's story: pages of it, far wider than any screen on one line.
  const story =
    'Since this morning my presence stays on busy after every call, although I hung up long ago; colleagues see me ' +
    'as busy all day, and the phone keeps showing do not disturb even after I restarted Teams and the desk phone. ';
  const description = `(e2e ${Date.now()}) ${story.repeat(15)}`.trim();
  const reporter = await openTab({ width: 1280 });
  await reporter.tab.getByRole('tab', { name: 'Report a problem' }).click();
  await reporter.tab.getByRole('textbox', { name: /What happened/ }).fill(description);
  await reporter.tab.getByRole('button', { name: 'Send report' }).click();
  await reporter.tab.getByText(/Your report .+ was received/).waitFor();
  await reporter.page.close();

  for (const width of [1280, 400]) {
    const { page, tab } = await openTab({ width });
    await openAdmin(tab, 'Problem reports');
    const row = tab.getByTestId('report-row').filter({ hasText: description.slice(0, 30) });
    await row.waitFor();
    // The whole description is one hover (and one click, in the report's own view) away.
    await expect(row.getByTitle(description).count()).resolves.toBe(1);
    await expect(spillsInTable(tab, 'Problem reports')).resolves.toEqual([]);
    await expect(brokenWordsInTable(tab, 'Problem reports')).resolves.toEqual([]);
    const scrollWidth = await tab.locator('body').evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(width);
    await page.close();
  }
});

for (const theme of ['default', 'dark', 'contrast'] as const) {
  it(`admin and sync pages hold their content at 1280 and 400 px (${theme})`, async () => {
    const suffix = theme === 'default' ? '' : `-${theme}`;
    for (const width of [1280, 400]) {
      const size = width === 400 ? '-400' : '';
      const { page, tab } = await openTab({ width, theme });
      // The top tabs stay one row, as in Teams; on a phone the row scrolls.
      const tops = await tab
        .getByRole('navigation', { name: 'Switchboard sections' })
        .getByRole('tab')
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);

      await tab.getByRole('tab', { name: 'My sync status' }).click();
      await tab.getByRole('button', { name: 'Sync now' }).click();
      await tab.getByText(/^Synced at \d{1,2}:\d{2}:\d{2}\s?[AP]M\.$/).waitFor();
      await expect(tab.getByText(/^Last sync: /).textContent()).resolves.toMatch(/now|seconds? ago/);
      await shot(page, `sync-status${size}${suffix}`);

      await openAdmin(tab, 'Presence monitors');
      await tab.getByTestId('monitor-row').first().waitFor();
      await expect(spillsInTable(tab, 'Presence monitors')).resolves.toEqual([]);
      await shot(page, `admin-monitors${size}${suffix}`);

      await tab.getByRole('tab', { name: 'User diagnostics' }).click();
      await tab
        .getByRole('button', { name: /^Diagnose / })
        .first()
        .waitFor();
      await expect(spillsInTable(tab, 'Search users')).resolves.toEqual([]);
      await shot(page, `admin-users${size}${suffix}`);

      await tab.getByRole('tab', { name: 'Mapping table' }).click();
      await tab.getByTestId('mapping-rule').first().waitFor();
      await expect(spillsInTable(tab, 'Teams → phone')).resolves.toEqual([]);
      // Nothing pushes the page wider than the window.
      const scrollWidth = await tab.locator('body').evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(width);
      await shot(page, `admin-mapping${size}${suffix}`);
      await page.close();
    }
  });
}
