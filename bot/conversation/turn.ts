import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { ADMIN_ROLE } from '../auth/caller';
import type { ReportService } from '../services/reports';
import type { SignIns } from '../services/sign-in';
import type { SyncFacade } from '../services/sync-facade';
import type { Messages } from './messages';
import type { IncomingMessage, Outgoing, Place, Sender } from './types';

export interface ConversationDeps {
  store: Store;
  sync: SyncFacade;
  reports: ReportService;
  signIns: SignIns;
  logger: Logger;
  now: () => number;
  /** Admin group membership (ADMIN_GROUP_ID); the admin app role is known from the user's SSO token. */
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  /** False only for the Agents Playground, which cannot do SSO. */
  requireSignIn: boolean;
}

/** One message being answered: who wrote, where, in which language, and what the answering parts share. */
export interface Turn {
  deps: ConversationDeps;
  msg: IncomingMessage;
  sender: Sender;
  m: Messages;
}

export const say = (text: string): Outgoing => ({ kind: 'text', text });

/** Nothing when the user may use their data; otherwise the sign-in request (Teams answers with a token exchange). */
export async function signInGate(
  deps: ConversationDeps,
  sender: Sender,
  place: Place,
  m: Messages,
): Promise<Outgoing[] | undefined> {
  if (!deps.requireSignIn) return undefined;
  const record = await deps.signIns.get(sender.tenantId, sender.userId);
  if (record?.signedIn) return undefined;
  // Teams SSO works in personal chats; elsewhere the user is pointed there.
  return place.kind === 'personal' ? [{ kind: 'signIn' }] : [say(m.signInInChat)];
}

/** An admin: the app role from their SSO sign-in, or membership of the admin group. */
export async function isAdmin(deps: ConversationDeps, sender: Sender): Promise<boolean> {
  const record = await deps.signIns.get(sender.tenantId, sender.userId);
  if (record?.signedIn && record.roles.includes(ADMIN_ROLE)) return true;
  return (await deps.isInAdminGroup?.(sender.tenantId, sender.userId)) ?? false;
}
