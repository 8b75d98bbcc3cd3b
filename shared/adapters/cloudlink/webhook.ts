import { z } from 'zod';
import type { CallStage } from '../../domain/pbx-calls';
import type { CallParties, CloudLinkEvent, PbxChange } from '../../ports/cloudlink';
import { callOfSubject, principalOfSubject } from './subjects';

/**
 * CloudLink webhooks, parsed without any web framework: bot/ and shared/sync hand in the parsed JSON body. The
 * envelope is `{topic, method, subject, content{...}}`; other envelope fields CloudLink adds (ids, timestamps) are
 * kept. Anything else is refused with InvalidCloudLinkWebhook, so a stray post never reaches the sync engine.
 */

export class InvalidCloudLinkWebhook extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid CloudLink webhook: ${issues.join('; ')}`);
    this.name = 'InvalidCloudLinkWebhook';
  }
}

const envelope = z
  .object({
    topic: z.string().min(1),
    method: z.string().min(1),
    subject: z.string().min(1),
    content: z.record(z.unknown()),
    publishedOn: z.string().optional(),
  })
  .passthrough();

export function parseCloudLinkWebhook(body: unknown): CloudLinkEvent {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    throw new InvalidCloudLinkWebhook(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
    );
  }
  return parsed.data;
}

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

/**
 * What one CloudLink webhook means, parsed once for everyone (the sync engine, missed-call notices): a presence change,
 * a call stage, or a call's end. Undefined for other topics and for events that name no user or call.
 */
export function pbxChangeOf(event: CloudLinkEvent): PbxChange | undefined {
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
