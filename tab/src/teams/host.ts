/**
 * What the tab needs from the Teams host, as one small interface. Components depend on this, never on teams-js,
 * so tests pass a fake and a move to another host SDK touches only this folder.
 */
export type TeamsTheme = 'default' | 'dark' | 'contrast';

export interface HostContext {
  locale: string;
  theme: TeamsTheme;
  /** Teams' host client type: desktop, web, ios, ipados, android, macos, ... */
  hostClientType: string;
  userId: string;
  tenantId: string;
  userPrincipalName?: string;
  /** The client's IANA time zone. Teams' context carries none: the tab runs in the Teams client, so it is the browser's. */
  timeZone: string;
}

export interface TeamsHost {
  readonly context: HostContext;
  /** A Teams SSO token for the Switchboard API (Teams caches and refreshes it). */
  getAuthToken(): Promise<string>;
  /** Calls the handler whenever the user switches the Teams theme; returns nothing, as Teams allows one handler. */
  onThemeChange(handler: (theme: TeamsTheme) => void): void;
  /** Opens Teams' authentication window so the user can consent to what the server's on-behalf-of flow needs. */
  requestConsent(): Promise<void>;
}

/**
 * Teams' authentication window ended without consent: the user closed it, or its answer was refused (a `state` that
 * does not belong to this request). The reason is kept for the console; the page shows one sentence for all.
 */
export class ConsentWindowError extends Error {
  constructor(readonly reason: string) {
    super(`consent window: ${reason}`);
    this.name = 'ConsentWindowError';
  }
}

export type HostStart = { kind: 'teams'; host: TeamsHost } | { kind: 'notInTeams'; reason: string };

export function toTeamsTheme(value: string | undefined): TeamsTheme {
  return value === 'dark' || value === 'contrast' ? value : 'default';
}
