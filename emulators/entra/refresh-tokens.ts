import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock';

/**
 * Refresh tokens are opaque to clients, so the emulator keeps them server-side. Entra's refresh tokens live until
 * 90 days of inactivity; every redemption returns a fresh one and the old one stays usable until its own end.
 */
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;

export interface RefreshGrant {
  tenantId: string;
  clientId: string;
  userId: string;
  /** The delegated permissions (without resource prefix) the grant covers. */
  permissions: string[];
  expiresAt: number;
}

export class RefreshTokenStore {
  private readonly grants = new Map<string, RefreshGrant>();

  constructor(private readonly clock: Clock) {}

  issue(grant: Omit<RefreshGrant, 'expiresAt'>): string {
    // Forget dead grants as new ones are made, so a long-running demo does not accumulate them.
    for (const [t, g] of this.grants) if (g.expiresAt <= this.clock.now()) this.grants.delete(t);
    const token = `1.${randomBytes(48).toString('base64url')}`;
    this.grants.set(token, { ...grant, expiresAt: this.clock.now() + REFRESH_TOKEN_LIFETIME_MS });
    return token;
  }

  find(token: string): RefreshGrant | undefined {
    return this.grants.get(token);
  }
}
