/**
 * Whether CloudLink's presence webhooks are reaching us, and so whether the engine's view of a user's PBX presence
 * can stand in for reading it again.
 *
 * CloudLink has no bulk presence read: a resync that reads every PBX is one GET per user, 250 s for 50,000 users at
 * 200 requests/s. But while our subscription (every presentity of the account) is live, every PBX change reaches us
 * as an event, so a user whose PBX we read, or heard from, since the feed (re)started is already known. A resync then
 * reads only the users the feed cannot vouch for: never read in this feed's lifetime, an event we failed to process,
 * or a view older than the maximum age (a daily re-read bounds what a webhook lost inside CloudLink could cost).
 *
 * Each (re)start of the feed is a new epoch; a user's view carries the epoch it was verified in. A lost feed (the
 * subscription failed or vanished at CloudLink, or we stopped) vouches for nobody until it is live again, and then
 * only for views verified after that.
 *
 * A subscription CloudLink still lists is not proof that its posts reach us (a wrong public URL, a firewall, an
 * expired certificate all fail silently on our side). So the feed vouches only once an event has arrived through it,
 * and only while events keep arriving: one within `quietLimitMs`. A busy account, where reading every PBX is
 * expensive, sends events every few seconds; a quiet one is cheap to read in full.
 */
export class PbxFeed {
  private epoch = 0;
  private subscriptionId: string | null = null;
  private lastEventAt: number | null = null;

  /** Our subscription is in place: views verified from now on are kept current by its events. */
  started(subscriptionId: string): void {
    this.epoch++;
    this.subscriptionId = subscriptionId;
    this.lastEventAt = null;
  }

  /**
   * An event came through our webhook (presence or call, any user's, ours to sync or not): the pipe works. Call events
   * count too: they travel the same URL and key, and on an account where DND rarely changes they are most of the
   * traffic. They vouch for the pipe, not for a user's DND view (only a presence event or read verifies that).
   */
  heard(at: number): void {
    if (this.live) this.lastEventAt = at;
  }

  /** The subscription is gone or failed: no view can be trusted until a new one is in place. */
  lost(): void {
    this.subscriptionId = null;
  }

  get live(): boolean {
    return this.subscriptionId !== null;
  }

  get subscription(): string | null {
    return this.subscriptionId;
  }

  /** The epoch a read starting now (or an event arriving now) verifies; 0 when no feed is live. */
  current(): number {
    return this.live ? this.epoch : 0;
  }

  /** Whether events are arriving through a live subscription: one within the last `quietLimitMs`. */
  flowing(now: number, quietLimitMs: number): boolean {
    return this.live && this.lastEventAt !== null && now - this.lastEventAt < quietLimitMs;
  }

  /** Whether a view verified in `epoch` at `verifiedAt` is still current at `now`, given a flowing feed. */
  vouchesFor(epoch: number, verifiedAt: number | null, now: number, maxAgeMs: number): boolean {
    return this.live && epoch === this.epoch && verifiedAt !== null && now - verifiedAt < maxAgeMs;
  }
}

/**
 * Whether a user falls in resync round `round`'s verification slice: with `slices` slices, every user is read from
 * the PBX at every `slices`-th periodic resync even while the feed vouches for them, so an event the feed lost (or a
 * forged one believed) is corrected within that many resyncs, and the reads spread evenly over the rounds.
 */
export function inVerificationSlice(userId: string, round: number, slices: number): boolean {
  if (slices <= 0) return false;
  let hash = 2166136261; // FNV-1a: stable across processes and restarts, spreads ids evenly
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 16777619);
  return (hash >>> 0) % slices === round % slices;
}
