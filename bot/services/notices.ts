import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';
import { adaptiveCard, facts, text } from '../cards/adaptive';
import type { Notifier } from './notifier';

export const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

/**
 * Proactive notices. Each is sent at most once per occasion across all processes: the store's markNoticeSent is
 * the dedupe, keyed by what the notice is about (a secret's expiry date, a user's broken sync, a call id).
 */
export class NoticeService {
  constructor(
    private readonly deps: {
      store: Store;
      notifier: Notifier;
      logger: Logger;
      now: () => number;
      tabUrl: string;
    },
  ) {}

  /** Client secret and monitor passwords expiring within 30 days: admins hear about each one once. */
  async checkExpiringCredentials(tenantId: string): Promise<number> {
    const { store, now } = this.deps;
    const tenant = await store.getTenant(tenantId);
    if (!tenant) return 0;
    const soon: { key: string; what: string; at: number }[] = [];
    const limit = now() + EXPIRY_WARNING_MS;
    if (tenant.clientSecretExpiresAt !== null && tenant.clientSecretExpiresAt <= limit) {
      soon.push({
        key: `expiry:client-secret:${tenant.clientId}:${tenant.clientSecretExpiresAt}`,
        what: 'The app registration client secret',
        at: tenant.clientSecretExpiresAt,
      });
    }
    for (const m of await store.listMonitors(tenantId)) {
      if (m.state !== 'deleted' && m.passwordExpiresAt !== null && m.passwordExpiresAt <= limit) {
        soon.push({
          key: `expiry:monitor:${m.monitorId}:${m.passwordExpiresAt}`,
          what: `The password of presence monitor ${m.username}`,
          at: m.passwordExpiresAt,
        });
      }
    }
    let sent = 0;
    for (const item of soon) {
      if (!(await store.markNoticeSent(tenantId, item.key, now()))) continue;
      const expired = item.at <= now();
      const when = new Date(item.at).toISOString().slice(0, 10);
      const delivered = await this.deps.notifier.toAdmins(tenantId, {
        text: `${item.what} ${expired ? 'expired' : 'expires'} on ${when}. Presence sync stops when it runs out.`,
        card: adaptiveCard(
          [
            text(expired ? 'A credential has expired' : 'A credential expires soon', {
              weight: 'Bolder',
              size: 'Medium',
            }),
            facts([
              ['What', item.what],
              [expired ? 'Expired' : 'Expires', when],
              [
                'Fix',
                'Create a new secret or password, enter it on the admin page, then run the configuration check.',
              ],
            ]),
          ],
          [{ type: 'Action.OpenUrl', title: 'Open the admin page', url: this.deps.tabUrl }],
        ),
      });
      // Undelivered (no admin channel yet): forget it, so the warning goes out once there is somewhere to send it.
      if (delivered) sent += 1;
      else await store.clearNotice(tenantId, item.key);
    }
    return sent;
  }

  /**
   * A user whose sync is broken hears about it once; when it works again the flag clears so a later breakage is
   * told again. Reads the sync states the engine stores (lastError).
   */
  async checkBrokenSync(tenantId: string): Promise<number> {
    const { store, now } = this.deps;
    let sent = 0;
    for (const state of await store.listSyncStates(tenantId)) {
      const key = `sync-broken:${state.entraUserId}`;
      if (state.lastError === null) {
        await store.clearNotice(tenantId, key);
        continue;
      }
      if (!(await store.markNoticeSent(tenantId, key, now()))) continue;
      const delivered = await this.deps.notifier.toUser(tenantId, state.entraUserId, {
        text:
          `Your presence is not syncing between Teams and your phone: ${state.lastError}. ` +
          'Your admin has been told in the diagnostics; send "sync" to try again or "report" to add details.',
      });
      if (delivered) sent += 1;
      else await store.clearNotice(tenantId, key);
    }
    return sent;
  }

  /** A missed PBX call, for users who opted in (settings). Resolves whether a notice went out. */
  async missedCall(
    tenantId: string,
    userId: string,
    call: { callId: string; number: string; name: string | null; at: string },
  ): Promise<boolean> {
    const { store, now } = this.deps;
    const settings = await store.getUserSettings(tenantId, userId);
    if (!settings.missedCallNotice) return false;
    if (!(await store.markNoticeSent(tenantId, `missed:${call.callId}`, now()))) return false;
    const who = call.name ? `${call.name} (${call.number})` : call.number;
    // tel: inside cards fails on some desktop clients, so the card links to the tab, where call-back works everywhere.
    return this.deps.notifier.toUser(tenantId, userId, {
      text: `You missed a call from ${who} at ${call.at}.`,
      card: adaptiveCard(
        [
          text('Missed call', { weight: 'Bolder' }),
          facts([
            ['From', who],
            ['When', call.at],
          ]),
        ],
        [{ type: 'Action.OpenUrl', title: 'Open call history', url: this.deps.tabUrl }],
      ),
    });
  }

  /** One sweep over every tenant; the composition root runs it on a timer. Failures are logged, never thrown. */
  async sweep(): Promise<void> {
    for (const tenant of await this.deps.store.listTenants()) {
      try {
        await this.checkExpiringCredentials(tenant.tenantId);
        await this.checkBrokenSync(tenant.tenantId);
      } catch (e) {
        this.deps.logger.warn({ err: e, tenantId: tenant.tenantId }, 'notice sweep failed');
      }
    }
  }
}
