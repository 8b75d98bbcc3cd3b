import type { PbxPresence } from '../domain/presence';

/**
 * What Switchboard needs from Mitel CloudLink. Implemented by shared/adapters/cloudlink over HTTP.
 * Field names of CallRecord follow CloudLink's /calls/records exactly.
 */
export interface CloudLinkPort {
  /** GET media /calls/records for one user (principal), newest first. */
  listCallRecords(query: CallRecordQuery): Promise<CallRecordPage>;
  /** The account's users (admin API), with the mail used to match them to Entra users. */
  listUsers(): Promise<PbxUser[]>;
  getPresence(principalId: string): Promise<PbxPresence>;
  /** Turns PBX do-not-disturb on or off with a status text. */
  setDnd(principalId: string, dnd: boolean, statusText: string | null): Promise<void>;
  /** POST notifications /subscriptions with transport webhook. */
  subscribe(request: PbxSubscriptionRequest): Promise<{ subscriptionId: string }>;
  unsubscribe(subscriptionId: string): Promise<void>;
  /** GET notifications /subscriptions/{id}: false when CloudLink no longer has it (404). */
  subscriptionExists(subscriptionId: string): Promise<boolean>;
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

/** A webhook CloudLink posts to Switchboard. */
export interface CloudLinkEvent {
  topic: string;
  method: string;
  subject: string;
  content: Record<string, unknown>;
}

export class CloudLinkError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly retryAfterMs?: number,
  ) {
    super(`CloudLink ${status} ${code}: ${message}${requestId ? ` (request ${requestId})` : ''}`);
    this.name = 'CloudLinkError';
  }
}

/** A missed call is an inbound call that did not complete: CloudLink has no "missed" flag. */
export function isMissed(r: Pick<CallRecord, 'direction' | 'completed'>): boolean {
  return r.direction === 'inbound' && !r.completed;
}
