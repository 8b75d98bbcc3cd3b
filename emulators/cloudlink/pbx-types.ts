/**
 * The data the simulated PBX keeps, in CloudLink's own field names where the wire shows them.
 */

export interface PbxAccount {
  /** CloudLink account ids are numeric strings (e.g. "858000055" in Mitel's samples). */
  accountId: string;
  name: string;
}

export interface PbxUserRecord {
  /** The CloudLink user id; it is also the principal id of the user's presentity and call records. */
  principalId: string;
  accountId: string;
  name: string;
  email: string | null;
  extension: string | null;
  /** For the password grant; users without one cannot sign in. */
  password?: string;
}

export type PbxCallState = 'idle' | 'ringing' | 'connected';

/**
 * What CloudLink reports of a user's presentity: a status and a reason, as Mitel's public material describes presence.
 * No call state (nothing public promises one; calls are media events), and the status does not follow calls.
 */
export interface Presentity {
  principalId: string;
  status: 'available' | 'dnd';
  /** The status text shown beside DND in MiCollab (the "reason" of CloudLink presence). */
  reason: string | null;
  updatedOn: string;
}

/** One row of GET media /calls/records, exactly the fields CloudLink documents. ringTime/billingTime are ms. */
export interface CallRecordRow {
  callId: string;
  from: string;
  fromName: string | null;
  to: string;
  toName: string | null;
  direction: 'inbound' | 'outbound';
  state: string;
  cause: string | null;
  createdOn: string;
  endTime: string | null;
  completed: boolean;
  ringTime: number;
  billingTime: number;
}

/** Why a call ended without being answered, in CloudLink's cause vocabulary. */
export type EndCause = 'normal' | 'callNotAnswer' | 'busy' | 'doNotDisturb';

/** An event the PBX raises; the notifications service fans it out to matching subscriptions. */
export interface PbxEvent {
  accountId: string;
  topic: 'platform-api-media' | 'platform-api-presence';
  method: 'POST' | 'PUT' | 'DELETE';
  subject: string;
  content: Record<string, unknown>;
}

export interface ActiveCall {
  callId: string;
  accountId: string;
  from: string;
  fromName: string | null;
  to: string;
  toName: string | null;
  /** Internal parties (principal ids); external numbers have none. */
  caller?: string;
  callee?: string;
  state: 'ringing' | 'connected' | 'held';
  createdOn: number;
  answeredAt?: number;
}
