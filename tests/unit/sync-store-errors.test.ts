import type { Store } from '../../shared/ports/store';
import { openStore } from '../../shared/store/open';
import { harness, TENANT, type Harness } from './sync-harness';

/**
 * The engine writes sync states and trace entries in batches, after the fact. A batch the store refuses (PostgreSQL
 * refused a NUL in a PBX status text) left the user's state and trace unsaved with nothing logged: it must be
 * reported, and sync must go on.
 */
describe('sync engine: failed store writes', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('reports a refused batch of sync states and trace entries, and still syncs the user', async () => {
    const real = await openStore('sqlite::memory:');
    const refusal = new Error('invalid byte sequence for encoding "UTF8": 0x00');
    let refuse = false;
    const store = new Proxy(real, {
      get(target, name: keyof Store) {
        if (refuse && (name === 'putSyncStates' || name === 'appendTraces'))
          return () => Promise.reject(refusal);
        const v = target[name];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const reported: Array<{ what: string; err: unknown }> = [];
    h = await harness({ store, onStoreError: (err, what) => reported.push({ what, err }) });
    await h.service.start();
    await h.settle();
    expect(reported).toEqual([]);
    const saved = (await real.getSyncState(TENANT, 'u1'))?.version ?? 0;

    refuse = true;
    h.graph.setOwn('u1', 'Busy', 'InAMeeting');
    await h.settle();
    expect(h.cloudlink.setDndCalls).toEqual([
      { principalId: 'pbx-u1', dnd: true, statusText: 'In a meeting' },
    ]);
    expect(reported.map((r) => r.what).sort()).toEqual(expect.arrayContaining(['syncStates', 'traces']));
    expect(reported.every((r) => r.err === refusal)).toBe(true);

    // Once the store takes writes again, the next change is saved.
    refuse = false;
    h.graph.setOwn('u1', 'Available', 'Available');
    await h.settle();
    expect(h.cloudlink.setDndCalls.at(-1)).toEqual({ principalId: 'pbx-u1', dnd: false, statusText: null });
    expect((await real.getSyncState(TENANT, 'u1'))!.version).toBeGreaterThan(saved);
  });
});
