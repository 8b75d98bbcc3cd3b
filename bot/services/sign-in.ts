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

/**
 * The local playground's stand-in (the demo admin the playground user is taken for; the playground cannot do Teams
 * SSO): signed in with its roles whenever it is read signed out, so `sign out` there ends the sign-in for that turn
 * only, as "the next command signs in again" says, and the playground user stays the demo's admin.
 */
export class StandInSignIns extends SignIns {
  constructor(
    store: Store,
    now: () => number,
    private readonly standIn: { tenantId: string; userId: string; roles: string[] },
  ) {
    super(store, now);
  }

  override async get(tenantId: string, userId: string): Promise<SignInRecord | undefined> {
    const record = await super.get(tenantId, userId);
    if (record?.signedIn || tenantId !== this.standIn.tenantId || userId !== this.standIn.userId)
      return record;
    await this.signIn(tenantId, userId, this.standIn.roles);
    return super.get(tenantId, userId);
  }
}

const key = (userId: string) => `signin:${userId}`;
