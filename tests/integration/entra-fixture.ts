import { ManualClock } from '../../emulators/common/clock';
import { Directory } from '../../emulators/common/directory';
import { startEntraEmulator, type EntraEmulator } from '../../emulators/entra/server';

/**
 * A small directory for the Entra tests: Contoso with the Switchboard app (consented), an app nobody consented,
 * a public client, an app whose only secret expired, another system (a CRM) calling Switchboard's API, and users
 * for every sign-in outcome; plus Fabrikam, a second tenant, to prove tenants stay apart.
 */
export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;

export interface EntraFixture {
  clock: ManualClock;
  directory: Directory;
  entra: EntraEmulator;
  contoso: string;
  fabrikam: string;
  switchboard: { clientId: string; secret: string; expiredSecret: string; identifierUri: string };
  unconsented: { clientId: string; secret: string };
  publicClient: { clientId: string };
  expiredOnly: { clientId: string; secret: string };
  crm: { clientId: string; secret: string };
  fabrikamApp: { clientId: string; secret: string; identifierUri: string };
  users: { monitor: string; mfa: string; disabled: string; alice: string; bob: string; fabrikamUser: string };
  password: string;
}

export async function startEntraFixture(): Promise<EntraFixture> {
  const clock = new ManualClock();
  const directory = new Directory();
  const now = clock.now();
  const contoso = directory.addTenant({
    id: 'c0a1b2c3-0000-4000-8000-000000000001',
    displayName: 'Contoso',
    domain: 'contoso.example',
  }).id;
  const fabrikam = directory.addTenant({
    id: 'fab00000-0000-4000-8000-000000000002',
    displayName: 'Fabrikam',
    domain: 'fabrikam.example',
  }).id;

  const switchboardId = '5b0a7d1e-1111-4111-8111-000000000001';
  const crmId = 'c7a00000-2222-4222-8222-000000000002';
  const identifierUri = `api://switchboard.contoso.example/botid-${switchboardId}`;
  directory.addApp(contoso, {
    clientId: switchboardId,
    displayName: 'Switchboard',
    // Other organisations may consent to it (the fuzz test's third tenant does); this deployment still serves only
    // the tenants it is configured for.
    signInAudience: 'AzureADMultipleOrgs',
    secrets: [
      { id: 's1', value: 'sb-secret-current', expiresAt: now + 365 * DAY },
      { id: 's0', value: 'sb-secret-expired', expiresAt: now - DAY },
    ],
    grantedApplicationPermissions: ['Presence.ReadWrite.All', 'User.Read.All'],
    consentedDelegatedPermissions: ['Presence.Read.All', 'User.Read'],
    identifierUris: [identifierUri],
    appRoles: ['Switchboard.Admin', 'Presence.Read.External'],
    roleAssignmentsToApps: { [crmId]: ['Presence.Read.External'] },
  });
  const unconsented = directory.addApp(contoso, {
    displayName: 'Not consented',
    secrets: [{ id: 'u1', value: 'u-secret', expiresAt: now + DAY }],
  });
  const publicClient = directory.addApp(contoso, {
    displayName: 'Monitor console',
    consentedDelegatedPermissions: ['Presence.Read.All'],
  });
  const expiredOnly = directory.addApp(contoso, {
    displayName: 'Forgotten',
    secrets: [{ id: 'e1', value: 'old-secret', expiresAt: now - 1 }],
  });
  directory.addApp(contoso, {
    clientId: crmId,
    displayName: 'CRM',
    secrets: [{ id: 'c1', value: 'crm-secret', expiresAt: now + DAY }],
  });

  const fabrikamAppId = 'fab0a000-3333-4333-8333-000000000003';
  const fabrikamUri = `api://switchboard.fabrikam.example/botid-${fabrikamAppId}`;
  directory.addApp(fabrikam, {
    clientId: fabrikamAppId,
    displayName: 'Switchboard',
    secrets: [{ id: 'f1', value: 'fab-secret', expiresAt: now + DAY }],
    consentedDelegatedPermissions: ['Presence.Read.All'],
    identifierUris: [fabrikamUri],
  });

  const password = 'Correct-Horse-9';
  const user = (upn: string, extra: Record<string, unknown> = {}) =>
    directory.addUser(contoso, {
      userPrincipalName: upn,
      displayName: upn.split('@')[0] as string,
      password,
      ...extra,
    }).id;
  const users = {
    monitor: user('monitor@contoso.example'),
    mfa: user('mfa.monitor@contoso.example', { mfaRequired: true }),
    disabled: user('left@contoso.example', { accountEnabled: false }),
    alice: user('alice@contoso.example', {
      displayName: 'Alice Admin',
      appRoles: { [switchboardId]: ['Switchboard.Admin'] },
    }),
    bob: user('bob@contoso.example', { displayName: 'Bob Agent' }),
    fabrikamUser: directory.addUser(fabrikam, {
      userPrincipalName: 'carol@fabrikam.example',
      displayName: 'Carol',
    }).id,
  };

  const entra = await startEntraEmulator({ directory, clock });
  return {
    clock,
    directory,
    entra,
    contoso,
    fabrikam,
    switchboard: {
      clientId: switchboardId,
      secret: 'sb-secret-current',
      expiredSecret: 'sb-secret-expired',
      identifierUri,
    },
    unconsented: { clientId: unconsented.clientId, secret: 'u-secret' },
    publicClient: { clientId: publicClient.clientId },
    expiredOnly: { clientId: expiredOnly.clientId, secret: 'old-secret' },
    crm: { clientId: crmId, secret: 'crm-secret' },
    fabrikamApp: { clientId: fabrikamAppId, secret: 'fab-secret', identifierUri: fabrikamUri },
    users,
    password,
  };
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Posts a form to the emulator's token endpoint, as any OAuth client would. */
export async function postToken(
  fx: EntraFixture,
  tenant: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  const res = await fetch(`${fx.entra.baseUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The claims of a JWT, without verifying it (the tests verify separately where that is the point). */
export function claimsOf(token: unknown): Record<string, unknown> {
  const payload = String(token).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Asserts the full Entra error shape and returns the AADSTS code. */
export function expectAadError(answer: TokenAnswer, status: number, error: string, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body.error).toBe(error);
  expect(answer.body.error_codes).toEqual([code]);
  expect(String(answer.body.error_description)).toMatch(
    new RegExp(
      `^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: `,
    ),
  );
  expect(answer.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(answer.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
}
