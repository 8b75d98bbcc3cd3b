import type { CallStage } from '../domain/pbx-calls';
import type { PbxStatus } from '../domain/presence';
import type { NetworkFailure } from './network-failure';

/**
 * What Switchboard needs from Mitel CloudLink. Implemented by shared/adapters/cloudlink over HTTP.
 * Field names of CallRecord follow CloudLink's /calls/records exactly.
 */
export interface CloudLinkPort {
  /** GET media /calls/records for one user (principal), newest first. */
  listCallRecords(query: CallRecordQuery): Promise<CallRecordPage>;
  /** The account's users (admin API), with the mail used to match them to Entra users. */
  listUsers(): Promise<PbxUser[]>;
  /** GET presence /presentities/{id}: DND and status text. Presence carries no call state (see PbxEvent). */
  getPresence(principalId: string): Promise<PbxStatus>;
  /** Turns PBX do-not-disturb on or off with a status text; CloudLink's time of the change when its answer says. */
  setDnd(principalId: string, dnd: boolean, statusText: string | null): Promise<PbxWriteReceipt>;
  /** POST notifications /subscriptions with transport webhook. */
  subscribe(request: PbxSubscriptionRequest): Promise<{ subscriptionId: string }>;
  unsubscribe(subscriptionId: string): Promise<void>;
  /** GET notifications /subscriptions/{id}: false when CloudLink no longer has it (404). */
  subscriptionExists(subscriptionId: string): Promise<boolean>;
  /** GET notifications /subscriptions: every webhook subscription of the account (ours and other apps'). */
  listSubscriptions(): Promise<PbxSubscription[]>;
  /**
   * Reads a webhook CloudLink posted (its JSON body, after its key was checked) into the typed event: the one place the
   * envelope is parsed. Pure: no call goes out.
   */
  readWebhook(body: unknown): PbxWebhookReading;
}

export interface CallRecordQuery {
  principalId: string;
  top?: number;
  skip?: number;
  /** An OData-style $filter string passed through, e.g. "direction eq 'inbound'". */
  filter?: string;
}

export interface CallRecord {
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

export interface CallRecordPage {
  records: CallRecord[];
  /** Total matching records when CloudLink reports it. */
  count?: number;
  hasMore: boolean;
}

export interface PbxUser {
  principalId: string;
  name: string;
  email: string | null;
  extension: string | null;
}

export interface PbxSubscriptionRequest {
  topic: 'platform-api-media' | 'platform-api-presence';
  subject: string;
  url: string;
}

/** A subscription as CloudLink lists it; `url` is the webhook it posts to (CloudLink's deviceId). */
export interface PbxSubscription {
  subscriptionId: string;
  topic: string;
  subjectFilter: string;
  url: string;
}

/** The parties of a call, as a media event names them (for missed-call notices). */
export interface CallParties {
  direction: 'inbound' | 'outbound' | null;
  from: string | null;
  fromName: string | null;
  to: string | null;
  toName: string | null;
  createdOn: string | null;
}

/**
 * One CloudLink webhook, read once by the adapter (`readWebhook`) into what it means:
 * - `presence`: a presentity changed; `status` is null when the event does not say how (read the presentity);
 * - `call`: a call of the user rings, is connected or is held (platform-api-media);
 * - `callEnded`: a call of the user ended, with CloudLink's cause (normal, callNotAnswer, busy, doNotDisturb, ...).
 * `at`: CloudLink's own time of the change (epoch ms; the content's `updatedOn`, else the envelope's `publishedOn`),
 * when the event carries one: it orders late and duplicated deliveries, and tells an echo of our DND write from a
 * later change (shared/domain/sync-decision.ts).
 */
export type PbxEvent =
  | { kind: 'presence'; principalId: string; status: PbxStatus | null; at: number | null }
  | {
      kind: 'call';
      principalId: string;
      callId: string;
      stage: Exclude<CallStage, 'ended'>;
      at: number | null;
      call: CallParties;
    }
  | {
      kind: 'callEnded';
      principalId: string;
      callId: string;
      cause: string | null;
      at: number | null;
      call: CallParties;
    };

/**
 * A webhook body read by the adapter: the event, null for a well-formed post the sync does not follow (another topic,
 * a call state it does not know), or why it is refused (answered 400).
 */
export type PbxWebhookReading = { ok: true; event: PbxEvent | null } | { ok: false; problem: string };

/** What CloudLink's answer to a DND write tells: its own time of the change, when the answer carries one. */
export interface PbxWriteReceipt {
  updatedOn: number | null;
}

/** The code of a CloudLinkError whose client credentials grant was refused: a secret an admin must replace. */
export const CLOUDLINK_CREDENTIALS_REFUSED = 'ClientCredentialsRefused';

export class CloudLinkError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly retryAfterMs?: number,
    /** Set (with status 0) when the call got no answer: the connection failed or the time ran out. */
    readonly network?: NetworkFailure,
  ) {
    super(`CloudLink ${status} ${code}: ${message}${requestId ? ` (request ${requestId})` : ''}`);
    this.name = 'CloudLinkError';
  }
}

/** A missed call is an inbound call that did not complete: CloudLink has no "missed" flag. */
export function isMissed(r: Pick<CallRecord, 'direction' | 'completed'>): boolean {
  return r.direction === 'inbound' && !r.completed;
}
