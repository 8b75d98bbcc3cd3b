import type { Logger } from '../../shared/platform/logger';
import type { MissedCall, Store } from '../../shared/ports/store';
import { saySyncText } from '../../shared/api/texts/sync-words';
import { problemFromStore } from '../../shared/sync/stored-problem';
import { adaptiveCard, facts, text } from '../conversation/cards/adaptive';
import { messagesFor, type Messages } from '../conversation/messages';
import { MissedCallNotices } from './missed-call-notices';
import type { Delivery, Notifier } from './notifier';

export const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

/**
 * Proactive notices. Each is sent at most once per occasion across all processes: the store's markNoticeSent is
 * the dedupe, keyed by what the notice is about (a secret's expiry date, a user's broken sync, a call id). A notice
 * that did not arrive (nowhere to send it, or the send failed) is unmarked again, so its next chance sends it: the
 * next sweep for expiry and broken-sync warnings (hourly; a chat the connector called gone costs no call then, see
 * ProactiveNotifier.forgetGone); a missed call, which the PBX reports once, is kept and tried again on its own.
 */
export class NoticeService {
  constructor(
    private readonly deps: {
      store: Store;
      notifier: Notifier;
      logger: Logger;
      now: () => number;
      tabUrl: string;
      /**
       * Where "Open call history" leads: a Teams deep link to the personal tab (callHistoryLink in
       * shared/teams/deep-link.ts) when the Teams app id is known, the tab's web URL otherwise.
       */
      callHistoryUrl?: string;
    },
  ) {
    this.missedCalls = new MissedCallNotices({ ...deps, link: deps.callHistoryUrl ?? deps.tabUrl });
  }

  private readonly missedCalls: MissedCallNotices;

  /** Client secret and monitor passwords expiring within 30 days: admins hear about each one once. */
  async checkExpiringCredentials(tenantId: string): Promise<number> {
    const { store, now } = this.deps;
    const tenant = await store.getTenant(tenantId);
    if (!tenant) return 0;
    const soon: { key: string; what: (m: Messages) => string; at: number }[] = [];
    const limit = now() + EXPIRY_WARNING_MS;
    if (tenant.clientSecretExpiresAt !== null && tenant.clientSecretExpiresAt <= limit) {
      soon.push({
        key: `expiry:client-secret:${tenant.clientId}:${tenant.clientSecretExpiresAt}`,
        what: (m) => m.credentialClientSecret,
        at: tenant.clientSecretExpiresAt,
      });
    }
    for (const m of await store.listMonitors(tenantId)) {
      if (m.state !== 'deleted' && m.passwordExpiresAt !== null && m.passwordExpiresAt <= limit) {
        soon.push({
          key: `expiry:monitor:${m.monitorId}:${m.passwordExpiresAt}`,
          what: (words) => words.credentialMonitor(m.username),
          at: m.passwordExpiresAt,
        });
      }
    }
    let sent = 0;
    for (const item of soon) {
      if (!(await store.markNoticeSent(tenantId, item.key, now()))) continue;
      const expired = item.at <= now();
      const when = new Date(item.at).toISOString().slice(0, 10);
      const delivery = await this.deps.notifier.toAdmins(tenantId, (reader) => {
        const m = messagesFor(reader.locale);
        const what = item.what(m);
        return {
          text: m.credentialExpires(what, expired, when),
          card: adaptiveCard(
            [
              text(m.credentialTitle(expired), { weight: 'Bolder', size: 'Medium' }),
              facts([
                [m.credentialWhat, what],
                [m.credentialWhen(expired), when],
                [m.credentialFix, m.credentialFixText],
              ]),
            ],
            [{ type: 'Action.OpenUrl', title: m.openAdminPage, url: this.deps.tabUrl }],
          ),
        };
      });
      if (await this.settle(tenantId, item.key, delivery)) sent += 1;
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
      // The stored problem is coded JSON (or an old row's English): the reader gets it in their language.
      const problem = problemFromStore(state.lastError);
      const delivery = await this.deps.notifier.toUser(tenantId, state.entraUserId, (reader) => ({
        text: messagesFor(reader.locale).syncBroken(
          saySyncText(problem.messageText, problem.message, reader),
        ),
      }));
      if (await this.settle(tenantId, key, delivery)) sent += 1;
    }
    return sent;
  }

  /**
   * A missed PBX call, for users who opted in (settings). Resolves whether a notice went out now; one that did not is
   * kept and tried again (retryMissedCalls), since the PBX reports the call only once (missed-call-notices.ts).
   */
  missedCall(tenantId: string, userId: string, call: MissedCall): Promise<boolean> {
    return this.missedCalls.notify(tenantId, userId, call);
  }

  /** The kept missed-call notices that are due, every tenant's (the composition root runs it every minute). */
  retryMissedCalls(limit = 100): Promise<number> {
    return this.missedCalls.retryDue(limit);
  }

  /**
   * Whether the notice marked sent under `key` arrived; if not, the mark is taken back so the notice's next chance
   * sends it (there is none sooner: nothing here retries at once, so a chat that keeps failing costs one try per
   * chance, not a loop).
   */
  private async settle(tenantId: string, key: string, delivery: Delivery): Promise<boolean> {
    if (delivery === 'delivered') return true;
    await this.deps.store.clearNotice(tenantId, key);
    return false;
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
