import type { Store } from '../../shared/ports/store';

/**
 * Who has signed in to the bot with Teams SSO, and which app roles their token carried. Kept in the store (as a
 * conversation-keyed record `signin:{userId}`) so every process of a scaled-out deployment sees the same answer.
 */
export interface SignInRecord {
  signedIn: boolean;
  at: number;
  roles: string[];
}

export class SignIns {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async get(tenantId: string, userId: string): Promise<SignInRecord | undefined> {
    const record = await this.store.getConversation(tenantId, key(userId));
    const ref = record?.reference as Partial<SignInRecord> | undefined;
    if (!ref || typeof ref.signedIn !== 'boolean') return undefined;
    return {
      signedIn: ref.signedIn,
      at: Number(ref.at ?? 0),
      roles: Array.isArray(ref.roles) ? ref.roles.map(String) : [],
    };
  }

  async signIn(tenantId: string, userId: string, roles: string[]): Promise<void> {
    const at = this.now();
    await this.store.putConversation({
      tenantId,
      key: key(userId),
      reference: { signedIn: true, at, roles },
      updatedAt: at,
    });
  }

  async signOut(tenantId: string, userId: string): Promise<void> {
    const at = this.now();
    await this.store.putConversation({
      tenantId,
      key: key(userId),
      reference: { signedIn: false, at, roles: [] },
      updatedAt: at,
    });
  }
}

const key = (userId: string) => `signin:${userId}`;
