import { adminNoticesStep, callHistoryLinkStep, type ConfigCheckDeps } from '../../bot/services/config-check';
import type { Store } from '../../shared/ports/store';

const withAdminsConversation = (stored: boolean) =>
  ({
    tenantId: 't1',
    store: {
      getConversation: async (tenantId: string, key: string) =>
        stored && tenantId === 't1' && key === 'admins' ? { tenantId, key } : undefined,
    } as unknown as Store,
  }) as ConfigCheckDeps;

describe('configuration check: where the bot’s notices lead', () => {
  it('warns, with the fix, when no channel or chat takes admin notices (problem reports would reach nobody)', async () => {
    expect(await adminNoticesStep(withAdminsConversation(false))).toMatchObject({
      state: 'warning',
      detail: expect.stringMatching(/^No channel or group chat receives admin notices/),
      fix: expect.stringMatching(/admin notices here$/),
    });
    expect(await adminNoticesStep(withAdminsConversation(true))).toMatchObject({ state: 'passed' });
  });

  it('warns without TEAMS_APP_ID (the link opens the tab’s web address), passes with it, skips for the demo', async () => {
    const step = (callHistoryLink: ConfigCheckDeps['callHistoryLink']) =>
      callHistoryLinkStep({ callHistoryLink } as ConfigCheckDeps);
    expect(await step('webAddress')).toMatchObject({
      state: 'warning',
      detail: expect.stringMatching(/^TEAMS_APP_ID is not set/),
      fixText: { code: 'check.fix.teamsAppId' },
    });
    expect(await step('teams')).toMatchObject({ state: 'passed' });
    expect(await step('demoHost')).toMatchObject({ state: 'skipped' });
  });
});
