import { z } from 'zod';
import type { CallFilter } from '../../shared/api/contract';
import type { SecretBox } from '../../shared/platform/secret-box';

/**
 * Where the next page of a user's call history starts. The tab gets it opaque: sealed with the server's key
 * (AES-GCM, so it can be neither read nor altered) and bound to the tenant, the Teams user and the phone user it was
 * issued for, so a cursor copied from another user's session reads nothing.
 */
export interface CallCursor {
  tenantId: string;
  userId: string;
  principalId: string;
  filter: CallFilter;
  q?: string;
  top: number;
  /** CloudLink `$skip` of the next read. */
  skip: number;
  /** Records that ended after this (ISO) are left out, so calls ending while the user scrolls do not shift pages. */
  asOf: string;
}

const cursorShape = z
  .object({
    v: z.literal(1),
    tenantId: z.string(),
    userId: z.string(),
    principalId: z.string(),
    filter: z.enum(['all', 'missed', 'incoming', 'outgoing']),
    q: z.string().optional(),
    top: z.number().int().min(1).max(100),
    skip: z.number().int().min(0),
    asOf: z.string().datetime(),
  })
  .strict();

export function sealCursor(box: SecretBox, cursor: CallCursor): string {
  return Buffer.from(box.seal(JSON.stringify({ v: 1, ...cursor })), 'utf8').toString('base64url');
}

/** The cursor, or null when it was not sealed by us, altered, or issued to someone else. */
export function openCursor(
  box: SecretBox,
  text: string,
  caller: { tenantId: string; userId: string },
): CallCursor | null {
  let json: unknown;
  try {
    json = JSON.parse(box.open(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
  const parsed = cursorShape.safeParse(json);
  if (!parsed.success) return null;
  const { tenantId, userId, principalId, filter, q, top, skip, asOf } = parsed.data;
  if (tenantId !== caller.tenantId || userId !== caller.userId) return null;
  return { tenantId, userId, principalId, filter, top, skip, asOf, ...(q !== undefined && { q }) };
}
