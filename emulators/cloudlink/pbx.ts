import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import { HistoryGenerator, type HistoryOptions } from './pbx-history';
import type {
  ActiveCall,
  CallRecordRow,
  EndCause,
  PbxAccount,
  PbxCallState,
  PbxEvent,
  PbxUserRecord,
  Presentity,
} from './pbx-types';

/**
 * A small PBX behind the CloudLink emulator: accounts, users with extensions, calls that ring, connect, are held and
 * retrieved, and end (a user may have several at once), do-not-disturb, and the call records CloudLink's media API
 * serves. Every change raises PbxEvents, which the notifications service turns into webhooks; listeners are called
 * synchronously but must not block (delivery is queued elsewhere), so the PBX never waits for a subscriber.
 *
 * What each topic carries follows what Mitel's public material promises: presence is a status and a reason (DND and
 * its text) and changes only when DND does; calls are media events, one per call state change and party.
 */

/** Subjects as CloudLink publishes them. Presence: `/presentities/{principalId}` (from Mitel's forum examples). */
export const presenceSubject = (principalId: string) => `/presentities/${principalId}`;
/**
 * Media: Mitel's notification sample filters media events with the prefix `/2017-09-01/endpoints/`; the rest of
 * the path (`{principalId}/calls/{callId}`) is an assumption.
 */
export const mediaSubject = (principalId: string, callId: string) =>
  `/2017-09-01/endpoints/${principalId}/calls/${callId}`;

interface UserState {
  dnd: boolean;
  reason: string | null;
  updatedOn: number;
}

export class SimulatedPbx {
  private readonly accounts = new Map<string, PbxAccount>();
  private readonly users = new Map<string, PbxUserRecord>();
  private readonly presence = new Map<string, UserState>();
  private readonly calls = new Map<string, ActiveCall>();
  /** Records per principal, oldest first (the media API reverses them). */
  private readonly records = new Map<string, CallRecordRow[]>();
  private readonly listeners: ((e: PbxEvent) => void)[] = [];
  private readonly history: HistoryGenerator;
  private nextAccount = 858_000_100;
  private stopRandom: (() => void) | undefined;
  /** Calls the demo traffic placed: the only ones it answers or ends. */
  private readonly randomCallIds = new Set<string>();

  constructor(private readonly clock: Clock) {
    this.history = new HistoryGenerator(clock);
  }

  onEvent(listener: (e: PbxEvent) => void): void {
    this.listeners.push(listener);
  }

  addAccount(input: { accountId?: string; name: string }): PbxAccount {
    const account = { accountId: input.accountId ?? String(this.nextAccount++), name: input.name };
    this.accounts.set(account.accountId, account);
    return account;
  }

  account(accountId: string): PbxAccount | undefined {
    return this.accounts.get(accountId);
  }

  addUser(
    accountId: string,
    input: {
      principalId?: string;
      name: string;
      email?: string | null;
      extension?: string | null;
      password?: string;
    },
  ): PbxUserRecord {
    if (!this.accounts.has(accountId)) throw new Error(`no such CloudLink account ${accountId}`);
    if (input.extension && this.byExtension(accountId, input.extension)) {
      throw new Error(`extension ${input.extension} is taken in account ${accountId}`);
    }
    const user: PbxUserRecord = {
      principalId: input.principalId ?? randomUUID(),
      accountId,
      name: input.name,
      email: input.email ?? null,
      extension: input.extension ?? null,
      password: input.password,
    };
    this.users.set(user.principalId, user);
    this.presence.set(user.principalId, { dnd: false, reason: null, updatedOn: this.clock.now() });
    return user;
  }

  user(principalId: string): PbxUserRecord | undefined {
    return this.users.get(principalId);
  }

  usersOf(accountId: string): PbxUserRecord[] {
    return [...this.users.values()].filter((u) => u.accountId === accountId);
  }

  /** Finds a user by email (case-insensitive), as the password grant's `username` does. */
  userByEmail(accountId: string, email: string): PbxUserRecord | undefined {
    const needle = email.toLowerCase();
    return this.usersOf(accountId).find((u) => u.email?.toLowerCase() === needle);
  }

  /** The presentity: a status and a reason. No call state: nothing public says CloudLink presence carries one. */
  presentity(principalId: string): Presentity {
    const user = this.requireUser(principalId);
    const state = this.presence.get(user.principalId)!;
    return {
      principalId: user.principalId,
      status: state.dnd ? 'dnd' : 'available',
      reason: state.reason,
      updatedOn: new Date(state.updatedOn).toISOString(),
    };
  }

  /** Turns DND on or off with a status text (cleared when DND goes off without one). */
  setDnd(principalId: string, on: boolean, reason: string | null = null): Presentity {
    const state = this.presence.get(this.requireUser(principalId).principalId)!;
    state.dnd = on;
    state.reason = reason;
    state.updatedOn = this.clock.now();
    this.publishPresence(principalId);
    return this.presentity(principalId);
  }

  /**
   * Starts a call. `from` and `to` are principal ids, extensions or external numbers. A DND or busy internal callee
   * ends the call at once (cause doNotDisturb / busy); otherwise both internal parties ring.
   */
  placeCall(from: string, to: string, names: { fromName?: string; toName?: string } = {}): ActiveCall {
    const caller = this.resolve(from);
    const callee = this.resolve(to, caller?.accountId);
    const accountId = caller?.accountId ?? callee?.accountId;
    if (!accountId) throw new Error('a call needs at least one party on this PBX');
    const call: ActiveCall = {
      callId: randomUUID(),
      accountId,
      from: caller?.extension ?? from,
      fromName: caller?.name ?? names.fromName ?? null,
      to: callee?.extension ?? to,
      toName: callee?.name ?? names.toName ?? null,
      caller: caller?.principalId,
      callee: callee?.principalId,
      state: 'ringing',
      createdOn: this.clock.now(),
    };
    if (callee && this.presence.get(callee.principalId)!.dnd) return this.finish(call, 'doNotDisturb');
    if (callee && this.callStateOf(callee.principalId) !== 'idle') return this.finish(call, 'busy');
    this.calls.set(call.callId, call);
    this.publishCall(call, 'POST');
    return call;
  }

  answer(callId: string): ActiveCall {
    const call = this.requireCall(callId);
    if (call.state !== 'ringing') throw new Error(`call ${callId} is ${call.state}, not ringing`);
    call.state = 'connected';
    call.answeredAt = this.clock.now();
    this.publishCall(call, 'PUT');
    return call;
  }

  /** Puts a connected call on hold (the user is still on it). */
  hold(callId: string): ActiveCall {
    const call = this.requireCall(callId);
    if (call.state !== 'connected') throw new Error(`call ${callId} is ${call.state}, not connected`);
    call.state = 'held';
    this.publishCall(call, 'PUT');
    return call;
  }

  /** Takes a held call back. */
  retrieve(callId: string): ActiveCall {
    const call = this.requireCall(callId);
    if (call.state !== 'held') throw new Error(`call ${callId} is ${call.state}, not held`);
    call.state = 'connected';
    this.publishCall(call, 'PUT');
    return call;
  }

  /** The calls a user is a party of now (several at once: one held while another rings, say). */
  callsOf(principalId: string): ActiveCall[] {
    return this.activeCalls().filter((c) => c.caller === principalId || c.callee === principalId);
  }

  /** Ends a call: answered calls complete normally, ringing ones end as not answered. */
  hangUp(callId: string): ActiveCall {
    const call = this.requireCall(callId);
    this.calls.delete(callId);
    return this.finish(call, call.answeredAt === undefined ? 'callNotAnswer' : 'normal');
  }

  activeCalls(): ActiveCall[] {
    return [...this.calls.values()];
  }

  /** A principal's call records, newest first. */
  recordsOf(principalId: string): CallRecordRow[] {
    return [...(this.records.get(principalId) ?? [])].reverse();
  }

  /** Writes `count` past calls for a user, spread over the last `days` days (seed and demo data). */
  generateHistory(principalId: string, count: number, options: HistoryOptions = {}): CallRecordRow[] {
    const user = this.requireUser(principalId);
    const rows = this.history.generate(user, this.usersOf(user.accountId), count, options);
    const list = this.records.get(principalId) ?? [];
    list.push(...rows);
    list.sort((a, b) => a.createdOn.localeCompare(b.createdOn));
    this.records.set(principalId, list);
    return rows;
  }

  /**
   * Demo traffic: every `intervalMs` (of the PBX clock) ringing calls are answered or given up, connected calls
   * may end, and a new call may start between two random users or from an outside number. Returns a stop function.
   */
  startRandomCalls(intervalMs: number, random: () => number = Math.random): () => void {
    this.stopRandomCalls();
    const stop = this.clock.every(intervalMs, () => this.randomTick(random));
    this.stopRandom = stop;
    return () => {
      stop();
      if (this.stopRandom === stop) this.stopRandom = undefined;
    };
  }

  stopRandomCalls(): void {
    this.stopRandom?.();
    this.stopRandom = undefined;
  }

  private randomTick(random: () => number): void {
    // Only the demo's own calls: a call a person or test placed through /_control keeps ringing until they act.
    for (const id of [...this.randomCallIds]) if (!this.calls.has(id)) this.randomCallIds.delete(id);
    for (const call of this.activeCalls().filter((c) => this.randomCallIds.has(c.callId))) {
      const roll = random();
      if (call.state === 'ringing') {
        if (roll < 0.6) this.answer(call.callId);
        else if (roll < 0.85) this.hangUp(call.callId);
      } else if (roll < 0.4) this.hangUp(call.callId);
    }
    const accounts = [...this.accounts.keys()];
    const accountId = accounts[Math.floor(random() * accounts.length)];
    const users = accountId ? this.usersOf(accountId).filter((u) => u.extension) : [];
    if (users.length < 2 || random() < 0.3) return;
    const pick = () => users[Math.floor(random() * users.length)]!;
    const a = pick();
    if (this.callStateOf(a.principalId) !== 'idle') return;
    if (random() < 0.3) {
      const outside = `+4930${Math.floor(1_000_000 + random() * 8_999_999)}`;
      this.randomCallIds.add(this.placeCall(outside, a.principalId).callId);
      return;
    }
    const b = pick();
    if (b.principalId !== a.principalId)
      this.randomCallIds.add(this.placeCall(a.principalId, b.principalId).callId);
  }

  private finish(call: ActiveCall, cause: EndCause): ActiveCall {
    const now = this.clock.now();
    const answered = call.answeredAt !== undefined;
    const base = {
      callId: call.callId,
      from: call.from,
      fromName: call.fromName,
      to: call.to,
      toName: call.toName,
      // Assumption: a finished record's state is the last call state CloudLink saw, "disconnected".
      state: 'disconnected',
      cause,
      createdOn: new Date(call.createdOn).toISOString(),
      endTime: new Date(now).toISOString(),
      completed: answered,
      ringTime: (call.answeredAt ?? now) - call.createdOn,
      billingTime: answered ? now - call.answeredAt! : 0,
    };
    if (call.caller) this.addRecord(call.caller, { ...base, direction: 'outbound' });
    if (call.callee) this.addRecord(call.callee, { ...base, direction: 'inbound' });
    this.publishCall(call, 'DELETE', cause);
    return call;
  }

  private addRecord(principalId: string, row: CallRecordRow): void {
    const list = this.records.get(principalId) ?? [];
    list.push(row);
    this.records.set(principalId, list);
  }

  /** Busy for a new incoming call: any call connected or held; ringing alone still lets another call be refused. */
  private callStateOf(principalId: string): PbxCallState {
    let state: PbxCallState = 'idle';
    for (const c of this.callsOf(principalId)) {
      if (c.state !== 'ringing') return 'connected';
      state = 'ringing';
    }
    return state;
  }

  private publishCall(call: ActiveCall, method: PbxEvent['method'], cause?: EndCause): void {
    for (const [principalId, direction] of [
      [call.caller, 'outbound'],
      [call.callee, 'inbound'],
    ] as const) {
      if (!principalId) continue;
      this.emit({
        accountId: call.accountId,
        topic: 'platform-api-media',
        method,
        subject: mediaSubject(principalId, call.callId),
        content: {
          callId: call.callId,
          principalId,
          direction,
          state: method === 'DELETE' ? 'disconnected' : call.state,
          cause: cause ?? null,
          from: call.from,
          fromName: call.fromName,
          to: call.to,
          toName: call.toName,
          createdOn: new Date(call.createdOn).toISOString(),
        },
      });
    }
  }

  private publishPresence(principalId: string): void {
    const user = this.requireUser(principalId);
    this.emit({
      accountId: user.accountId,
      topic: 'platform-api-presence',
      // Mitel's forum suggests a methodFilter of PUT for presence changes.
      method: 'PUT',
      subject: presenceSubject(principalId),
      content: { ...this.presentity(principalId) },
    });
  }

  private emit(event: PbxEvent): void {
    for (const l of this.listeners) l(event);
  }

  private resolve(party: string, accountId?: string): PbxUserRecord | undefined {
    const direct = this.users.get(party);
    if (direct) return direct;
    const scope = accountId ? [accountId] : [...this.accounts.keys()];
    for (const id of scope) {
      const found = this.byExtension(id, party);
      if (found) return found;
    }
    return undefined;
  }

  private byExtension(accountId: string, extension: string): PbxUserRecord | undefined {
    return this.usersOf(accountId).find((u) => u.extension === extension);
  }

  private requireUser(principalId: string): PbxUserRecord {
    const u = this.users.get(principalId);
    if (!u) throw new Error(`no such PBX user ${principalId}`);
    return u;
  }

  private requireCall(callId: string): ActiveCall {
    const c = this.calls.get(callId);
    if (!c) throw new Error(`no active call ${callId}`);
    return c;
  }
}
