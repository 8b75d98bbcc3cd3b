import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock';

/**
 * Tokens of the CloudLink authentication service. Lifetimes follow what CloudLink states: access tokens about an
 * hour, refresh tokens about 14 days. Assumption: real CloudLink access tokens are JWTs; Switchboard treats them as
 * opaque, so the emulator issues random opaque strings and keeps what they stand for here.
 */

export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_MS = 14 * 86_400_000;
/** Assumption: an authorization code lives 10 minutes and is good for one exchange. */
export const AUTH_CODE_MS = 10 * 60_000;

export interface TokenSubject {
  accountId: string;
  /** The signed-in user; absent for client-credentials (account-level) tokens. */
  principalId?: string;
  clientId?: string;
}

export interface IssuedAccess extends TokenSubject {
  expiresAt: number;
}

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  accountId: string;
  name: string;
}

interface PendingCode extends TokenSubject {
  challenge: string;
  method: 'S256' | 'plain';
  redirectUri?: string;
  expiresAt: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export class TokenService {
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly access = new Map<string, IssuedAccess>();
  private readonly refresh = new Map<string, TokenSubject & { expiresAt: number }>();
  private readonly codes = new Map<string, PendingCode>();

  constructor(private readonly clock: Clock) {}

  addClient(input: {
    accountId: string;
    clientId?: string;
    clientSecret?: string;
    name?: string;
  }): RegisteredClient {
    const client: RegisteredClient = {
      clientId: input.clientId ?? randomBytes(16).toString('hex'),
      clientSecret: input.clientSecret ?? randomBytes(24).toString('base64url'),
      accountId: input.accountId,
      name: input.name ?? 'client',
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  client(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  issue(subject: TokenSubject): TokenResponse {
    const now = this.clock.now();
    const accessToken = randomBytes(32).toString('base64url');
    const refreshToken = randomBytes(32).toString('base64url');
    this.access.set(accessToken, { ...subject, expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 });
    this.refresh.set(refreshToken, { ...subject, expiresAt: now + REFRESH_TOKEN_MS });
    this.sweep(now);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
    };
  }

  /** The token's subject while it is valid; undefined when unknown, revoked or expired (by the injected clock). */
  verify(accessToken: string): IssuedAccess | undefined {
    const found = this.access.get(accessToken);
    if (!found || found.expiresAt <= this.clock.now()) return undefined;
    return found;
  }

  /** Refresh tokens rotate: the one used is spent (assumption; common OAuth practice). */
  redeemRefresh(refreshToken: string): TokenSubject | undefined {
    const found = this.refresh.get(refreshToken);
    this.refresh.delete(refreshToken);
    if (!found || found.expiresAt <= this.clock.now()) return undefined;
    return { accountId: found.accountId, principalId: found.principalId, clientId: found.clientId };
  }

  createCode(
    subject: TokenSubject,
    challenge: string,
    method: 'S256' | 'plain',
    redirectUri?: string,
  ): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      ...subject,
      challenge,
      method,
      redirectUri,
      expiresAt: this.clock.now() + AUTH_CODE_MS,
    });
    return code;
  }

  /** Exchanges a code once; checks client, redirect URI and the PKCE verifier against the stored challenge. */
  redeemCode(
    code: string,
    clientId: string,
    verifier: string,
    redirectUri?: string,
  ): TokenSubject | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    if (!found || found.expiresAt <= this.clock.now() || found.clientId !== clientId) return undefined;
    if (found.redirectUri !== undefined && found.redirectUri !== redirectUri) return undefined;
    const expected =
      found.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (expected !== found.challenge) return undefined;
    return { accountId: found.accountId, principalId: found.principalId, clientId: found.clientId };
  }

  /** Revokes every token of an account (tests: a credential rotated or revoked server-side). */
  revokeAll(accountId: string): void {
    for (const [k, v] of this.access) if (v.accountId === accountId) this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.accountId === accountId) this.refresh.delete(k);
  }

  private sweep(now: number): void {
    for (const [k, v] of this.access) if (v.expiresAt <= now - REFRESH_TOKEN_MS) this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.expiresAt <= now) this.refresh.delete(k);
  }
}
