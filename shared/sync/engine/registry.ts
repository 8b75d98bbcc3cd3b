import type { SyncStateRecord, UserRecord } from '../../ports/store';
import { engineUser, newEntry, type Entry } from './entry';

/** The users the engine syncs, by Entra id and by PBX principal id. */
export class UserRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly byPbx = new Map<string, string>();

  /**
   * Takes the store's users (those with a PBX pair) and their saved states; users already held keep their in-memory
   * state, users no longer listed are dropped (their renewal timer cancelled).
   */
  load(users: UserRecord[], states: SyncStateRecord[]): void {
    const stored = new Map(states.map((s) => [s.entraUserId, s]));
    const seen = new Set<string>();
    for (const user of users) {
      if (!user.pbxPrincipalId) continue;
      seen.add(user.entraUserId);
      const known = this.entries.get(user.entraUserId);
      if (known) known.user = engineUser(user);
      else this.entries.set(user.entraUserId, newEntry(user, stored.get(user.entraUserId)));
    }
    for (const id of [...this.entries.keys()]) {
      if (!seen.has(id)) {
        this.entries.get(id)?.cancelRenewal?.();
        this.entries.delete(id);
      }
    }
    this.byPbx.clear();
    for (const e of this.entries.values())
      this.byPbx.set(e.user.pbxPrincipalId as string, e.user.entraUserId);
  }

  get(entraUserId: string): Entry | undefined {
    return this.entries.get(entraUserId);
  }

  has(entraUserId: string): boolean {
    return this.entries.has(entraUserId);
  }

  byPbxPrincipal(principalId: string): Entry | undefined {
    const id = this.byPbx.get(principalId);
    return id ? this.entries.get(id) : undefined;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  all(): IterableIterator<Entry> {
    return this.entries.values();
  }

  /** Forgets every user (a new ownership term starts from the store); their renewal timers are cancelled. */
  clear(): void {
    for (const e of this.entries.values()) e.cancelRenewal?.();
    this.entries.clear();
    this.byPbx.clear();
  }
}
