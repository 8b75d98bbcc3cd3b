import type { SyncStatus } from '../../shared/api/contract';
import { awaitingFirstSync } from '../../shared/api/sync-status';
import { saySyncText } from '../../shared/api/texts/sync-words';
import { formatMoment, type Messages } from './messages';
import type { Audience } from './types';

/**
 * The `status` command's answer: both presences, the last sync and any problem, in words, with times in the
 * reader's language and time zone.
 */
export function describeStatus(s: SyncStatus, now: number, m: Messages, audience: Audience): string {
  const word = (token: string) => m.availability[token] ?? spaced(token);
  const lines: string[] = [];
  lines.push(
    s.teams
      ? `**${m.statusTeams}:** ${word(s.teams.availability)}${s.teams.activity && s.teams.activity !== s.teams.availability ? ` (${word(s.teams.activity)})` : ''}`
      : `**${m.statusTeams}:** ${m.unknown}`,
  );
  if (s.pbx) {
    const call = s.pbx.callState === 'idle' ? m.noCall : s.pbx.callState === 'ringing' ? m.ringing : m.onCall;
    lines.push(
      `**${m.statusPhone}:** ${call}${s.pbx.dnd ? `, ${m.doNotDisturb}` : ''}${s.pbx.statusText ? ` ("${s.pbx.statusText}")` : ''}`,
    );
  } else {
    lines.push(`**${m.statusPhone}:** ${m.unknown}`);
  }
  lines.push(
    `**${m.statusLastSync}:** ${s.lastSyncAt ? ago(Date.parse(s.lastSyncAt), now, m, audience) : m.never}`,
  );
  if (!s.enabled.toTeams && !s.enabled.fromTeams) lines.push(m.syncOff);
  else if (!s.enabled.toTeams) lines.push(m.toTeamsOff);
  else if (!s.enabled.fromTeams) lines.push(m.fromTeamsOff);
  lines.push(
    s.problem
      ? `**${m.statusProblem}:** ${saySyncText(s.problem.messageText, s.problem.message, audience)}\n` +
          `**${m.statusWhatToDo}:** ${saySyncText(s.problem.fixText, s.problem.fix, audience)}`
      : awaitingFirstSync(s)
        ? m.notSyncedYet
        : m.allGood,
  );
  return lines.join('\n\n');
}

function spaced(value: string): string {
  return value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
}

function ago(at: number, now: number, m: Messages, audience: Audience): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return m.secondsAgo(seconds);
  if (seconds < 3600) return m.minutesAgo(Math.round(seconds / 60));
  if (seconds < 86400) return m.hoursAgo(Math.round(seconds / 3600));
  // "31 h ago" makes the reader count; past a day the date and time say it (as a missed-call notice does).
  return formatMoment(at, audience);
}
