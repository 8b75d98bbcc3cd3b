import { GraphAdapter } from '../../shared/adapters/graph/graph-adapter';
import { GraphError } from '../../shared/ports/graph';
import { startWorld, type World } from './graph-emulator.harness';

/** GraphAdapter.usersDelta against the Graph emulator over real HTTP: paging, changes, a stale link. */

let w: World;
let graph: GraphAdapter;
beforeAll(async () => {
  w = await startWorld();
  // More than one of Graph's delta pages (100 users).
  for (let i = 0; i < 230; i++)
    w.directory.addUser(w.tenant.id, {
      userPrincipalName: `staff${i}@contoso.example`,
      displayName: `Staff ${i}`,
    });
  graph = new GraphAdapter({
    baseUrl: w.graph.baseUrl,
    clientId: w.app.clientId,
    getAppToken: () => w.token(),
    getMonitorToken: () => Promise.reject(new Error('not used')),
    maxRetries: 0,
  });
});
afterAll(async () => {
  await w.close();
});

it('reads a full round over every page, then only the changes, and fails a stale link with 410', async () => {
  w.graph.control.clearRequests();
  const full = await graph.usersDelta!();
  expect(full.full).toBe(true);
  expect(full.changes).toHaveLength(w.tenant.users.size);
  const pages = w.graph.control.requests().filter((r) => r.path === '/users/delta');
  expect(pages.length).toBe(Math.ceil(w.tenant.users.size / 100));
  expect(full.changes.find((c) => c.id === w.users.alice.id)).toEqual({
    kind: 'upsert',
    id: w.users.alice.id,
    fields: {
      userPrincipalName: 'alice@contoso.example',
      mail: 'alice.smith@contoso.example',
      displayName: w.users.alice.displayName,
      accountEnabled: true,
    },
  });

  w.graph.control.updateUser(w.tenant.id, w.users.bob.id, { userPrincipalName: 'robert@contoso.example' });
  w.graph.control.updateUser(w.tenant.id, w.users.carol.id, { accountEnabled: false });
  const gone = [...w.tenant.users.values()].find((u) => u.userPrincipalName === 'staff7@contoso.example')!;
  w.graph.control.removeUser(w.tenant.id, gone.id, { permanent: true });
  const hire = w.graph.control.addUser(w.tenant.id, {
    userPrincipalName: 'new@contoso.example',
    displayName: 'New',
  });

  const delta = await graph.usersDelta!(full.deltaLink);
  expect(delta.full).toBe(false);
  expect(delta.deltaLink).not.toBe(full.deltaLink);
  expect(new Map(delta.changes.map((c) => [c.id, c]))).toEqual(
    new Map([
      [
        w.users.bob.id,
        { kind: 'upsert', id: w.users.bob.id, fields: { userPrincipalName: 'robert@contoso.example' } },
      ],
      [w.users.carol.id, { kind: 'upsert', id: w.users.carol.id, fields: { accountEnabled: false } }],
      [gone.id, { kind: 'removed', id: gone.id, permanent: true }],
      [
        hire.id,
        {
          kind: 'upsert',
          id: hire.id,
          fields: {
            userPrincipalName: 'new@contoso.example',
            mail: 'new@contoso.example',
            displayName: 'New',
            accountEnabled: true,
          },
        },
      ],
    ]),
  );

  w.graph.control.resetDeltaTokens();
  const stale = await graph.usersDelta!(delta.deltaLink).catch((e: unknown) => e);
  expect(stale).toBeInstanceOf(GraphError);
  expect(stale).toMatchObject({ status: 410, code: 'syncStateNotFound' });
});
