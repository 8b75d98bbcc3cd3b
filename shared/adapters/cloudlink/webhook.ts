import { z } from 'zod';
import type { CallStage } from '../../domain/pbx-calls';
import type { CallParties, PbxEvent, PbxWebhookReading } from '../../ports/cloudlink';
import { callOfSubject, principalOfSubject } from './subjects';

/**
 * CloudLink webhooks, read once, here, into the typed event of the port (`PbxEvent`): the sync engine, the standby's
 * hand-over and the missed-call notices all get that event, never the envelope. Called after the post's `key` was
 * checked (shared/sync/webhooks.ts), on the JSON body the server already parsed within its size limit.
 *
 * The documented envelope is `{topic, method, subject, content{...}}` (PRODUCT.md); other fields CloudLink adds are
 * ignored, except the envelope's `publishedOn`, read as the event's time when the content has no `updatedOn`.
 */
export function readCloudLinkWebhook(body: unknown): PbxWebhookReading {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    // A missing topic or subject says so first; a subject that is there but cannot be decoded says that.
    const shape = parsed.error.issues.some((i) => i.code !== 'custom');
    return { ok: false, problem: shape ? 'expected topic and subject' : MALFORMED_SUBJECT };
  }
  return { ok: true, event: eventOf(parsed.data) ?? null };
}

const MALFORMED_SUBJECT = 'malformed subject (an invalid % escape)';

/** A subject with a malformed `%` escape: every decode of the ids in it would throw (issue 11, item 7). */
function decodable(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * The envelope as the sync has always taken it: topic and subject required, a missing method read as none and
 * content that is not an object as empty (such a presence event names its user only: the presentity is read).
 */
const envelope = z.object({
  topic: z.string(),
  subject: z.string().refine(decodable, MALFORMED_SUBJECT),
  method: z.unknown().transform((m) => (typeof m === 'string' ? m : '')),
  content: z
    .unknown()
    .transform((c) =>
      typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as Record<string, unknown>) : {},
    ),
  publishedOn: z.unknown().transform((p) => (typeof p === 'string' ? p : undefined)),
});
type Envelope = z.infer<typeof envelope>;

/** Presence status values: only `dnd` matters to the sync; anything else (available, busy, away, ...) is not DND. */
const presenceContent = z.object({
  status: z.string().min(1).optional(),
  availability: z.string().min(1).optional(),
  reason: z.string().nullable().optional(),
  updatedOn: z.string().optional(),
});

const mediaContent = z.object({
  callId: z.string().min(1).optional(),
  principalId: z.string().min(1).optional(),
  state: z.string().optional(),
  cause: z.string().nullable().optional(),
  direction: z.string().nullable().optional(),
  from: z.string().nullable().optional(),
  fromName: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  toName: z.string().nullable().optional(),
  createdOn: z.string().nullable().optional(),
  updatedOn: z.string().optional(),
});

/**
 * Call states in the words a media event may use. Mitel's public material names the topic and the subject prefix but
 * not the states, so the usual telephony names are all read: ringing/alerting/offering, connected/answered/established,
 * held/hold, and disconnected/cleared/ended (or method DELETE) for the end.
 */
const STAGES: Record<string, CallStage> = {
  ringing: 'ringing',
  alerting: 'ringing',
  offering: 'ringing',
  connected: 'connected',
  answered: 'connected',
  established: 'connected',
  active: 'connected',
  held: 'held',
  hold: 'held',
  onhold: 'held',
  disconnected: 'ended',
  cleared: 'ended',
  ended: 'ended',
  released: 'ended',
};

function time(...candidates: (string | null | undefined)[]): number | null {
  for (const c of candidates) {
    const t = c ? Date.parse(c) : NaN;
    if (!Number.isNaN(t)) return t;
  }
  return null;
}

/** What the envelope means: a presence change, a call stage, or a call's end; undefined for anything else. */
function eventOf(event: Envelope): PbxEvent | undefined {
  if (event.topic === 'platform-api-presence') {
    const principalId = principalOfSubject(event.subject);
    if (!principalId) return undefined;
    const p = presenceContent.safeParse(event.content);
    const status = p.success ? (p.data.status ?? p.data.availability) : undefined;
    return {
      kind: 'presence',
      principalId,
      status:
        p.success && status !== undefined
          ? { dnd: status.toLowerCase() === 'dnd', statusText: p.data.reason ?? null }
          : null,
      at: time(p.success ? p.data.updatedOn : undefined, event.publishedOn),
    };
  }
  if (event.topic !== 'platform-api-media') return undefined;
  const m = mediaContent.safeParse(event.content);
  if (!m.success) return undefined;
  const principalId = principalOfSubject(event.subject) ?? m.data.principalId;
  const callId = m.data.callId ?? callOfSubject(event.subject);
  if (!principalId || !callId) return undefined;
  const stage =
    event.method.toUpperCase() === 'DELETE' ? 'ended' : STAGES[(m.data.state ?? '').toLowerCase()];
  if (!stage) return undefined;
  const d = m.data.direction;
  const direction = d === 'inbound' || d === 'outbound' ? d : null;
  const call: CallParties = {
    direction,
    from: m.data.from ?? null,
    fromName: m.data.fromName ?? null,
    to: m.data.to ?? null,
    toName: m.data.toName ?? null,
    createdOn: m.data.createdOn ?? null,
  };
  const at = time(m.data.updatedOn, event.publishedOn);
  return stage === 'ended'
    ? { kind: 'callEnded', principalId, callId, cause: m.data.cause ?? null, at, call }
    : { kind: 'call', principalId, callId, stage, at, call };
}
