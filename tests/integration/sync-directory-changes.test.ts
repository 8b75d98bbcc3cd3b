import { startRunningSyncWorld, type SyncWorld } from './sync-harness';

/**
 * The directory changes while Switchboard runs (issue 10): new hires, leavers and renames reach the sync on their
 * own, through Graph's users delta every 5 minutes and CloudLink's user list, and "Sync all" reads both again.
 * Against the emulators over real HTTP, on simulated time.
 */
const MIN = 60_000;
let w: SyncWorld;
afterEach(async () => w?.close());

const graph = () => w.emulators.graph.control;
const pbx = () => w.emulators.cloudlink.pbx;
const appSessions = (userId: string) =>
  graph()
    .sessions(userId)
    .filter((s) => s.kind === 'app');
const setPresenceCalls = (userId: string) =>
  graph()
    .requests()
    .filter((r) => r.path === `/users/${userId}/presence/setPresence`);
const stored = (userId: string) => w.store.getUser(w.tenant.id, userId);
/**
 * Waits for a later directory check: each check schedules the next when its reads (real HTTP) are done, so simulated
 * time moves a minute per try until `check` holds.
 */
const atALaterCheck = (check: () => Promise<void>) =>
  w.eventually(async () => {
    await w.clock.advance(MIN);
    await check();
  }, 20_000);

function hire(name: string, extension: string) {
  const upn = `${name}@contoso.example`;
  const user = graph().addUser(w.tenant.id, { userPrincipalName: upn, displayName: name });
  const phone = pbx().addUser(w.accountId, { name, email: upn, extension });
  graph().teams(user.id, 'signIn');
  return { user, phone };
}

it('syncs a user added to Entra and the PBX after start within one directory check, without re-saving the selection', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 5 * MIN } });
  const { user, phone } = hire('newhire', '2999');
  // Not known yet: a call changes nothing in Teams.
  const early = pbx().placeCall('+4930111111', phone.principalId);
  await w.clock.advance(30_000, 1000);
  expect(setPresenceCalls(user.id)).toEqual([]);
  pbx().hangUp(early.callId);

  await w.clock.advance(5 * MIN);
  await w.eventually(async () => expect((await stored(user.id))?.pbxPrincipalId).toBe(phone.principalId));
  expect((await stored(user.id))?.selected).toBe(true);
  pbx().placeCall('+4930123456', phone.principalId);
  await w.eventually(() =>
    expect(graph().presence(user.id)).toMatchObject({ availability: 'Busy', activity: 'InACall' }),
  );
  // The new hire is watched from Teams too: one monitor subscription now holds four users.
  await w.eventually(() => expect(graph().subscriptions()[0].userIds).toContain(user.id));
});

it('"Sync all" reads both directories first: the new hire is in the count and synced', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 0 } });
  const { user, phone } = hire('latecomer', '2998');
  const result = await w.run(w.service.resyncAll());
  expect(result.total).toBe(4);
  pbx().placeCall('+4930123456', phone.principalId);
  await w.eventually(() => expect(graph().presence(user.id).activity).toBe('InACall'));
});

it('a leaver (disabled, or deleted) stops being written: our Teams session is cleared, later calls change nothing', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 5 * MIN } });
  const [disabled, deleted] = w.people;
  const call = pbx().placeCall('+4930123456', w.pbxIds[0]);
  await w.eventually(() => expect(appSessions(disabled.id)).toHaveLength(1));

  graph().updateUser(w.tenant.id, disabled.id, { accountEnabled: false });
  graph().removeUser(w.tenant.id, deleted.id);
  await w.clock.advance(5 * MIN);
  await w.eventually(() => expect(appSessions(disabled.id)).toEqual([]));
  // Unselected at once; the PBX pair is dropped at the next check, once nothing of ours is left to give back.
  expect(await stored(disabled.id)).toMatchObject({ selected: false });
  expect(await stored(deleted.id)).toMatchObject({ selected: false, pbxPrincipalId: null });
  await atALaterCheck(async () =>
    expect(await stored(disabled.id)).toMatchObject({ selected: false, pbxPrincipalId: null }),
  );
  pbx().hangUp(call.callId);

  graph().clearRequests();
  pbx().placeCall('+4930123456', w.pbxIds[0]);
  pbx().placeCall('+4930123457', w.pbxIds[1]);
  await w.clock.advance(2 * MIN, 1000);
  await w.run(w.service.resyncAll());
  expect(setPresenceCalls(disabled.id)).toEqual([]);
  expect(setPresenceCalls(deleted.id)).toEqual([]);
  expect(appSessions(disabled.id)).toEqual([]);
  // The third user is still synced.
  pbx().placeCall('+4930123458', w.pbxIds[2]);
  await w.eventually(() => expect(graph().presence(w.people[2].id).activity).toBe('InACall'));
});

it('a renamed user (new UPN and mail, the PBX still on the old mail) keeps the mapping', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 5 * MIN } });
  const renamed = w.people[2];
  graph().updateUser(w.tenant.id, renamed.id, {
    userPrincipalName: 'person2.married@contoso.example',
    mail: 'person2.married@contoso.example',
    displayName: 'Person Two-Married',
  });
  await w.clock.advance(5 * MIN);
  await w.eventually(async () =>
    expect(await stored(renamed.id)).toMatchObject({
      upn: 'person2.married@contoso.example',
      pbxPrincipalId: w.pbxIds[2],
      selected: true,
    }),
  );
  pbx().placeCall('+4930123456', w.pbxIds[2]);
  await w.eventually(() => expect(graph().presence(renamed.id).activity).toBe('InACall'));
});

it('starts a full round again when Graph no longer knows the delta link (410), and keeps going', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 5 * MIN } });
  graph().resetDeltaTokens();
  const { user, phone } = hire('afterreset', '2997');
  graph().clearRequests();
  await w.clock.advance(5 * MIN);
  await w.eventually(async () => expect((await stored(user.id))?.pbxPrincipalId).toBe(phone.principalId));
  const deltaCalls = graph()
    .requests()
    .filter((r) => r.path === '/users/delta')
    .map((r) => r.status);
  expect(deltaCalls[0]).toBe(410);
  expect(deltaCalls.slice(1).every((s) => s === 200)).toBe(true);
  // Everyone from before is still synced after the full round.
  expect((await w.store.listUsers(w.tenant.id)).filter((u) => u.selected)).toHaveLength(4);
});

it('reads the CloudLink user list again every hour: a phone added after the Entra account is paired then', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 5 * MIN } });
  const user = graph().addUser(w.tenant.id, {
    userPrincipalName: 'late.phone@contoso.example',
    displayName: 'Late Phone',
  });
  graph().teams(user.id, 'signIn');
  await w.clock.advance(5 * MIN);
  await w.eventually(async () =>
    expect(await stored(user.id)).toMatchObject({ pbxPrincipalId: null, selected: false }),
  );
  const phone = pbx().addUser(w.accountId, {
    name: 'Late Phone',
    email: 'late.phone@contoso.example',
    extension: '2996',
  });
  // Quiet Entra checks do not read the PBX list …
  await w.clock.advance(30 * MIN);
  expect((await stored(user.id))?.pbxPrincipalId).toBeNull();
  // … the hourly one does.
  await w.clock.advance(25 * MIN);
  await atALaterCheck(async () => expect((await stored(user.id))?.pbxPrincipalId).toBe(phone.principalId));
  pbx().placeCall('+4930123456', phone.principalId);
  await w.eventually(() => expect(graph().presence(user.id).activity).toBe('InACall'));
});

it('keeps what a failed directory read says for the admin until a read succeeds', async () => {
  w = await startRunningSyncWorld({ users: 3, options: { directoryRefreshIntervalMs: 0 } });
  const doc = async () =>
    (await w.store.getDirectoryState(w.tenant.id)) as {
      problem: { message: string; text?: { code: string; params?: Record<string, unknown> } } | null;
    };
  expect((await doc()).problem).toBeNull();
  graph().setFaults({ failNext: { count: 1000, status: 503 } }); // Graph down for a while
  await expect(w.run(w.service.refreshUsers())).rejects.toThrow(/503/);
  graph().resetFaults();
  // The sync's own sentence for an outage, by code too, so the admin's German tab says it in German.
  expect((await doc()).problem).toMatchObject({
    message: 'Microsoft Graph failed (503)',
    text: { code: 'sync.serverFailed', params: { system: 'Microsoft Graph', status: 503 } },
  });
  // The users stay as they were, and the next read clears the problem.
  expect((await w.store.listUsers(w.tenant.id)).filter((u) => u.selected)).toHaveLength(3);
  await w.run(w.service.refreshUsers());
  expect((await doc()).problem).toBeNull();
});
