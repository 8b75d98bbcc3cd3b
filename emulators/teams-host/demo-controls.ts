/**
 * The host page's demo controls: a phone call for the signed-in user and their Teams presence, made through the
 * emulators' own HTTP control APIs (CloudLink's /_control/calls, Graph's /_control/users/{id}/teams and
 * manual-status). Test equipment, like the host page itself: the product sees what it would see from a real phone
 * and a real Teams client.
 */

export interface DemoControlsOptions {
  /** The CloudLink emulator's base URL (its /_control routes). */
  cloudlinkBaseUrl: string;
  /** The Graph emulator's base URL (its /_control routes). */
  graphBaseUrl: string;
  /** Where an outgoing demo call goes: a number outside the company. */
  outsideNumber?: string;
}

export const TEAMS_STATES = ['available', 'meeting', 'call', 'dnd', 'away', 'offline'] as const;
export type TeamsState = (typeof TEAMS_STATES)[number];

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Step = { method: string; path: string; body?: unknown };

/** The Teams client actions that put a user in each state, undoing whatever the other states set. */
function teamsSteps(userId: string, state: TeamsState): Step[] {
  const user = `/_control/users/${encodeURIComponent(userId)}`;
  const act = (action: string): Step => ({ method: 'POST', path: `${user}/teams`, body: { action } });
  const manual = (availability: string): Step => ({
    method: 'PUT',
    path: `${user}/manual-status`,
    body: { availability },
  });
  const clearManual: Step = { method: 'DELETE', path: `${user}/manual-status` };
  switch (state) {
    case 'available':
      return [clearManual, act('leaveMeeting'), act('endCall'), act('active')];
    case 'meeting':
      return [clearManual, act('endCall'), act('joinMeeting')];
    case 'call':
      return [clearManual, act('leaveMeeting'), act('startCall')];
    case 'dnd':
      return [act('active'), manual('DoNotDisturb')];
    case 'away':
      return [act('active'), manual('Away')];
    case 'offline':
      return [clearManual, act('signOut')];
  }
}

export class DemoControls {
  /** The call each user placed from the host page, until they end it. */
  private readonly calls = new Map<string, string>();

  constructor(private readonly options: DemoControlsOptions) {}

  /** The signed-in user calls a number outside the company and the far end answers: their phone is on a call. */
  async placeCall(principalId: string): Promise<{ callId: string; state: string }> {
    if (this.calls.has(principalId))
      throw new ControlError(409, 'This user is already on a call placed here.');
    const call = await this.cloudlink<{ callId: string }>('/_control/calls', {
      from: principalId,
      to: this.options.outsideNumber ?? '+4930901820',
    });
    this.calls.set(principalId, call.callId);
    const answered = await this.cloudlink<{ state: string }>(`/_control/calls/${call.callId}/answer`, {});
    return { callId: call.callId, state: answered.state };
  }

  async endCall(principalId: string): Promise<{ callId: string }> {
    const callId = this.calls.get(principalId);
    if (!callId) throw new ControlError(409, 'This user has no call placed here to end.');
    this.calls.delete(principalId);
    await this.cloudlink(`/_control/calls/${callId}/hangup`, {});
    return { callId };
  }

  async setTeams(userId: string, state: TeamsState): Promise<{ availability: string; activity: string }> {
    let last: unknown;
    for (const step of teamsSteps(userId, state)) last = await this.send(this.options.graphBaseUrl, step);
    // Every step answers the user's presence; the last one is where it ended.
    const p = (last ?? {}) as { aggregate?: { availability?: string; activity?: string } } & {
      availability?: string;
      activity?: string;
    };
    return {
      availability: p.aggregate?.availability ?? p.availability ?? 'Offline',
      activity: p.aggregate?.activity ?? p.activity ?? 'Offline',
    };
  }

  private cloudlink<T>(path: string, body: unknown): Promise<T> {
    return this.send(this.options.cloudlinkBaseUrl, { method: 'POST', path, body }) as Promise<T>;
  }

  private async send(base: string, step: Step): Promise<unknown> {
    const res = await fetch(`${base}${step.path}`, {
      method: step.method,
      headers: step.body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: step.body === undefined ? undefined : JSON.stringify(step.body),
    });
    const text = await res.text();
    if (!res.ok) throw new ControlError(502, `The emulator refused ${step.method} ${step.path}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
