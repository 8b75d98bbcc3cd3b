import { ManualClock } from '../../emulators/common/clock';
import { SimulatedPbx } from '../../emulators/cloudlink/pbx';

/**
 * QA regression: with the demo's random traffic on (every 20 s in `npm start`), a call placed by hand through
 * /_control was answered or hung up by the random traffic, so presence could not be checked by hand.
 */
describe('QA: demo random calls leave calls placed by hand alone', () => {
  it('never answers or ends a call it did not place', () => {
    const clock = new ManualClock();
    const pbx = new SimulatedPbx(clock);
    const { accountId } = pbx.addAccount({ name: 'QA' });
    const [alice, bob] = ['Alice', 'Bob'].map(
      (name, i) =>
        pbx.addUser(accountId, {
          name,
          email: `${name.toLowerCase()}@qa.example`,
          extension: String(3001 + i),
        }).principalId,
    ) as [string, string];
    const staff = [0, 1, 2, 3, 4, 5].map(
      (i) =>
        pbx.addUser(accountId, { name: `Staff ${i}`, email: `s${i}@qa.example`, extension: String(3100 + i) })
          .principalId,
    );
    const byHand = pbx.placeCall(alice, bob);
    let n = 7;
    const lcg = () => ((n = (n * 9301 + 49297) % 233280), n / 233280);
    const stop = pbx.startRandomCalls(1_000, lcg);
    clock.advance(1_000 * 200);
    stop();
    const mine = pbx.activeCalls().find((c) => c.callId === byHand.callId);
    expect(mine).toMatchObject({ state: 'ringing', caller: alice, callee: bob });
    // the random traffic did run: it made and ended calls of its own
    const finished = [alice, bob, ...staff].reduce((sum, id) => sum + pbx.recordsOf(id).length, 0);
    expect(finished).toBeGreaterThan(0);
  });
});
