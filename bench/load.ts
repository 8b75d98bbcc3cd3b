/**
 * The bench's load driver, shared by the scenarios in run.ts and teams-to-pbx.ts: PBX calls at a rate, Teams meeting
 * changes at a rate, then a drain and a check of every user's final state on both sides.
 */
import { note, type BenchWorld } from './world';

/**
 * CloudLink's per-account limit, set explicitly on the emulator: CloudLink documents 429 but publishes no numbers,
 * so this is the emulator's stated assumption (emulators/cloudlink/gate.ts), not a measured fact.
 */
export const CLOUDLINK_RATE = 200;
/** The final-state check (and the engine-bound resync) raise the emulator's limit to this, and say so. */
export const CLOUDLINK_RATE_LIFTED = 1_000_000;
/** The MiVoice 5000 busy hour: 16,000 calls an hour. */
export const BUSY_HOUR_CALLS_PER_S = 16_000 / 3600;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function pct(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
}

export async function throttled(w: BenchWorld): Promise<number> {
  const metric = w.service.metrics.getSingleMetric('switchboard_graph_calls_total');
  const values = metric ? (await metric.get()).values : [];
  return values.filter((v) => v.labels.outcome === '429').reduce((n, v) => n + v.value, 0);
}

/** Calls at `callsPerSecond` for `seconds`, plus Teams meeting changes (one a second unless told); then checks every final state. */
export async function load(
  w: BenchWorld,
  callsPerSecond: number,
  seconds: number,
  teamsChangesPerSecond = 1,
  /** Check the users found wrong once more this long after (their state may only have been late). */
  recheckAfterMs?: number,
) {
  const c = w.control;
  const busyUsers = new Set<number>();
  const inMeeting = new Set<number>();
  // Each call and Teams change is a little script of control requests to the emulator process.
  const inflight = new Set<Promise<void>>();
  let controlErrors = 0;
  const track = (script: () => Promise<void>) => {
    const p = script().catch((err) => {
      controlErrors++;
      console.error(err);
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  let toTeamsChanges = 0;
  let fromTeamsChanges = 0;
  let calls = 0;
  const started = Date.now();
  const end = started + seconds * 1000;
  // Callers spread over the tick; a fraction of a call a tick is carried over.
  let owed = 0;
  let teamsOwed = 0;
  const n = w.people.length;
  while (Date.now() < end) {
    owed += callsPerSecond / 10;
    for (; owed >= 1; owed--) {
      const i = Math.floor(Math.random() * n);
      if (busyUsers.has(i) || inMeeting.has(i)) continue;
      busyUsers.add(i);
      calls++;
      const id = w.people[i].id;
      if (!w.probe.pendingToTeams.has(id)) w.probe.pendingToTeams.set(id, Date.now());
      toTeamsChanges++;
      track(async () => {
        note(w.probe, id, 'bench: PBX call placed');
        const callId = await c.placeCall('+4930' + (1_000_000 + i), w.pbxIds[i]);
        await sleep(500 + Math.random() * 1500);
        note(w.probe, id, 'bench: PBX call answered');
        await c.answer(callId);
        await sleep(2000 + Math.random() * 10_000);
        if (!w.probe.pendingToTeams.has(id)) w.probe.pendingToTeams.set(id, Date.now());
        toTeamsChanges++;
        note(w.probe, id, 'bench: PBX call hung up');
        await c.hangUp(callId);
        busyUsers.delete(i);
      });
    }
    teamsOwed += teamsChangesPerSecond / 10;
    for (; teamsOwed >= 1; teamsOwed--) {
      const i = Math.floor(Math.random() * n);
      if (!busyUsers.has(i)) {
        const id = w.people[i].id;
        if (!w.probe.pendingFromTeams.has(id)) w.probe.pendingFromTeams.set(id, Date.now());
        fromTeamsChanges++;
        const action = inMeeting.has(i) ? 'leaveMeeting' : 'joinMeeting';
        if (inMeeting.has(i)) inMeeting.delete(i);
        else inMeeting.add(i);
        const at = Date.now();
        track(async () => {
          const shown = await c.teams(id, action);
          const { availability, activity, sequenceNumber } = shown;
          const what = `bench: Teams ${action}, Graph shows ${availability}/${activity} ${sequenceNumber}`;
          note(w.probe, id, what, at, { change: sequenceNumber });
        });
      }
    }
    await sleep(100);
  }
  const loadSeconds = (Date.now() - started) / 1000;
  // Let calls in progress finish and queues drain.
  while (inflight.size > 0) await sleep(200);
  const callsEndedSeconds = (Date.now() - started) / 1000 - loadSeconds;
  const drainStart = Date.now();
  // Drained when the engine has had nothing queued for a second (webhooks still in flight show up as queued work).
  for (let calm = 0; calm < 5 && Date.now() - drainStart < 300_000;) {
    await sleep(200);
    calm = w.service.health().queueDepth === 0 ? calm + 1 : 0;
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  // Changes that coalesced with a later one never get a write of their own.
  const coalesced = w.probe.pendingToTeams.size + w.probe.pendingFromTeams.size;
  w.probe.pendingToTeams.clear();
  w.probe.pendingFromTeams.clear();
  // The final-state check is the harness's, not the engine's work: CloudLink's limit is lifted for it, then restored.
  const check = async (indexes: number[]) => {
    await c.setCloudLinkRate(CLOUDLINK_RATE_LIFTED);
    const wrongUsers: { userId: string; wrong: string }[] = [];
    await forEachLimited(indexes, 32, async (i) => {
      const id = w.people[i]!.id;
      const activity = await c.teamsActivity(id);
      if (activity === 'InACall') wrongUsers.push({ userId: id, wrong: 'Teams still InACall' }); // every call ended
      const dnd = (await w.cloudlink.getPresence(w.pbxIds[i])).dnd;
      if (dnd !== inMeeting.has(i))
        wrongUsers.push({ userId: id, wrong: `PBX DND ${dnd ? 'on' : 'off'}, Teams ${activity}` });
    });
    await c.setCloudLinkRate(CLOUDLINK_RATE);
    return wrongUsers;
  };
  const wrongUsers = await check(w.people.map((_, i) => i));
  // Checked again a while later: a state still wrong then is wrong for good (until the hourly resync), one right
  // then was only late (hybrid reads wait for the budget window to empty after an overload).
  let wrongLater: number | undefined;
  if (recheckAfterMs !== undefined && wrongUsers.length > 0) {
    await sleep(recheckAfterMs);
    const again = new Set(wrongUsers.map((u) => w.people.findIndex((p) => p.id === u.userId)));
    wrongLater = (await check([...again])).length;
  }
  return {
    calls,
    toTeamsChanges,
    fromTeamsChanges,
    loadSeconds,
    callsEndedSeconds,
    drainSeconds,
    coalesced,
    wrongFinalStates: wrongUsers.length,
    ...(recheckAfterMs !== undefined && {
      wrongUsers,
      wrongLater: { afterMs: recheckAfterMs, wrong: wrongLater ?? 0 },
    }),
    controlErrors,
  };
}
