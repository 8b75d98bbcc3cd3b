import type { HandedRequestView } from '../../shared/api/contract';
import type { SyncInbox } from '../../shared/ports/sync-inbox';
import { call, startHarness, type Harness } from './bot-harness';

/**
 * An admin call a standby handed to the owner, answered 202 `sync_queued` because the owner had not finished it in
 * time, is followed at the address the 202 named until the owner writes its result (issue 12).
 */
describe('GET /api/admin/sync-requests/:id', () => {
  let h: Harness;
  let inbox: SyncInbox;
  let admin: string;
  const at = Date.parse('2026-12-02T12:00:00Z');

  beforeAll(async () => {
    h = await startHarness();
    inbox = h.store.syncInbox!();
    admin = await h.sso(h.fx.contoso, h.fx.users.alice);
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows a handed call while it waits, and its answer once the owner finished it', async () => {
    const id = await inbox.enqueue(h.fx.contoso, 'call', { op: 'resetPhoneStatus', userId: 'u1' }, at, 100);
    const waiting = await call(h, 'GET', `/api/admin/sync-requests/${id}`, admin);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toEqual<HandedRequestView>({
      id: String(id),
      op: 'resetPhoneStatus',
      state: 'pending',
      done: 0,
      total: 0,
      result: null,
      finishedAt: null,
    });
    const answer = { reset: { teamsSessionCleared: true, phoneDndCleared: null, phoneDndKept: null } };
    await inbox.finish(h.fx.contoso, id, 'done', answer, at + 5000);
    const finished = await call(h, 'GET', `/api/admin/sync-requests/${id}`, admin);
    expect(finished.body).toMatchObject({
      state: 'done',
      result: answer,
      finishedAt: '2026-12-02T12:00:05.000Z',
    });
  });

  it("finds no webhook row, no other tenant's call, and refuses what is not a number", async () => {
    const webhookRow = await inbox.enqueue(h.fx.contoso, 'cloudlink', { event: {} }, at, 100);
    expect((await call(h, 'GET', `/api/admin/sync-requests/${webhookRow}`, admin)).status).toBe(404);
    const theirs = await inbox.enqueue(h.fx.fabrikam, 'call', { op: 'refreshUsers' }, at, 100);
    const other = await call(h, 'GET', `/api/admin/sync-requests/${theirs}`, admin);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('refreshUsers');
    expect((await call(h, 'GET', '/api/admin/sync-requests/abc', admin)).status).toBe(400);
  });

  it('is for admins only', async () => {
    const id = await inbox.enqueue(h.fx.contoso, 'call', { op: 'refreshUsers' }, at, 100);
    const user = await h.sso(h.fx.contoso, h.fx.users.bob);
    expect((await call(h, 'GET', `/api/admin/sync-requests/${id}`, user)).status).toBe(403);
  });
});
