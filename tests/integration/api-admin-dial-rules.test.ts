import { createLogger } from '../../shared/platform/logger';
import { call, startHarness, type Harness } from './bot-harness';

/** Issue 14 item 3: the company's dialling rules are the admin's, per tenant, and reach every user's tab. */
describe('admin dialling rules', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
    h = await startHarness({ logger });
    alice = await h.sso(h.fx.contoso, h.fx.users.alice);
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
  });
  afterAll(async () => {
    await h.close();
  });

  it('starts with no country and no prefix, and says so to the tab', async () => {
    const none = { country: null, outsidePrefix: '', dialWithPrefix: false };
    expect((await call(h, 'GET', '/api/admin/dial-rules', alice)).body).toEqual(none);
    expect((await call(h, 'GET', '/api/me', bob)).body.dialRules).toEqual(none);
  });

  it.each([
    [
      'a country that is no ISO region',
      { country: 'XX', outsidePrefix: '', dialWithPrefix: false },
      'country',
    ],
    ['a lower-case region', { country: 'de', outsidePrefix: '', dialWithPrefix: false }, 'country'],
    ['a prefix with letters', { country: 'DE', outsidePrefix: 'a', dialWithPrefix: false }, 'outsidePrefix'],
    ['a three-digit prefix', { country: 'DE', outsidePrefix: '000', dialWithPrefix: false }, 'outsidePrefix'],
    [
      'dialling a prefix there is not',
      { country: 'DE', outsidePrefix: '', dialWithPrefix: true },
      'dialWithPrefix',
    ],
    ['an unknown field', { country: 'DE', outsidePrefix: '', dialWithPrefix: false, locale: 'de' }, 'locale'],
  ])('refuses %s, naming the field', async (_what, body, field) => {
    const res = await call(h, 'PUT', '/api/admin/dial-rules', alice, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect((await call(h, 'GET', '/api/admin/dial-rules', alice)).body.country).toBeNull();
  });

  it('refuses a user without the admin role', async () => {
    const rules = { country: 'DE', outsidePrefix: '0', dialWithPrefix: false };
    expect((await call(h, 'PUT', '/api/admin/dial-rules', bob, rules)).status).toBe(403);
    expect((await call(h, 'GET', '/api/admin/dial-rules', bob)).status).toBe(403);
  });

  it('saves the rules for the tenant, serves them to every user with /api/me, and logs the change', async () => {
    const rules = { country: 'DE', outsidePrefix: '0', dialWithPrefix: false };
    const put = await call(h, 'PUT', '/api/admin/dial-rules', alice, rules);
    expect(put.status).toBe(200);
    expect(put.body).toEqual(rules);
    expect((await call(h, 'GET', '/api/me', bob)).body.dialRules).toEqual(rules);
    // Another company keeps its own rules.
    const other = await call(h, 'GET', '/api/me', await h.sso(h.fx.fabrikam, h.fx.users.fabrikamUser));
    expect(other.status).toBe(200);
    expect(other.body.dialRules.country).toBeNull();
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'config.changed', keys: ['dialRules'], tenantId: h.fx.contoso }),
    );
  });
});
