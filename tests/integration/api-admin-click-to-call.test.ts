import { call, startHarness, type Harness } from './bot-harness';

/** Issue 5: the admin sets the click-to-call default per client type; each user may override it for themselves. */
describe('admin click-to-call defaults', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  const byClient = {
    desktop: 'tel',
    web: 'sip:{number}@pbx.contoso.example',
    ios: 'mitelone://call?number={number}',
    android: 'tel',
  };

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.sso(h.fx.contoso, h.fx.users.alice);
    bob = await h.sso(h.fx.contoso, h.fx.users.bob);
  });
  afterAll(async () => {
    await h.close();
  });

  it('starts with tel everywhere except iOS, which uses the MiCollab app', async () => {
    const res = await call(h, 'GET', '/api/admin/click-to-call', alice);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      byClient: { desktop: 'tel', web: 'tel', ios: 'micollab://dial?number={number}', android: 'tel' },
    });
    const me = await call(h, 'GET', '/api/me', bob);
    expect(me.body.clickToCall.byClient.ios).toBe('micollab://dial?number={number}');
  });

  it('refuses a user without the admin role, and does not change the defaults', async () => {
    expect((await call(h, 'GET', '/api/admin/click-to-call', bob)).status).toBe(403);
    const put = await call(h, 'PUT', '/api/admin/click-to-call', bob, { byClient });
    expect(put.status).toBe(403);
    const me = await call(h, 'GET', '/api/me', bob);
    expect(me.body.clickToCall.byClient.web).toBe('tel');
  });

  it.each([
    ['a script link', 'javascript:alert({number})'],
    ['a data URI', 'data:text/html,{number}'],
    ['a web page', 'https://evil.example/?n={number}'],
    ['a template without {number}', 'micollab://dial'],
    ['a template with {number} twice', 'micollab://dial?number={number}&again={number}'],
    ['no scheme at all', '{number}'],
  ])('answers %s with a 400 naming the client type', async (_what, bad) => {
    const res = await call(h, 'PUT', '/api/admin/click-to-call', alice, { byClient: { ...byClient, ios: bad } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/byClient\.ios/);
    expect(res.body.error.message).toMatch(/\{number\}/);
  });

  it('refuses a body that leaves a client type out', async () => {
    const three: Partial<typeof byClient> = { ...byClient };
    delete three.android;
    const res = await call(h, 'PUT', '/api/admin/click-to-call', alice, { byClient: three });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/android/);
  });

  it("gives users the admin's default, and a user's own override wins for that client type only", async () => {
    const put = await call(h, 'PUT', '/api/admin/click-to-call', alice, { byClient });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ byClient });
    expect((await call(h, 'GET', '/api/admin/click-to-call', alice)).body).toEqual({ byClient });

    expect((await call(h, 'GET', '/api/me', bob)).body.clickToCall.byClient).toEqual(byClient);

    const mine = await call(h, 'PUT', '/api/me/settings', bob, {
      missedCallNotice: false,
      clickToCall: { web: 'tel' },
    });
    expect(mine.status).toBe(200);
    expect((await call(h, 'GET', '/api/me', bob)).body.clickToCall.byClient).toEqual({ ...byClient, web: 'tel' });
    // Other users keep the admin's default.
    expect((await call(h, 'GET', '/api/me', alice)).body.clickToCall.byClient).toEqual(byClient);
  });

  it("keeps each tenant's defaults to itself", async () => {
    const carol = await h.sso(h.fx.fabrikam, h.fx.users.fabrikamUser);
    const me = await call(h, 'GET', '/api/me', carol);
    expect(me.status).toBe(200);
    expect(me.body.clickToCall.byClient.web).toBe('tel');
  });
});
