import type { PbxPresence } from '../domain/presence';
import type { CloudLinkEvent } from '../ports/cloudlink';

/** The PBX principal an event is about: the presentity in its subject, else the principal the content names. */
export function principalOf(event: CloudLinkEvent): string | undefined {
  const m = /\/presentities\/([^/?#]+)/.exec(event.subject);
  if (m) return decodeURIComponent(m[1]);
  const c = event.content;
  for (const k of ['principalId', 'userId']) if (typeof c[k] === 'string') return c[k] as string;
  return undefined;
}

const CALL_STATES = new Set(['idle', 'ringing', 'connected']);

/**
 * The whole PBX presence, when the event carries it (a presence event with both DND and call state). Call events
 * carry one call's change only, and a user may have several calls on several devices, so for those the engine reads
 * the presence instead of guessing it from the event.
 */
export function presenceInEvent(event: CloudLinkEvent): PbxPresence | undefined {
  const c = event.content;
  const dnd = typeof c.dnd === 'boolean' ? c.dnd : typeof c.doNotDisturb === 'boolean' ? c.doNotDisturb : undefined;
  const callState = typeof c.callState === 'string' && CALL_STATES.has(c.callState) ? (c.callState as PbxPresence['callState']) : undefined;
  if (dnd === undefined || callState === undefined) return undefined;
  const statusText = typeof c.statusText === 'string' ? c.statusText : null;
  return { dnd, callState, statusText };
}
