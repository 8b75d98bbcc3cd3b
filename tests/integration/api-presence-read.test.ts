import { CloudLinkClient } from '../../shared/adapters/cloudlink/client';
import type { CloudLinkPort } from '../../shared/ports/cloudlink';
import { call, OK_STATUS, startHarness, type Harness } from './bot-harness';
import { startCloudLinkFixture, type CloudLinkFixture } from './cloudlink-fixture';
import { postToken } from './entra-fixture';

/**
 * GET /api/presence as a contact centre calls it: an app-only token from the Entra emulator, the product server over
 * HTTP, and CloudLink (emulator, real adapter) for phones the sync has not heard from yet.
 */
let h: Harness;
let cl: CloudLinkFixture;
let token: string;
let alice: string;
let bob: string;
const carol = '0c0c0c0c-3333-4333-8333-000000000003';

beforeAll(async () => {
  cl = await startCloudLinkFixture();
  const cloudlink: CloudLinkPort = new CloudLinkClient({
    apiBase: cl.emu.apiBase,
    accountId: cl.accountA,
    clientId: cl.clientA.clientId,
    clientSecret: cl.clientA.clientSecret,
    appId: 'switchboard-tests/1.0',
    now: () => cl.clock.now(),
    sleep: async () => undefined,
    random: () => 0.5,
  });
  h = await startHarness({ cloudlink: cloudlink as never });
  alice = h.fx.users.alice;
  bob = h.fx.users.bob;
  const user = (entraUserId: string, upn: string, displayName: string, pbxPrincipalId: string) => ({
    tenantId: h.fx.contoso,
    entraUserId,
    upn,
    displayName,
    pbxPrincipalId,
    extension: null,
    sendToTeams: null,
    getFromTeams: null,
    selected: true,
    updatedAt: 0,
  });
  // Stored in an order unlike any request below, so store order cannot pass for request order.
  await h.store.putUsers([
    user(carol, 'carol@contoso.example', 'Carol', cl.carol),
    user(bob, 'bob@contoso.example', 'Bob', cl.bob),
    user(alice, 'alice@contoso.example', 'Alice', cl.alice),
  ]);
  const answer = await postToken(h.fx, h.fx.contoso, {
    grant_type: 'client_credentials',
    client_id: h.fx.crm.clientId,
    client_secret: h.fx.crm.secret,
    scope: `${h.fx.switchboard.clientId}/.default`,
  });
  token = String(answer.body.access_token);
});

afterAll(async () => {
  await h?.close();
  await cl?.emu.close();
});

beforeEach(() => {
  h.sync.statusAnswer = OK_STATUS;
});

const read = (query: string) => call(h, 'GET', `/api/presence?${query}`, token);
const idsOf = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

it('finds users by object id in any case, as Entra compares them', async () => {
  const res = await read(`ids=${alice.toUpperCase()},${bob}`);
  expect(res.status).toBe(200);
  expect(idsOf(res.body)).toEqual([alice, bob]);
  expect(res.body.notFound).toEqual([]);
});

it('answers in the order asked, not the order stored, each user once, with unknown names as sent', async () => {
  const unknown = 'FFFFFFFF-0000-4000-8000-00000000000F';
  const res = await read(
    `ids=${bob},${unknown},${carol},${alice}&mails=ALICE@contoso.example,Nobody@contoso.example`,
  );
  expect(res.status).toBe(200);
  expect(idsOf(res.body)).toEqual([bob, carol, alice]);
  expect(res.body.notFound).toEqual([unknown, 'Nobody@contoso.example']);
  const reversed = await read(`mails=alice@contoso.example,carol@contoso.example,bob@contoso.example`);
  expect(idsOf(reversed.body)).toEqual([alice, carol, bob]);
});

it('reads a phone the sync has not heard from at CloudLink: idle, with its real DND and status text', async () => {
  h.sync.statusAnswer = { ...OK_STATUS, pbx: null };
  cl.emu.pbx.setDnd(cl.bob, true, 'At lunch');
  const res = await read(`ids=${alice},${bob}`);
  expect(res.status).toBe(200);
  const [a, b] = res.body.items;
  expect(a.pbx).toEqual({ callState: 'idle', dnd: false, statusText: null, at: expect.any(String) });
  expect(b.pbx).toEqual({ callState: 'idle', dnd: true, statusText: 'At lunch', at: expect.any(String) });
  expect(b.teams).toEqual(OK_STATUS.teams);
});

it('keeps the sync view where it has one, without asking CloudLink', async () => {
  const before = cl.emu.control.calls.length;
  const res = await read(`ids=${alice}`);
  expect(res.body.items[0].pbx).toEqual(OK_STATUS.pbx);
  expect(cl.emu.control.calls.slice(before).filter((c) => c.path.includes('presentities'))).toEqual([]);
});

it('says the phone is unknown (null) when CloudLink cannot be read, and still answers the Teams side', async () => {
  h.sync.statusAnswer = { ...OK_STATUS, pbx: null };
  const res = await read(`mails=mallory@contoso.example,carol@contoso.example`);
  expect(res.status).toBe(200);
  expect(res.body.notFound).toEqual(['mallory@contoso.example']);
  // Carol's principal lives in account A; a user whose principal CloudLink does not know reads as unknown.
  await h.store.putUsers([
    {
      tenantId: h.fx.contoso,
      entraUserId: carol,
      upn: 'carol@contoso.example',
      displayName: 'Carol',
      pbxPrincipalId: cl.mallory,
      extension: null,
      sendToTeams: null,
      getFromTeams: null,
      selected: true,
      updatedAt: 1,
    },
  ]);
  const unknownPhone = await read(`ids=${carol}`);
  expect(unknownPhone.status).toBe(200);
  expect(unknownPhone.body.items[0]).toMatchObject({ id: carol, pbx: null, teams: OK_STATUS.teams });
});

it('answers every refusal as { error, requestId }, the id matching x-request-id, as docs/presence-api.md says', async () => {
  const many = Array.from({ length: 101 }, (_, i) => `u${i}@contoso.example`).join(',');
  const refusals = [
    { res: await read(`mails=${many}`), status: 400, code: 'too_many_users' },
    { res: await read('nothing=1'), status: 400, code: 'bad_request' },
    { res: await call(h, 'GET', `/api/presence?ids=${alice}`), status: 401, code: expect.any(String) },
  ];
  for (const { res, status, code } of refusals) {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      error: expect.objectContaining({ code, message: expect.any(String) }),
      requestId: res.headers.get('x-request-id'),
    });
    expect(res.body.requestId).toEqual(expect.any(String));
  }
});
