import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock';
import type { CallRecordRow, EndCause, PbxUserRecord } from './pbx-types';
import { seededRandom } from '../common/random';

/**
 * Past calls for demo and seed data: a believable mix of inbound, outbound and missed calls, during office hours,
 * with colleagues and outside callers. Deterministic for a given seed, so a demo looks the same on every start.
 */

export interface HistoryOptions {
  /** How far back the calls go. Default 30. */
  days?: number;
  /** PRNG seed; default derived from the user's principal id. */
  seed?: number;
}

const OUTSIDE_CALLERS: [string, string | null][] = [
  ['+4930901820', 'Fabrikam Sales'],
  ['+442071838750', 'Northwind Traders'],
  ['+14255550123', 'Adatum Support'],
  ['+33142685300', 'Tailspin Toys'],
  ['+4989123456', null],
  ['+491701234567', null],
  ['+436641234567', 'Woodgrove Bank'],
  ['+41442345678', null],
];

const DAY = 86_400_000;

export class HistoryGenerator {
  constructor(private readonly clock: Clock) {}

  generate(
    user: PbxUserRecord,
    colleagues: PbxUserRecord[],
    count: number,
    options: HistoryOptions,
  ): CallRecordRow[] {
    const random = seededRandom(options.seed ?? hashSeed(user.principalId));
    const days = options.days ?? 30;
    const others = colleagues.filter((c) => c.principalId !== user.principalId && c.extension);
    const me: [string, string | null] = [user.extension ?? user.principalId, user.name];
    const rows: CallRecordRow[] = [];
    for (let i = 0; i < count; i++) {
      const startedAt = officeHoursTime(this.clock.now(), days, random);
      const colleague =
        others.length > 0 && random() < 0.55 ? others[Math.floor(random() * others.length)] : undefined;
      const other: [string, string | null] = colleague
        ? [colleague.extension!, colleague.name]
        : OUTSIDE_CALLERS[Math.floor(random() * OUTSIDE_CALLERS.length)]!;
      const inbound = random() < 0.55;
      const outcome = random();
      // Inbound: about a quarter missed (mostly not answered, some DND or busy). Outbound: some unanswered.
      const cause: EndCause = inbound
        ? outcome < 0.18
          ? 'callNotAnswer'
          : outcome < 0.22
            ? 'doNotDisturb'
            : outcome < 0.26
              ? 'busy'
              : 'normal'
        : outcome < 0.12
          ? 'callNotAnswer'
          : 'normal';
      const ringTime =
        cause === 'doNotDisturb' || cause === 'busy'
          ? 0
          : Math.round(2_000 + random() * (cause === 'normal' ? 12_000 : 25_000));
      const billingTime = cause === 'normal' ? Math.round(15_000 + random() * random() * 1_500_000) : 0;
      const [from, to] = inbound ? [other, me] : [me, other];
      rows.push({
        callId: randomUUID(),
        from: from[0],
        fromName: from[1],
        to: to[0],
        toName: to[1],
        direction: inbound ? 'inbound' : 'outbound',
        state: 'disconnected',
        cause,
        createdOn: new Date(startedAt).toISOString(),
        endTime: new Date(startedAt + ringTime + billingTime).toISOString(),
        completed: cause === 'normal',
        ringTime,
        billingTime,
      });
    }
    return rows;
  }
}

/**
 * A weekday between 08:00 and 18:00 UTC within the last `days` days, at least an hour ago. A window too short to
 * hold one (a day-long window on a Sunday) falls back to any time in it.
 */
function officeHoursTime(now: number, days: number, random: () => number): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const day = new Date(now - Math.floor(random() * days) * DAY);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
    const t =
      Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 8) +
      Math.floor(random() * 10 * 3_600_000);
    if (t < now - 3_600_000) return t;
  }
  return now - 3_600_000 - Math.floor(random() * Math.max(0, days * DAY - 3_600_000));
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
