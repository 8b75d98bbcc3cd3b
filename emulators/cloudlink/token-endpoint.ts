import type { EmulatorRequest, EmulatorResponse } from '../common/http';
import { clFail } from './errors';
import type { SimulatedPbx } from './pbx';
import type { TokenService } from './tokens';

/**
 * POST authentication /token and /authorize. CloudLink's auth service is "loosely OAuth 2.0": grants password
 * (username, password, account_id), client_credentials, refresh_token and authorization_code (from /authorize,
 * here with PKCE). Mitel's forum says the token request is form-encoded; Mitel's own samples also post JSON, so
 * both are read. Wrong credentials answer 401 (as reported on Mitel's forum); a malformed request answers 400.
 */

export function tokenEndpoint(pbx: SimulatedPbx, tokens: TokenService) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const f = fields(req);
    const grant = f.grant_type?.toLowerCase();
    switch (grant) {
      case 'password':
        return ok(tokens.issue(passwordSubject(pbx, f)));
      case 'client_credentials': {
        const basic = basicAuth(req);
        const client = tokens.client(basic?.id ?? f.client_id ?? '');
        if (!client || client.clientSecret !== (basic?.secret ?? f.client_secret)) {
          throw clFail(401, 'Unauthorized', 'Invalid client credentials.');
        }
        if (f.account_id && f.account_id !== client.accountId)
          throw clFail(401, 'Unauthorized', 'Invalid client credentials.');
        return ok(tokens.issue({ accountId: client.accountId, clientId: client.clientId }));
      }
      case 'refresh_token': {
        if (!f.refresh_token) throw clFail(400, 'BadRequest', 'refresh_token is required.');
        // A client that authenticates on the refresh grant must present its current secret: a deleted one fails.
        const presented =
          basicAuth(req) ?? (f.client_id ? { id: f.client_id, secret: f.client_secret } : undefined);
        if (presented) {
          const client = tokens.client(presented.id);
          if (!client || client.clientSecret !== presented.secret)
            throw clFail(401, 'Unauthorized', 'Invalid client credentials.');
        }
        const subject = tokens.redeemRefresh(f.refresh_token);
        if (!subject) throw clFail(401, 'Unauthorized', 'The refresh token is invalid or expired.');
        if (presented && subject.clientId && subject.clientId !== presented.id)
          throw clFail(401, 'Unauthorized', 'The refresh token was issued to another client.');
        return ok(tokens.issue(subject));
      }
      case 'authorization_code': {
        if (!f.code || !f.client_id || !f.code_verifier) {
          throw clFail(400, 'BadRequest', 'code, client_id and code_verifier are required.');
        }
        const subject = tokens.redeemCode(f.code, f.client_id, f.code_verifier, f.redirect_uri);
        if (!subject)
          throw clFail(401, 'Unauthorized', 'The authorization code is invalid, expired or already used.');
        return ok(tokens.issue(subject));
      }
      default:
        throw clFail(
          400,
          'BadRequest',
          grant ? `Unsupported grant_type ${grant}.` : 'grant_type is required.',
        );
    }
  };
}

/** POST /authorize: signs a user in for a registered client and hands back a one-time code bound to a PKCE challenge. */
export function authorizeEndpoint(pbx: SimulatedPbx, tokens: TokenService) {
  return (req: EmulatorRequest): EmulatorResponse => {
    const f = fields(req);
    const client = tokens.client(f.client_id ?? '');
    if (!client) throw clFail(400, 'BadRequest', 'Unknown client_id.');
    if (!f.code_challenge) throw clFail(400, 'BadRequest', 'code_challenge is required.');
    const method = (f.code_challenge_method ?? 'plain') as 'S256' | 'plain';
    if (method !== 'S256' && method !== 'plain')
      throw clFail(400, 'BadRequest', 'code_challenge_method must be S256 or plain.');
    const subject = passwordSubject(pbx, f);
    if (subject.accountId !== client.accountId)
      throw clFail(401, 'Unauthorized', 'Invalid username or password.');
    const code = tokens.createCode(
      { ...subject, clientId: client.clientId },
      f.code_challenge,
      method,
      f.redirect_uri,
    );
    return ok({ code });
  };
}

function passwordSubject(pbx: SimulatedPbx, f: Record<string, string | undefined>) {
  if (!f.username || !f.password || !f.account_id) {
    throw clFail(400, 'BadRequest', 'username, password and account_id are required.');
  }
  const user = pbx.userByEmail(f.account_id, f.username);
  if (!user?.password || user.password !== f.password)
    throw clFail(401, 'Unauthorized', 'Invalid username or password.');
  return { accountId: user.accountId, principalId: user.principalId, clientId: f.client_id };
}

function fields(req: EmulatorRequest): Record<string, string | undefined> {
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw clFail(400, 'BadRequest', 'The token request needs a form-encoded or JSON body.');
  }
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

function basicAuth(req: EmulatorRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0
    ? undefined
    : { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

function ok(body: unknown): EmulatorResponse {
  return { status: 200, headers: { 'Cache-Control': 'no-store' }, body };
}
