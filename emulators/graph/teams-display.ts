import type { PresenceSnapshot, PresenceStore } from './presence-store';

/**
 * What the user's colleagues see in the Teams client, as opposed to what Graph answers. Teams clients poll, so a
 * presence set through Graph shows up there minutes later (Graph's own note on setPresence). With a delay of 0 (the
 * default) Teams shows what Graph says; with a delay, it shows the aggregate as it was that long ago.
 */
export class TeamsDisplay {
  private readonly history = new Map<string, { at: number; snapshot: PresenceSnapshot }[]>();

  constructor(
    private readonly store: PresenceStore,
    private readonly now: () => number,
    private delayMs = 0,
  ) {
    store.onChange((snapshot) => this.remember(snapshot));
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  shown(userId: string): PresenceSnapshot {
    const current = this.store.snapshot(userId);
    if (this.delayMs <= 0) return current;
    const cutoff = this.now() - this.delayMs;
    const seen = (this.history.get(userId) ?? []).filter((h) => h.at <= cutoff).at(-1);
    return seen?.snapshot ?? { userId, availability: 'Offline', activity: 'Offline', sequenceNumber: '' };
  }

  private remember(snapshot: PresenceSnapshot): void {
    const at = this.now();
    const list = this.history.get(snapshot.userId) ?? [];
    list.push({ at, snapshot });
    // Keep only what a delayed view can still show: everything newer than the cutoff plus the last one before it.
    const cutoff = at - this.delayMs;
    const firstVisible = list.findIndex((h) => h.at > cutoff);
    const keepFrom = firstVisible === -1 ? list.length - 1 : Math.max(0, firstVisible - 1);
    this.history.set(snapshot.userId, list.slice(keepFrom));
  }
}
