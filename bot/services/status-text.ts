import type { SyncStatus } from '../../shared/api/contract';

/** The `status` command's answer: both presences, the last sync and any problem, in words. */
export function describeStatus(s: SyncStatus, now: number): string {
  const lines: string[] = [];
  lines.push(
    s.teams
      ? `**Teams:** ${spaced(s.teams.availability)}${s.teams.activity && s.teams.activity !== s.teams.availability ? ` (${spaced(s.teams.activity)})` : ''}`
      : '**Teams:** unknown',
  );
  if (s.pbx) {
    const call =
      s.pbx.callState === 'idle' ? 'no call' : s.pbx.callState === 'ringing' ? 'ringing' : 'on a call';
    lines.push(
      `**Phone:** ${call}${s.pbx.dnd ? ', do not disturb' : ''}${s.pbx.statusText ? ` ("${s.pbx.statusText}")` : ''}`,
    );
  } else {
    lines.push('**Phone:** unknown');
  }
  lines.push(`**Last sync:** ${s.lastSyncAt ? ago(Date.parse(s.lastSyncAt), now) : 'never'}`);
  if (!s.enabled.toTeams && !s.enabled.fromTeams) lines.push('Presence sync is switched off for you.');
  else if (!s.enabled.toTeams) lines.push('Your phone does not update Teams (switched off by your admin).');
  else if (!s.enabled.fromTeams) lines.push('Teams does not update your phone (switched off by your admin).');
  lines.push(
    s.problem ? `**Problem:** ${s.problem.message}\n**What to do:** ${s.problem.fix}` : 'Everything works.',
  );
  return lines.join('\n\n');
}

function spaced(value: string): string {
  return value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
}

function ago(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(at).toISOString();
}
