import { ManualClock } from '../../emulators/common/clock';
import { Directory } from '../../emulators/common/directory';
import { startEntraEmulator, type EntraEmulator } from '../../emulators/entra/server';

/**
 * A hosting partner and its customers, for the multi-tenant tests: the partner's own tenant holds the Switchboard
 * registration with "accounts in any organisational directory" sign-in; Contoso and Fabrikam are customers who have
 * not consented yet. Each customer has a Global Administrator, an ordinary user, an Application Administrator and a
 * presence monitor account.
 */
export const DAY = 24 * 3600 * 1000;
export const REDIRECT_URI = 'https://switchboard.partner.example/onboarding/consented';
export const REQUIRED = {
  application: ['Presence.ReadWrite.All', 'User.Read.All'],
  delegated: ['Presence.Read.All', 'User.Read'],
};

export interface Customer {
  tenantId: string;
  name: string;
  admin: string;
  user: string;
  appAdmin: string;
  monitor: { id: string; upn: string };
}

export interface MultiTenantFixture {
  clock: ManualClock;
  directory: Directory;
  entra: EntraEmulator;
  partnerTenant: string;
  app: { clientId: string; secret: string; identifierUri: string };
  /** An app that was never made multi-tenant, registered at Contoso. */
  singleTenantApp: { clientId: string; secret: string };
  contoso: Customer;
  fabrikam: Customer;
  password: string;
}

export async function startMultiTenantFixture(): Promise<MultiTenantFixture> {
  const clock = new ManualClock();
  const directory = new Directory();
  const password = 'Correct-Horse-9';
  const partnerTenant = directory.addTenant({
    id: 'aa000000-0000-4000-8000-00000000000a',
    displayName: 'Partner Hosting',
    domain: 'partner.example',
  }).id;
  const clientId = '5b0a7d1e-1111-4111-8111-0000000000aa';
  const identifierUri = `api://switchboard.partner.example/botid-${clientId}`;
  directory.addApp(partnerTenant, {
    clientId,
    displayName: 'Switchboard (hosted)',
    signInAudience: 'AzureADMultipleOrgs',
    secrets: [{ id: 's1', value: 'hosted-secret', expiresAt: clock.now() + 365 * DAY }],
    requiredGraphPermissions: REQUIRED,
    redirectUris: [REDIRECT_URI],
    identifierUris: [identifierUri],
    appRoles: ['Switchboard.Admin'],
  });

  const customer = (id: string, name: string, domain: string): Customer => {
    const tenantId = directory.addTenant({ id, displayName: name, domain }).id;
    const add = (nick: string, extra: Record<string, unknown> = {}) =>
      directory.addUser(tenantId, {
        userPrincipalName: `${nick}@${domain}`,
        displayName: nick,
        password,
        ...extra,
      });
    const monitor = add('svc-monitor');
    return {
      tenantId,
      name,
      admin: add('admin', { directoryRoles: ['Global Administrator'] }).id,
      user: add('user').id,
      appAdmin: add('appadmin', { directoryRoles: ['Application Administrator'] }).id,
      monitor: { id: monitor.id, upn: monitor.userPrincipalName },
    };
  };
  const contoso = customer('c0a1b2c3-0000-4000-8000-0000000000c1', 'Contoso', 'contoso.example');
  const fabrikam = customer('fab00000-0000-4000-8000-0000000000f2', 'Fabrikam', 'fabrikam.example');
  const single = directory.addApp(contoso.tenantId, {
    displayName: 'Contoso in-house tool',
    secrets: [{ id: 'x1', value: 'inhouse-secret', expiresAt: clock.now() + DAY }],
    redirectUris: [REDIRECT_URI],
    grantedApplicationPermissions: ['User.Read.All'],
  });

  const entra = await startEntraEmulator({ directory, clock });
  return {
    clock,
    directory,
    entra,
    partnerTenant,
    app: { clientId, secret: 'hosted-secret', identifierUri },
    singleTenantApp: { clientId: single.clientId, secret: 'inhouse-secret' },
    contoso,
    fabrikam,
    password,
  };
}

export interface FormAnswer {
  status: number;
  location: string | null;
  html: string;
}

/** A browser's GET of a page, without following redirects (the test reads where it would go). */
export async function browse(url: string): Promise<FormAnswer> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** A browser submitting a form on a page: the page's hidden fields plus the button pressed. */
export async function submit(
  url: string,
  page: FormAnswer,
  button: Record<string, string>,
): Promise<FormAnswer> {
  const fields = new URLSearchParams();
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(m[1] as string, unescapeHtml(m[2] as string));
  }
  for (const [k, v] of Object.entries(button)) fields.set(k, v);
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The client-credentials token request of the hosted app in a tenant. */
export async function appToken(
  fx: MultiTenantFixture,
  tenantId: string,
  clientId = fx.app.clientId,
  secret = fx.app.secret,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fx.entra.baseUrl}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Runs the whole v2 admin consent as the given admin, accepting; returns where the browser was sent. */
export async function consentAs(
  fx: MultiTenantFixture,
  tenantId: string,
  userId: string,
  opts: { scope?: string; state?: string; decision?: 'accept' | 'cancel' } = {},
): Promise<FormAnswer> {
  const url = adminConsentUrl(fx, tenantId, {
    scope: opts.scope ?? 'https://graph.microsoft.com/.default',
    state: opts.state ?? 'onboard-1',
  });
  const picker = await browse(url);
  expect(picker.status).toBe(200);
  const consent = await submit(url, picker, { login: `${tenantId}:${userId}` });
  if (consent.status !== 200) return consent;
  return submit(url, consent, { decision: opts.decision ?? 'accept' });
}

export function adminConsentUrl(
  fx: MultiTenantFixture,
  tenant: string,
  params: { scope?: string; state?: string; redirectUri?: string; clientId?: string },
  version: 'v1' | 'v2' = 'v2',
): string {
  const q = new URLSearchParams({
    client_id: params.clientId ?? fx.app.clientId,
    redirect_uri: params.redirectUri ?? REDIRECT_URI,
  });
  if (params.scope !== undefined) q.set('scope', params.scope);
  if (params.state !== undefined) q.set('state', params.state);
  const path = version === 'v2' ? `${tenant}/v2.0/adminconsent` : `${tenant}/adminconsent`;
  return `${fx.entra.baseUrl}/${path}?${q.toString()}`;
}
