import { randomUUID } from 'node:crypto';
import { HttpFailure, type EmulatorRequest } from '../common/http';
import type { Clock } from '../common/clock';

/**
 * Entra ID's error answer, byte for byte in shape: `error` (the OAuth code), `error_description` starting with
 * "AADSTSnnnnn:" and ending in trace/correlation/timestamp lines, `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`, `error_uri`, plus `suberror` and `claims` where the real service sends them. Clients key off
 * `error` and the AADSTS number, so both must match what the real service says for the same mistake.
 */

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'invalid_tenant'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

export interface AadErrorSpec {
  /** HTTP status: 401 for invalid_client, 400 for everything else the token endpoint refuses. */
  status: number;
  error: OAuthErrorCode;
  code: number;
  message: string;
  suberror?: string;
  claims?: string;
}

/** Formats the timestamp the way Entra does in error bodies: "2026-11-23 09:00:00Z". */
function aadTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function aadErrorBody(spec: AadErrorSpec, clock: Clock, baseUrl: string, clientRequestId?: string) {
  const timestamp = aadTimestamp(clock.now());
  const traceId = randomUUID();
  // Entra echoes a caller's client-request-id as the correlation id, which is how support cases are traced.
  const correlationId =
    clientRequestId && GUID.test(clientRequestId) ? clientRequestId.toLowerCase() : randomUUID();
  const body: Record<string, unknown> = {
    error: spec.error,
    error_description:
      `AADSTS${spec.code}: ${spec.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\n` +
      `Timestamp: ${timestamp}`,
    error_codes: [spec.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${baseUrl}/error?code=${spec.code}`,
  };
  if (spec.suberror) body.suberror = spec.suberror;
  if (spec.claims) body.claims = spec.claims;
  return body;
}

/** Builds the HttpFailure a handler throws to refuse a request with an Entra-shaped error. */
export class AadErrors {
  constructor(
    private readonly clock: Clock,
    private readonly baseUrl: () => string,
  ) {}

  fail(req: EmulatorRequest, spec: AadErrorSpec): HttpFailure {
    const header = req.headers['client-request-id'];
    const body = aadErrorBody(
      spec,
      this.clock,
      this.baseUrl(),
      typeof header === 'string' ? header : undefined,
    );
    return new HttpFailure({ status: spec.status, headers: { 'Cache-Control': 'no-store, no-cache' }, body });
  }
}

/** The AADSTS catalogue the emulator uses; messages paraphrase the real ones, codes and OAuth errors are exact. */
export const aad = {
  missingParameter: (name: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  tenantNotFound: (tenant: string, error: 'invalid_request' | 'invalid_tenant'): AadErrorSpec => ({
    status: 400,
    error,
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  }),
  unsupportedGrantType: (): AadErrorSpec => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    message: 'The app requested an unsupported grant type.',
  }),
  appNotFound: (clientId: string, tenantName: string): AadErrorSpec => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    message:
      `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if ` +
      'the application has not been installed by the administrator of the tenant or consented to by any user in the ' +
      'tenant. You may have sent your authentication request to the wrong tenant.',
  }),
  missingClientCredential: (): AadErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  badClientSecret: (clientId: string): AadErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    message:
      'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not ' +
      `the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  expiredClientSecret: (clientId: string): AadErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000222,
    message: `The provided client secret keys for app '${clientId}' are expired. Create new keys for your app, or consider using certificate credentials for added security.`,
  }),
  clientCredentialsScopeNotDefault: (scope: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    message:
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with ` +
      '/.default suffixed to the resource identifier (application ID URI).',
  }),
  moreThanOneResource: (scope: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_scope',
    code: 28000,
    message: `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
  }),
  resourceNotFound: (resource: string, tenantName: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_resource',
    code: 500011,
    message:
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if ` +
      'the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.',
  }),
  userNotFound: (tenantName: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 50034,
    message: `The user account {EUII Hidden} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`,
  }),
  invalidPassword: (): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 50126,
    message: 'Error validating credentials due to invalid username or password.',
  }),
  accountDisabled: (): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 50057,
    message: 'The user account is disabled.',
  }),
  mfaRequired: (resourceId: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 50076,
    suberror: 'basic_action',
    claims: JSON.stringify({ access_token: { capolids: { essential: true, values: [randomUUID()] } } }),
    message:
      'Due to a configuration change made by your administrator, or because you moved to a new location, you must ' +
      `use multi-factor authentication to access '${resourceId}'.`,
  }),
  consentRequired: (clientId: string, appName: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 65001,
    suberror: 'consent_required',
    message:
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. ` +
      'Send an interactive authorization request for this user and resource.',
  }),
  refreshTokenExpired: (): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 70008,
    message:
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive ' +
      'authorization request for this user and resource.',
  }),
  malformedGrant: (): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 9002313,
    message: 'Invalid request. Request is malformed or invalid.',
  }),
  grantIssuedToAnotherClient: (): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 70000,
    message: 'Provided grant is invalid or malformed.',
  }),
  assertionInvalid: (reason: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 50013,
    message: `Assertion failed signature validation. [Reason - ${reason}]`,
  }),
  assertionExpired: (now: number, exp: number): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 500133,
    message:
      'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for ' +
      `user assertion, or request a new token. Current time: ${new Date(now).toISOString()}, expiry time of assertion ` +
      `${new Date(exp * 1000).toISOString()}.`,
  }),
  assertionAudienceMismatch: (audience: string, clientId: string, appName: string): AadErrorSpec => ({
    status: 400,
    error: 'invalid_grant',
    code: 500131,
    message:
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was ` +
      `'${audience}' and the expected audience is '${clientId}' or one of the Application Uris of this application ` +
      `with App ID '${clientId}'(${appName}).`,
  }),
} as const;
