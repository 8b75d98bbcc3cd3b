import { app, authentication } from '@microsoft/teams-js';
import { consentTargetOf } from './token-claims';
import { ConsentWindowError, toTeamsTheme, type HostContext, type HostStart, type TeamsHost } from './host';

/**
 * Outside a Teams host, app.initialize() only rejects after 60 s. Teams answers "initialize" within a second or two,
 * so a tab with no parent frame is decided at once and a framed one that gets no answer in this time is not in Teams.
 */
export const HOST_ANSWER_TIMEOUT_MS = 8000;

export async function connectToTeams(
  win: Window = window,
  timeoutMs = HOST_ANSWER_TIMEOUT_MS,
): Promise<HostStart> {
  const framed = win.parent !== win.self;
  if (!framed && !win.opener) return { kind: 'notInTeams', reason: 'no parent frame' };
  try {
    await withTimeout(app.initialize(), timeoutMs);
    const context = toHostContext(await app.getContext());
    app.notifySuccess();
    return { kind: 'teams', host: teamsJsHost(context, win) };
  } catch (e) {
    return { kind: 'notInTeams', reason: e instanceof Error ? e.message : String(e) };
  }
}

function teamsJsHost(context: HostContext, win: Window): TeamsHost {
  return {
    context,
    getAuthToken: () => authentication.getAuthToken(),
    onThemeChange: (handler) => app.registerOnThemeChangeHandler((theme) => handler(toTeamsTheme(theme))),
    async requestConsent() {
      const target = consentTargetOf(await authentication.getAuthToken());
      if (!target) throw new Error('The Teams sign-in token names no app to consent to.');
      const start = new URL('auth-start.html', win.location.href);
      start.searchParams.set('clientId', target.clientId);
      start.searchParams.set('authority', target.authority);
      if (context.userPrincipalName) start.searchParams.set('loginHint', context.userPrincipalName);
      try {
        await authentication.authenticate({ url: start.href, width: 600, height: 535 });
      } catch (e) {
        throw new ConsentWindowError(e instanceof Error ? e.message : String(e));
      }
    },
  };
}

function toHostContext(ctx: app.Context): HostContext {
  return {
    locale: ctx.app.locale || 'en-US',
    theme: toTeamsTheme(ctx.app.theme),
    hostClientType: ctx.app.host.clientType,
    userId: ctx.user?.id ?? '',
    tenantId: ctx.user?.tenant?.id ?? '',
    userPrincipalName: ctx.user?.userPrincipalName,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from a Teams host within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
