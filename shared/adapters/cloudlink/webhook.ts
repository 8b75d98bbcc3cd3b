import { z } from 'zod';
import type { PbxPresence } from '../../domain/presence';
import type { CloudLinkEvent } from '../../ports/cloudlink';
import { principalOfSubject } from './subjects';

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

const presentity = z.object({
  status: z.enum(['available', 'busy', 'dnd']),
  reason: z.string().nullable().optional(),
  callState: z.enum(['idle', 'ringing', 'connected']),
});

/** The user and PBX presence a platform-api-presence event reports; undefined for other topics or shapes. */
export function presenceFromEvent(
  event: CloudLinkEvent,
): { principalId: string; presence: PbxPresence } | undefined {
  if (event.topic !== 'platform-api-presence') return undefined;
  const principalId = principalOfSubject(event.subject);
  const p = presentity.safeParse(event.content);
  if (!principalId || !p.success) return undefined;
  return {
    principalId,
    presence: {
      callState: p.data.callState,
      dnd: p.data.status === 'dnd',
      statusText: p.data.reason ?? null,
    },
  };
}
