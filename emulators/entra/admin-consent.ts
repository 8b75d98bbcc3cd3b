import type { EmulatorRequest, EmulatorResponse } from '../common/http';
import {
  ADMIN_CONSENT_ROLES,
  type DirectoryApp,
  type DirectoryTenant,
  type DirectoryUser,
} from '../common/directory';
import type { EntraContext } from './context';
import { aadErrorBody } from './errors';
import { escape, hidden, page } from './pages';
import { GRAPH_RESOURCE } from './scopes';

/**
 * Tenant-wide admin consent, the way a customer's admin onboards a multi-tenant app:
 *
 * - v2: `GET /{tenant}/v2.0/adminconsent?client_id&redirect_uri&scope&state` (scope required; `/.default` asks
 *   for everything the registration lists, application permissions included; other Graph scopes are delegated).
 *   Success: `redirect_uri?admin_consent=True&tenant={tid}&scope=...&state=...`. Decline:
 *   `admin_consent=True&error=consent_required&error_description=AADSTS65004: ...&state=...`.
 * - v1: `GET /{tenant}/adminconsent?client_id&redirect_uri&state` (everything the registration lists).
 *   Success: `tenant={tid}&state=...&admin_consent=True`. Decline:
 *   `error=permission_denied&error_description=The admin canceled the request` (the documented example carries no
 *   state, so neither does the emulator).
 *
 * `{tenant}` is a tenant id or domain, or `organizations` (v1 also `common`): then the admin who signs in decides
 * the tenant. What is checked before anything is shown, and shown on Entra's own page instead of redirected (an
 * unverified address must receive nothing): the tenant (AADSTS90002), the app (AADSTS700016) and `redirect_uri`
 * (AADSTS50011: v2 exact match; v1 also allows more path segments, as documented). Then the browser "signs in" by
 * picking an account (the emulator checks no password); a user without an admin role that may grant the requested
 * permissions gets the "Need admin approval" page (AADSTS90094) and nothing is redirected.
 */

type Version = 'v1' | 'v2';
const ANY_ORGANISATION = new Set(['organizations', 'common']);

interface ConsentRequest {
  version: Version;
  /** The tenant in the path; undefined for `organizations`/`common`. */
  pathTenant?: DirectoryTenant;
  registration: DirectoryApp;
  redirectUri: string;
  /** The scope as asked (v2), or null (v1). */
  scope: string | null;
  state: string | null;
}

interface Grant {
  application: string[];
  delegated: string[];
}

/** GET: validate, then the account picker. */
export function adminConsentPage(ctx: EntraContext, version: Version) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const parsed = parseRequest(ctx, version, req.params.tenant ?? '', req.query);
    if ('response' in parsed) return parsed.response;
    const r = parsed.request;
    const scopeProblem = r.version === 'v2' ? checkScope(r.scope) : undefined;
    if (scopeProblem) return redirectError(ctx, r, 'invalid_request', scopeProblem);
    const tenants = r.pathTenant ? [r.pathTenant] : [...ctx.directory.tenants.values()];
    const accounts = tenants
      .flatMap((t) => [...t.users.values()].map((u) => ({ t, u })))
      .map(
        ({ t, u }) =>
          `<li><button type="submit" name="login" value="${escape(`${t.id}:${u.id}`)}">` +
          `${escape(u.displayName)} (${escape(u.userPrincipalName)})</button></li>`,
      )
      .join('');
    return page(
      200,
      'Sign in to your account',
      `<h1>Pick an account</h1>
<p>to continue to <strong>${escape(r.registration.displayName)}</strong></p>
<form method="post">${carried(r)}${hidden('step', 'signin')}<ul>${accounts}</ul></form>`,
    );
  };
}

/** POST: the signed-in account (step=signin) shows the consent page; its answer (step=decide) redirects. */
export function adminConsentAnswer(ctx: EntraContext, version: Version) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const form = req.form ?? new URLSearchParams();
    const parsed = parseRequest(ctx, version, req.params.tenant ?? '', form);
    if ('response' in parsed) return parsed.response;
    const r = parsed.request;
    const scopeProblem = r.version === 'v2' ? checkScope(r.scope) : undefined;
    if (scopeProblem) return redirectError(ctx, r, 'invalid_request', scopeProblem);

    const signedIn = signIn(ctx, r, form.get('login') ?? '');
    if ('response' in signedIn) return signedIn.response;
    const { tenant, user } = signedIn;
    const grant = grantFor(ctx, r);
    if (!mayConsent(user, grant)) {
      return page(
        403,
        'Need admin approval',
        `<h1>Need admin approval</h1>
<p>AADSTS90094: ${escape(r.registration.displayName)} needs permission to access resources in your organization
that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<p>Signed in as ${escape(user.userPrincipalName)}.</p>`,
      );
    }

    if (form.get('step') !== 'decide') return consentPage(r, tenant, user, grant);
    if (form.get('decision') !== 'accept') return redirectDecline(ctx, r);
    ctx.directory.grantAdminConsent(tenant.id, r.registration.clientId, {
      ...grant,
      by: user.id,
      at: ctx.clock.now(),
    });
    const back = new URL(r.redirectUri);
    if (r.version === 'v2') {
      back.searchParams.set('admin_consent', 'True');
      back.searchParams.set('tenant', tenant.id);
      back.searchParams.set('scope', r.scope ?? '');
      if (r.state !== null) back.searchParams.set('state', r.state);
    } else {
      back.searchParams.set('tenant', tenant.id);
      if (r.state !== null) back.searchParams.set('state', r.state);
      back.searchParams.set('admin_consent', 'True');
    }
    return redirect(back);
  };
}

function parseRequest(
  ctx: EntraContext,
  version: Version,
  tenantSegment: string,
  q: URLSearchParams,
): { request: ConsentRequest } | { response: EmulatorResponse } {
  const fail = (message: string) => ({ response: page(400, 'Sign-in failed', `<p>${escape(message)}</p>`) });
  const anyOrganisation =
    version === 'v1'
      ? ANY_ORGANISATION.has(tenantSegment.toLowerCase())
      : tenantSegment.toLowerCase() === 'organizations';
  const pathTenant = anyOrganisation ? undefined : ctx.directory.tenant(tenantSegment);
  if (!anyOrganisation && !pathTenant)
    return fail(
      `AADSTS90002: Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID.`,
    );
  const clientId = q.get('client_id') ?? '';
  if (clientId === '')
    return fail("AADSTS900144: The request body must contain the following parameter: 'client_id'.");
  const registration = ctx.directory.registration(clientId);
  const directoryName = pathTenant?.displayName ?? 'the directory';
  const usable =
    registration &&
    (!pathTenant ||
      registration.signInAudience === 'AzureADMultipleOrgs' ||
      pathTenant.apps.get(registration.clientId) === registration);
  if (!registration || !usable)
    return fail(
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${directoryName}'.`,
    );
  const redirectUri = q.get('redirect_uri') ?? '';
  if (redirectUri === '')
    return fail("AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
  if (!redirectAllowed(registration.redirectUris, redirectUri, version))
    return fail(
      `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs ` +
        `configured for the application '${registration.clientId}'. Make sure the redirect URI sent in the request ` +
        'matches one added to your application in the Azure portal.',
    );
  return {
    request: {
      version,
      pathTenant,
      registration,
      redirectUri,
      scope: version === 'v2' ? q.get('scope') : null,
      state: q.get('state'),
    },
  };
}

/** v2: an exact match. v1: the documented leeway of extra path segments below a registered address. */
function redirectAllowed(registered: string[], asked: string, version: Version): boolean {
  if (registered.includes(asked)) return true;
  if (version === 'v2') return false;
  let url: URL;
  try {
    url = new URL(asked);
  } catch {
    return false;
  }
  if (url.search !== '' || url.hash !== '') return false;
  return registered.some((r) => asked.startsWith(r.endsWith('/') ? r : `${r}/`));
}

/** The v2 `scope` must be present, and the emulator models consent to Microsoft Graph only. */
function checkScope(scope: string | null): string | undefined {
  if (scope === null || scope.trim() === '')
    return "AADSTS900144: The request body must contain the following parameter: 'scope'.";
  const foreign = scopeItems(scope).find((s) => s.resource !== GRAPH_RESOURCE);
  if (foreign)
    return `AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope ${foreign.raw} is not valid.`;
  return undefined;
}

const OIDC = new Set(['openid', 'profile', 'email', 'offline_access']);

function scopeItems(scope: string): { raw: string; resource: string; permission: string }[] {
  return scope
    .split(/\s+/)
    .filter((s) => s !== '' && !OIDC.has(s.toLowerCase()))
    .map((raw) => {
      const slash = raw.lastIndexOf('/');
      if (slash < 0) return { raw, resource: GRAPH_RESOURCE, permission: raw };
      return { raw, resource: raw.slice(0, slash).toLowerCase(), permission: raw.slice(slash + 1) };
    });
}

/** What accepting grants: `/.default` and v1 everything the registration lists; otherwise the delegated scopes named. */
function grantFor(ctx: EntraContext, r: ConsentRequest): Grant {
  const required = ctx.directory.requiredPermissions(r.registration);
  if (r.version === 'v1')
    return { application: [...required.application], delegated: [...required.delegated] };
  const items = scopeItems(r.scope ?? '');
  const all = items.some((i) => i.permission === '.default');
  const named = items.filter((i) => i.permission !== '.default').map((i) => i.permission);
  return {
    application: all ? [...required.application] : [],
    delegated: [...new Set([...(all ? required.delegated : []), ...named])],
  };
}

function mayConsent(user: DirectoryUser, grant: Grant): boolean {
  if (user.directoryRoles.some((r) => (ADMIN_CONSENT_ROLES.any as readonly string[]).includes(r)))
    return true;
  const limited = user.directoryRoles.some((r) =>
    (ADMIN_CONSENT_ROLES.exceptGraphAppRoles as readonly string[]).includes(r),
  );
  return limited && grant.application.length === 0;
}

function signIn(
  ctx: EntraContext,
  r: ConsentRequest,
  login: string,
): { tenant: DirectoryTenant; user: DirectoryUser } | { response: EmulatorResponse } {
  const [tenantId = '', userId = ''] = login.split(':');
  const tenant = ctx.directory.tenants.get(tenantId);
  const user = tenant?.users.get(userId);
  const wrongTenant = r.pathTenant !== undefined && tenant !== r.pathTenant;
  if (!tenant || !user || wrongTenant)
    return {
      response: page(
        400,
        'Sign-in failed',
        '<p>AADSTS50034: The user account does not exist in this directory.</p>',
      ),
    };
  if (!user.accountEnabled)
    return { response: page(400, 'Sign-in failed', '<p>AADSTS50057: The user account is disabled.</p>') };
  // A single-tenant app cannot be consented to outside its home, whichever organisation the admin comes from.
  if (
    r.registration.signInAudience !== 'AzureADMultipleOrgs' &&
    tenant.apps.get(r.registration.clientId) !== r.registration
  )
    return {
      response: page(
        400,
        'Sign-in failed',
        `<p>AADSTS700016: Application with identifier '${escape(r.registration.clientId)}' was not found in the ` +
          `directory '${escape(tenant.displayName)}'.</p>`,
      ),
    };
  return { tenant, user };
}

function consentPage(
  r: ConsentRequest,
  tenant: DirectoryTenant,
  user: DirectoryUser,
  grant: Grant,
): EmulatorResponse {
  const list = [
    ...grant.application.map((p) => `<li>${escape(p)} (application)</li>`),
    ...grant.delegated.map((p) => `<li>${escape(p)} (delegated)</li>`),
  ].join('');
  return page(
    200,
    'Permissions requested',
    `<p>Signed in as <strong>${escape(user.userPrincipalName)}</strong></p>
<h1>Permissions requested</h1>
<p><strong>${escape(r.registration.displayName)}</strong> would like to, for everyone in
<strong>${escape(tenant.displayName)}</strong>:</p>
<ul>${list}</ul>
<form method="post">${carried(r)}${hidden('step', 'decide')}${hidden('login', `${tenant.id}:${user.id}`)}
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`,
  );
}

function carried(r: ConsentRequest): string {
  return [
    hidden('client_id', r.registration.clientId),
    hidden('redirect_uri', r.redirectUri),
    hidden('scope', r.scope),
    hidden('state', r.state),
  ].join('');
}

function redirectDecline(ctx: EntraContext, r: ConsentRequest): EmulatorResponse {
  if (r.version === 'v1') {
    const back = new URL(r.redirectUri);
    back.searchParams.set('error', 'permission_denied');
    back.searchParams.set('error_description', 'The admin canceled the request');
    return redirect(back);
  }
  return redirectError(
    ctx,
    r,
    'consent_required',
    'AADSTS65004: The resource owner or authorization server denied the request.',
  );
}

/** An error sent back to a verified redirect URI, with Entra's trace lines after the AADSTS message. */
function redirectError(
  ctx: EntraContext,
  r: ConsentRequest,
  error: string,
  aadMessage: string,
): EmulatorResponse {
  const m = /^AADSTS(\d+): (.*)$/s.exec(aadMessage);
  const description = m
    ? String(
        aadErrorBody(
          { status: 400, error: 'invalid_request', code: Number(m[1]), message: m[2] as string },
          ctx.clock,
          ctx.baseUrl(),
        ).error_description,
      )
    : aadMessage;
  const back = new URL(r.redirectUri);
  if (r.version === 'v2') back.searchParams.set('admin_consent', 'True');
  back.searchParams.set('error', error);
  back.searchParams.set('error_description', description);
  if (r.state !== null) back.searchParams.set('state', r.state);
  return redirect(back);
}

function redirect(to: URL): EmulatorResponse {
  return { status: 302, headers: { Location: to.href, 'Cache-Control': 'no-store' } };
}
