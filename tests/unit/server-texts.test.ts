import { english, said } from '../../shared/api/texts/english';
import { checkTextsEn } from '../../shared/api/texts/check';
import { healthTextsEn } from '../../shared/api/texts/health';
import { monitorTextsEn } from '../../shared/api/texts/monitors';
import { secretTextsEn } from '../../shared/api/texts/secrets';
import { syncTextsEn } from '../../shared/api/texts/sync';
import { codedProblem, problemFromStore, storedProblemText } from '../../shared/sync/stored-problem';
import { toMonitorView } from '../../bot/services/monitor-view';
import { newMonitorRecord } from '../../shared/ports/store';
import {
  isRefusedSignIn,
  isSubscriptionConflict,
  monitorProblem,
  storedMonitorProblem,
} from '../../shared/sync/monitor-problem';
import { serverText } from '../../shared/api/texts/render';
import {
  checkTextsDe,
  healthTextsDe,
  monitorTextsDe,
  secretTextsDe,
} from '../../tab/src/features/admin/server-texts-de';
import { syncTextsDe } from '../../shared/api/texts/sync-de';

/** Each area's English (the server's) beside the tab's German for the same codes. */
const catalogs: [string, Record<string, string>, Record<string, string>][] = [
  ['sync', syncTextsEn, syncTextsDe],
  ['check', checkTextsEn, checkTextsDe],
  ['secrets', secretTextsEn, secretTextsDe],
  ['health', healthTextsEn, healthTextsDe],
  ['monitors', monitorTextsEn, monitorTextsDe],
];

const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the server texts catalog', () => {
  it.each(catalogs)(
    '%s: every code has English and German wording with the same values in it',
    (_area, en, de) => {
      expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
      for (const code of Object.keys(en)) {
        expect(de[code].trim()).not.toBe('');
        expect([code, placeholders(de[code])]).toEqual([code, placeholders(en[code])]);
      }
    },
  );

  it('writes the English with the values filled in, nested sentences included', () => {
    const fix = said('fix.retriesEvery', { fix: said('fix.userGone', { system: 'CloudLink' }), minutes: 15 });
    expect(english(fix)).toBe(
      'The user no longer exists in CloudLink; refresh the user list. Switchboard tries again every 15 minutes.',
    );
  });

  it('writes a date as its ISO day in English, and in the reader’s locale in the tab', () => {
    const refused = said('secret.refusedSavedOn', {
      date: { date: '2026-12-01T09:30:00.000Z' },
      system: 'Entra',
      code: 'AADSTS7000215',
    });
    expect(english(refused)).toBe('The secret saved on 2026-12-01 was refused by Entra: AADSTS7000215.');
    expect(serverText(refused, english(refused), secretTextsDe, 'de-DE', 'Europe/Berlin')).toBe(
      'Das am 01.12.2026 gespeicherte Geheimnis wurde von Entra abgelehnt: AADSTS7000215.',
    );
  });

  it('words a known code in German with numbers in the German way, and falls back to the English for an unknown one', () => {
    const de = { ...syncTextsDe };
    const status = said('sync.serverFailed', { system: 'CloudLink', status: 1503 });
    expect(serverText(status, 'CloudLink failed (1503)', de, 'de-DE')).toBe(
      'CloudLink ist gescheitert (1.503)',
    );
    const nestedUnknown = {
      code: 'fix.retriesEvery',
      params: { fix: { code: 'fix.fromTheFuture' }, minutes: 5 },
    };
    expect(serverText(nestedUnknown, 'The English as written.', de, 'de-DE')).toBe('The English as written.');
    expect(serverText({ code: 'constructor' }, 'Also as written.', de, 'de-DE')).toBe('Also as written.');
    expect(serverText(undefined, 'No code at all.', de, 'de-DE')).toBe('No code at all.');
  });
});

describe("a user's stored sync problem", () => {
  it('keeps its codes through the store text', () => {
    const problem = codedProblem(
      said('sync.refused', { system: 'Microsoft Graph', detail: 'Forbidden' }),
      said('fix.graphConsent'),
    );
    expect(problemFromStore(storedProblemText(problem))).toEqual(problem);
  });

  it('reads a row written before codes existed as its English, with "see the trace" as the fix', () => {
    for (const old of ['Microsoft Graph is throttling', '{not json at all', '{"message":"no codes"}']) {
      expect(problemFromStore(old)).toEqual({
        message: old,
        fix: 'See the trace for details.',
        fixText: { code: 'fix.seeTrace' },
      });
    }
  });
});

describe("a presence monitor's stored problem", () => {
  const refusedSignIn = storedMonitorProblem(
    monitorProblem(
      said('sync.signInRefused', { detail: 'AADSTS50126: bad password' }),
      said('fix.signIn.other'),
    ),
  );
  const conflict = storedMonitorProblem(said('monitor.subscriptionConflict'));

  it('is decided by code: a refused sign-in waits for the admin, a 409 for the old subscription to lapse', () => {
    expect([isRefusedSignIn(refusedSignIn), isSubscriptionConflict(refusedSignIn)]).toEqual([true, false]);
    expect([isRefusedSignIn(conflict), isSubscriptionConflict(conflict)]).toEqual([false, true]);
    const passing = storedMonitorProblem(said('sync.throttled', { system: 'Microsoft Graph' }));
    expect([isRefusedSignIn(passing), isSubscriptionConflict(passing), isRefusedSignIn(null)]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('reads a row written before codes existed as it was written, with the meaning it had', () => {
    const oldRefusal = 'sign-in refused: AADSTS50126: bad password Check the presence monitor account.';
    const oldConflict =
      'This account already holds a presence subscription for this app (Graph allows one). It lapses within 60 minutes; Switchboard retries.';
    expect(isRefusedSignIn(oldRefusal)).toBe(true);
    expect(isSubscriptionConflict(oldConflict)).toBe(true);
    const view = toMonitorView({
      ...newMonitorRecord(
        { tenantId: 't1', monitorId: 'm1', username: 'mon@contoso.example', passwordSealed: 'sealed' },
        0,
      ),
      lastError: oldRefusal,
    });
    expect(view.lastError).toBe(oldRefusal);
    expect(view).not.toHaveProperty('lastErrorText');
  });

  it('reaches the admin page as English beside its code', () => {
    const view = toMonitorView({
      ...newMonitorRecord(
        { tenantId: 't1', monitorId: 'm1', username: 'mon@contoso.example', passwordSealed: 'sealed' },
        0,
      ),
      lastError: conflict,
    });
    expect(view.lastError).toMatch(/^This account already holds a presence subscription/);
    expect(view.lastErrorText).toEqual({ code: 'monitor.subscriptionConflict' });
  });
});
