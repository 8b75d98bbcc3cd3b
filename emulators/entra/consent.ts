import { randomBytes } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../common/http';
import type { EntraContext } from './context';
import { escape, page } from './pages';

// The requirements live apart from the handlers below, which use the context that holds them (no import cycle).
export { ConsentRequirements } from './consent-requirements';

/**
 * PUT /_control/consent-required {tenantId, clientId, userId}: the user has not consented to the app (the next
 * on-behalf-of grant for them answers AADSTS65001). DELETE with the same body: they have.
 */
export function consentControl(ctx: EntraContext, required: boolean) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const tenantId = typeof b.tenantId === 'string' ? b.tenantId : '';
    const clientId = typeof b.clientId === 'string' ? b.clientId : '';
    const tenant = ctx.directory.tenant(tenantId);
    const app = tenant ? ctx.directory.appIn(tenant.id, clientId) : undefined;
    const user =
      tenant && typeof b.userId === 'string' ? ctx.directory.findUser(tenant.id, b.userId) : undefined;
    if (!tenant || !app || !user)
      return {
        status: 400,
        body: {
          error: { code: 'BadRequest', message: 'Send {tenantId, clientId, userId} of this directory.' },
        },
      };
    if (required) ctx.consent.require(tenant.id, app.clientId, user.id);
    else ctx.consent.grant(tenant.id, app.clientId, user.id);
    return { status: 204 };
  };
}

interface AuthorizeRequest {
  tenantId: string;
  clientId: string;
  appName: string;
  redirectUri: string;
  scope: string;
  state: string | null;
  userId: string;
  userName: string;
}

/**
 * GET /{tenant}/oauth2/v2.0/authorize: the sign-in and consent page. The emulator signs nobody in: the user is the
 * one `login_hint` names (the tab sends its Teams user). What the real service checks first is checked here too:
 * the app exists in the tenant (AADSTS700016) and `redirect_uri` is one registered for it (AADSTS50011); those
 * errors are shown on the page and never redirected, because an unregistered address must not receive anything.
 */
export function authorizePage(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const parsed = parseAuthorize(ctx, req.params.tenant ?? '', req.query);
    if (typeof parsed === 'string') return page(400, 'Sign-in failed', `<p>${escape(parsed)}</p>`);
    const hidden = (name: string, value: string | null) =>
      value === null ? '' : `<input type="hidden" name="${name}" value="${escape(value)}">`;
    const fields = [
      hidden('client_id', parsed.clientId),
      hidden('redirect_uri', parsed.redirectUri),
      hidden('scope', parsed.scope),
      hidden('state', parsed.state),
      hidden('login_hint', parsed.userId),
      hidden('response_type', 'code'),
    ].join('');
    const scopes = parsed.scope
      .split(/\s+/)
      .filter(Boolean)
      .map((s) => `<li>${escape(s)}</li>`)
      .join('');
    return page(
      200,
      'Permissions requested',
      `<p>Signed in as <strong>${escape(parsed.userName)}</strong></p>
<h1>Permissions requested</h1>
<p><strong>${escape(parsed.appName)}</strong> would like to:</p>
<ul>${scopes}</ul>
<form method="post" action="authorize">${fields}
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`,
    );
  };
}

/** POST /{tenant}/oauth2/v2.0/authorize: the user's answer on the consent page; redirects back to the app. */
export function authorizeDecision(ctx: EntraContext) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const form = req.form ?? new URLSearchParams();
    const parsed = parseAuthorize(ctx, req.params.tenant ?? '', form);
    if (typeof parsed === 'string') return page(400, 'Sign-in failed', `<p>${escape(parsed)}</p>`);
    const back = new URL(parsed.redirectUri);
    if (form.get('decision') === 'accept') {
      ctx.consent.grant(parsed.tenantId, parsed.clientId, parsed.userId);
      back.searchParams.set('code', randomBytes(48).toString('base64url'));
    } else {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    }
    if (parsed.state !== null) back.searchParams.set('state', parsed.state);
    return { status: 302, headers: { Location: back.href, 'Cache-Control': 'no-store' } };
  };
}

function parseAuthorize(ctx: EntraContext, tenantId: string, q: URLSearchParams): AuthorizeRequest | string {
  const tenant = ctx.directory.tenant(tenantId);
  if (!tenant) return `AADSTS90002: Tenant '${tenantId}' not found.`;
  const clientId = q.get('client_id') ?? '';
  const app = ctx.directory.appIn(tenant.id, clientId);
  if (!app)
    return (
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory ` +
      `'${tenant.displayName}'.`
    );
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!app.redirectUris.includes(redirectUri))
    return (
      `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs ` +
      `configured for the application '${clientId}'.`
    );
  if (q.get('response_type') !== 'code')
    return "AADSTS900144: The request body must contain 'response_type'.";
  const user = ctx.directory.findUser(tenant.id, q.get('login_hint') ?? '');
  if (!user) return 'AADSTS50034: The user account does not exist in this directory.';
  return {
    tenantId: tenant.id,
    clientId: app.clientId,
    appName: app.displayName,
    redirectUri,
    scope: q.get('scope') ?? '',
    state: q.get('state'),
    userId: user.id,
    userName: user.userPrincipalName,
  };
}
