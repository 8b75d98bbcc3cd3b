import type { Logger } from '../../shared/platform/logger';
import type { MissedCall, MissedCallRetry, Store } from '../../shared/ports/store';
import { adaptiveCard, facts, text } from '../conversation/cards/adaptive';
import { formatMoment, messagesFor } from '../conversation/messages';
import { MISSED_CALL_RETRY_WAITS_MS, nextMissedCallTry } from './missed-call-retry-policy';
import type { Delivery, Notifier } from './notifier';

/** How long a process that took a kept notice to send it holds it: one that dies mid-send leaves it for the next. */
const CLAIM_MS = 2 * 60_000;

const noticeKey = (call: MissedCall) => `missed:${call.callId}`;

/**
 * Missed-call notices, for users who opted in. The PBX reports a call once, so a notice is kept in the store before
 * it is sent and dropped only once it is settled: delivered, nobody to send it to, not wanted any more, or given up
 * after its tries (missed-call-retry-policy.ts). A process that dies mid-send, or a connector that refuses (503,
 * throttling, no answer), leaves it for a later sweep, which any process may run: each kept notice is claimed by one.
 */
export class MissedCallNotices {
  constructor(
    private readonly deps: {
      store: Store;
      notifier: Notifier;
      logger: Logger;
      now: () => number;
      /** Where "Open call history" leads (NoticeService's callHistoryUrl, else the tab). */
      link: string;
    },
  ) {}

  /** The call as the PBX reported it. Resolves whether a notice went out now. */
  async notify(tenantId: string, userId: string, call: MissedCall): Promise<boolean> {
    const { store, now } = this.deps;
    if (!(await this.wanted(tenantId, userId))) return false;
    // Once per call across processes and repeated events (a webhook posted again).
    if (!(await store.markNoticeSent(tenantId, noticeKey(call), now()))) return false;
    const kept: MissedCallRetry = {
      tenantId,
      userId,
      call,
      attempts: 1,
      nextAt: now() + MISSED_CALL_RETRY_WAITS_MS[0],
    };
    await store.putMissedCallRetry(kept);
    return (await this.attempt(kept)) === 'delivered';
  }

  /** Sends the kept notices that are due, every tenant's; resolves how many went out. Failures are logged. */
  async retryDue(limit = 100): Promise<number> {
    const { store, now } = this.deps;
    let sent = 0;
    for (const kept of await store.dueMissedCallRetries(now(), limit)) {
      const { tenantId, call } = kept;
      try {
        if (!(await store.claimMissedCallRetry(tenantId, call.callId, kept.nextAt, now() + CLAIM_MS)))
          continue;
        if (!(await this.wanted(tenantId, kept.userId))) {
          await store.deleteMissedCallRetry(tenantId, call.callId);
          continue;
        }
        const next = { ...kept, attempts: kept.attempts + 1 };
        if ((await this.attempt(next)) === 'delivered') sent += 1;
      } catch (e) {
        this.deps.logger.warn({ err: e, tenantId, callId: call.callId }, 'missed-call notice retry failed');
      }
    }
    return sent;
  }

  private async wanted(tenantId: string, userId: string): Promise<boolean> {
    return (await this.deps.store.getUserSettings(tenantId, userId)).missedCallNotice;
  }

  /** One try of a kept notice, then settled: dropped unless the connector did not take it (kept for later). */
  private async attempt(kept: MissedCallRetry): Promise<Delivery> {
    const { tenantId, userId, call } = kept;
    const delivery = await this.send(tenantId, userId, call);
    if (delivery === 'failed') await this.keepForLater(kept);
    else await this.deps.store.deleteMissedCallRetry(tenantId, call.callId);
    // Not arrived: unmarked, so the same call reported again is told (the kept notice is replaced, not doubled).
    if (delivery !== 'delivered') await this.deps.store.clearNotice(tenantId, noticeKey(call));
    return delivery;
  }

  private async keepForLater(kept: MissedCallRetry): Promise<void> {
    const nextAt = nextMissedCallTry(kept.attempts, kept.call.at, this.deps.now());
    if (nextAt !== null) return this.deps.store.putMissedCallRetry({ ...kept, nextAt });
    await this.deps.store.deleteMissedCallRetry(kept.tenantId, kept.call.callId);
    this.deps.logger.warn(
      {
        tenantId: kept.tenantId,
        event: 'bot.noticeGaveUp',
        notice: 'missedCall',
        callId: kept.call.callId,
        attempts: kept.attempts,
      },
      'a missed-call notice the connector did not take is given up: too many tries, or the call is a day old',
    );
  }

  private send(tenantId: string, userId: string, call: MissedCall): Promise<Delivery> {
    const who = call.name ? `${call.name} (${call.number})` : call.number;
    const { link } = this.deps;
    // tel: inside cards fails on some desktop clients, so the card opens the call history tab, where call-back works.
    return this.deps.notifier.toUser(tenantId, userId, (reader) => {
      const m = messagesFor(reader.locale);
      const when = formatMoment(call.at, reader);
      return {
        text: m.missedCall(who, when),
        card: adaptiveCard(
          [
            text(m.missedCallTitle, { weight: 'Bolder' }),
            facts([
              [m.missedCallFrom, who],
              [m.missedCallWhen, when],
            ]),
          ],
          [{ type: 'Action.OpenUrl', title: m.openCallHistory, url: link }],
        ),
      };
    });
  }
}
