import type { UserSelection } from '../api/contract';
import { english } from '../api/texts/english';
import {
  applyUsersDelta,
  parseDirectoryDoc,
  pbxOnlyEntries,
  readOverrides,
  type DirectoryDoc,
} from '../domain/directory';
import { matchUsers, type MatchResult } from '../domain/matching';
import { isSelected } from '../domain/selection';
import type { CloudLinkPort, PbxUser } from '../ports/cloudlink';
import { GraphError, type GraphPort, type GraphUser, type UsersDelta } from '../ports/graph';
import type { Store, UserRecord } from '../ports/store';
import type { SyncClock } from './clock';
import { serviceFailure } from './errors';
import type { SyncEngine } from './engine/sync-engine';

/** Which directories a refresh reads; the other side is taken as last read. */
export interface DirectoryReads {
  entra: boolean;
  pbx: boolean;
  /** Skip matching when the reads found nothing new (the periodic check). */
  onlyIfChanged?: boolean;
}

interface Deps {
  tenantId: string;
  graph: GraphPort;
  cloudlink: CloudLinkPort;
  store: Store;
  clock: SyncClock;
  engine: SyncEngine;
  selection: () => UserSelection;
  /**
   * False once the sync was stopped (offboarded, unlinked, shut down) or halted for a lost lease: a refresh that was
   * reading then writes nothing, or it would put back data the offboarding erased, or overwrite the new owner's.
   */
  serving: () => boolean;
}

/** A refresh that finished after its sync stopped: what it read is dropped. */
export class DirectoryStoppedError extends Error {
  constructor() {
    super('the sync stopped while the directories were read; nothing was written');
    this.name = 'DirectoryStoppedError';
  }
}

/**
 * Keeps the user set current: reads Entra through Graph's users delta (a full round the first time, then only the
 * changes) and the CloudLink user list, pairs PBX and Teams users (the admin's overrides, then pairs kept by object
 * id, then mail/UPN), and stores the user records and the directory document (shared/domain/directory.ts).
 *
 * Leavers (deleted or disabled in Entra) and users who lost their PBX pair stop being synced at once; their record
 * keeps the PBX id, unselected, until the Teams session and any PBX DND we set are given back, then drops it.
 */
export class UserDirectory {
  private last: MatchResult | null = null;
  /** Some user keeps an old PBX id until what we set is given back: the next check pairs again even if quiet. */
  private handingOver = false;

  constructor(private readonly deps: Deps) {}

  async load(): Promise<DirectoryDoc> {
    return parseDirectoryDoc(await this.deps.store.getDirectoryState(this.deps.tenantId));
  }

  /**
   * Reads what `reads` asks, re-pairs users, stores the user records that changed and the directory document;
   * `changed`: some user record changed (the engine must reload users).
   */
  async refresh(reads: DirectoryReads): Promise<{ match: MatchResult; changed: boolean }> {
    const { clock } = this.deps;
    const doc = await this.load();
    const entra = reads.entra
      ? await this.readEntra(doc)
      : { users: doc.entra, link: doc.entraDeltaLink, changed: false };
    // A new hire is usually added to the PBX about when to Entra: one who joined Entra reads the PBX list too.
    const known = new Set(doc.entra.map((u) => u.id));
    const hired = doc.entraDeltaLink !== null && entra.users.some((u) => !known.has(u.id));
    const readPbx = reads.pbx || hired;
    const pbx = readPbx ? await this.deps.cloudlink.listUsers() : doc.pbx;
    const now = clock.now();
    const next: DirectoryDoc = {
      ...doc,
      problem: null,
      entra: entra.users,
      entraDeltaLink: entra.link,
      entraReadAt: reads.entra ? now : doc.entraReadAt,
      pbx,
      pbxReadAt: readPbx ? now : doc.pbxReadAt,
    };
    const pbxChanged = readPbx && !samePbx(pbx, doc.pbx);
    if (reads.onlyIfChanged && this.last && !this.handingOver && !entra.changed && !pbxChanged) {
      await this.save(next, now);
      return { match: this.last, changed: false };
    }
    const { match, written } = await this.pair(pbx, entra.users, now);
    this.last = match;
    await this.save(
      { ...next, pbxOnly: pbxOnlyEntries(match), staleOverrides: match.staleOverrides, matchedAt: now },
      now,
    );
    return { match, changed: written > 0 };
  }

  /** A refresh failed: the admin's user list says so (with the error) until one succeeds. */
  async recordFailure(e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    // A service's refusal or outage by code, so the admin reads it in their language; anything else as it was thrown.
    const failure = serviceFailure(e);
    const problem = failure
      ? { at: now, message: english(failure.message), text: failure.message }
      : { at: now, message: e instanceof Error ? e.message : String(e) };
    await this.save({ ...(await this.load()), problem }, now);
  }

  private async save(doc: DirectoryDoc, now: number): Promise<void> {
    this.stillServing();
    await this.deps.store.putDirectoryState(
      this.deps.tenantId,
      doc as unknown as Record<string, unknown>,
      now,
    );
  }

  /** The Entra users after this read: the changes since our delta link, or a full round when Graph lost our place. */
  private async readEntra(
    doc: DirectoryDoc,
  ): Promise<{ users: GraphUser[]; link: string | null; changed: boolean }> {
    const { graph } = this.deps;
    if (!graph.usersDelta) {
      const users: GraphUser[] = [];
      for await (const u of graph.listUsers()) users.push(u);
      return { users, link: null, changed: true };
    }
    let delta: UsersDelta;
    try {
      delta = await graph.usersDelta(doc.entraDeltaLink ?? undefined);
    } catch (e) {
      if (!doc.entraDeltaLink || !isStaleDeltaLink(e)) throw e;
      delta = await graph.usersDelta();
    }
    return {
      users: applyUsersDelta(doc.entra, delta),
      link: delta.deltaLink,
      changed: delta.full || delta.changes.length > 0,
    };
  }

  private async pair(
    pbxUsers: PbxUser[],
    entraUsers: GraphUser[],
    now: number,
  ): Promise<{ match: MatchResult; written: number }> {
    const { store, tenantId, engine } = this.deps;
    const [tenant, stored] = await Promise.all([store.getTenant(tenantId), store.listUsers(tenantId)]);
    const existing = new Map(stored.map((u) => [u.entraUserId, u]));
    const previous = new Map<string, string>();
    for (const u of stored) if (u.pbxPrincipalId && u.selected) previous.set(u.pbxPrincipalId, u.entraUserId);
    for (const u of stored)
      if (u.pbxPrincipalId && !previous.has(u.pbxPrincipalId)) previous.set(u.pbxPrincipalId, u.entraUserId);
    const match = matchUsers(pbxUsers, entraUsers, { overrides: readOverrides(tenant?.settings), previous });

    const selection = this.deps.selection();
    const members = new Set(
      selection.mode === 'groupWithAllowList' && selection.groupId
        ? await this.deps.graph.listGroupMemberIds(selection.groupId)
        : [],
    );
    const pbxOf = new Map(match.matched.map((m) => [m.entra.id, m.pbx]));
    const pairedPbx = new Set(match.matched.map((m) => m.pbx.principalId));
    /** We still hold something for this user: a Teams session, a clear not yet sent, a PBX DND we set. */
    const owes = (id: string) => engine.holdsAssertionsFor(id);
    /** A user without a PBX pair now: unselected, keeping the old PBX id until what we set is given back. */
    const unpaired = (record: UserRecord, old: UserRecord | undefined): UserRecord => {
      const keep =
        old?.pbxPrincipalId && !pairedPbx.has(old.pbxPrincipalId) && owes(old.entraUserId) ? old : undefined;
      if (keep) this.handingOver = true;
      return {
        ...record,
        pbxPrincipalId: keep?.pbxPrincipalId ?? null,
        extension: keep?.extension ?? null,
        selected: false,
      };
    };

    this.handingOver = false;
    const records: UserRecord[] = [];
    const seen = new Set<string>();
    for (const u of entraUsers) {
      if (u.accountEnabled === false) continue;
      seen.add(u.id);
      const pbx = pbxOf.get(u.id);
      const old = existing.get(u.id);
      const record: UserRecord = {
        tenantId,
        entraUserId: u.id,
        upn: u.userPrincipalName,
        displayName: u.displayName,
        pbxPrincipalId: pbx?.principalId ?? null,
        extension: pbx?.extension ?? null,
        sendToTeams: old?.sendToTeams ?? null,
        getFromTeams: old?.getFromTeams ?? null,
        selected: !!pbx && isSelected(selection, { entraUserId: u.id, upn: u.userPrincipalName }, members),
        updatedAt: now,
      };
      records.push(pbx ? record : unpaired(record, old));
    }
    // Leavers: deleted or disabled in Entra since the last read.
    for (const old of existing.values()) {
      if (seen.has(old.entraUserId)) continue;
      const record = unpaired({ ...old, updatedAt: now }, old);
      if (record.selected !== old.selected || record.pbxPrincipalId !== old.pbxPrincipalId)
        records.push(record);
    }
    // Only records that changed are written: at 50,000 users a refresh that finds one new hire writes one row.
    const changed = records.filter((r) => {
      const old = existing.get(r.entraUserId);
      return !old || USER_FIELDS.some((k) => old[k] !== r[k]);
    });
    this.stillServing();
    if (changed.length > 0) await store.putUsers(changed);
    return { match, written: changed.length };
  }

  private stillServing(): void {
    if (!this.deps.serving()) throw new DirectoryStoppedError();
  }
}

const USER_FIELDS = [
  'upn',
  'displayName',
  'pbxPrincipalId',
  'extension',
  'sendToTeams',
  'getFromTeams',
  'selected',
] as const satisfies readonly (keyof UserRecord)[];

/** Graph no longer knows the delta link (expired after 7 days, or its state was reset): start a full round. */
export function isStaleDeltaLink(e: unknown): boolean {
  return (
    e instanceof GraphError &&
    (e.status === 410 || e.code === 'syncStateNotFound' || e.code === 'resyncRequired')
  );
}

function samePbx(a: PbxUser[], b: PbxUser[]): boolean {
  if (a.length !== b.length) return false;
  const key = (p: PbxUser) => `${p.principalId}|${p.name}|${p.email ?? ''}|${p.extension ?? ''}`;
  const set = new Set(b.map(key));
  return a.every((p) => set.has(key(p)));
}
