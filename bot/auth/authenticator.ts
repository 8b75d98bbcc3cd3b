import { EntraTokenError, type EntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';
import { ApiHttpError, TenantNotOnboardedError } from '../http/errors';
import {
  ADMIN_ROLE,
  OPERATOR_ROLE,
  PRESENCE_READ_ROLE,
  SSO_SCOPE,
  type AppCaller,
  type UserCaller,
} from './caller';

/**
 * Turns an Authorization header into a caller. Signature, issuer, audience, tenant and lifetime are checked by the
 * shared Entra validator (jose against the tenant's JWKS); here we add what our API requires on top: a user token
 * with the access_as_user scope for the tab, an app-only token with the presence-read role for other systems.
 */
export interface AuthenticatorOptions {
  validator: EntraJwtValidator;
  /**
   * Whether the user belongs to the configured admin group (ADMIN_GROUP_ID). Asked only when the token does not
   * already carry the admin app role. Absent when no admin group is configured.
   */
  isInAdminGroup?: (tenantId: string, userId: string) => Promise<boolean>;
  /** Hosted mode: where an organisation that is not served yet signs up (GET /onboard), told to its members. */
  onboardUrl?: string;
  /**
   * Hosted mode: the hosting provider's tenant (OPERATOR_TENANT_ID). The validator lets its tokens through so its
   * operators can sign in; unless it is also an onboarded customer (`isCustomerServed`), its callers get only the
   * routes that allow it (userRoute's `operatorTenant`), and an app token of it nothing.
   */
  operator?: { tenantId: string; isCustomerServed: (tenantId: string) => boolean };
}

export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  /**
   * `operatorTenant`: the route also serves the hosting provider's own tenant (/api/me, the operator view) to its
   * operators; the provider's other staff are answered as members of any organisation that is not a customer.
   */
  async user(
    authorization: string | undefined,
    options: { operatorTenant?: boolean } = {},
  ): Promise<UserCaller> {
    const token = bearerOf(authorization, 'the Teams SSO token');
    const claims = await this.validate(token);
    const customerTenant = this.isCustomerTenant(claims.tenantId);
    const isOperator =
      this.options.operator?.tenantId === claims.tenantId && claims.roles.includes(OPERATOR_ROLE);
    // The provider's own tenant is served to its operators only, and only where a route says so.
    if (!customerTenant && !(options.operatorTenant && isOperator)) throw this.notOnboarded();
    if (!claims.delegated || !claims.objectId) {
      throw new ApiHttpError(
        401,
        'user_token_required',
        'This API needs a signed-in user (a Teams SSO token).',
      );
    }
    if (!claims.scopes.includes(SSO_SCOPE)) {
      throw new ApiHttpError(403, 'insufficient_scope', `The token lacks the ${SSO_SCOPE} scope.`);
    }
    const isAdmin =
      claims.roles.includes(ADMIN_ROLE) ||
      ((await this.options.isInAdminGroup?.(claims.tenantId, claims.objectId)) ?? false);
    return {
      kind: 'user',
      tenantId: claims.tenantId,
      userId: claims.objectId,
      displayName: claims.name ?? claims.preferredUsername ?? claims.objectId,
      upn: claims.preferredUsername ?? '',
      isAdmin,
      isOperator,
      customerTenant,
      ssoToken: token,
    };
  }

  async app(authorization: string | undefined): Promise<AppCaller> {
    const claims = await this.validate(bearerOf(authorization, 'an app-only (client credentials) token'));
    // No scp is not enough: the token must say it is an app's (idtyp app, or app roles).
    if (!claims.appOnly) {
      throw new ApiHttpError(
        401,
        'app_token_required',
        'This API takes an app-only (client credentials) token.',
      );
    }
    if (!claims.roles.includes(PRESENCE_READ_ROLE)) {
      throw new ApiHttpError(
        403,
        'missing_role',
        `The calling app needs the ${PRESENCE_READ_ROLE} app role.`,
      );
    }
    // The hosting provider's tenant has no presence of its own to read here.
    if (!this.isCustomerTenant(claims.tenantId)) throw this.notOnboarded();
    return { kind: 'app', tenantId: claims.tenantId, appId: claims.appId };
  }

  private isCustomerTenant(tenantId: string): boolean {
    const operator = this.options.operator;
    return !operator || operator.tenantId !== tenantId || operator.isCustomerServed(tenantId);
  }

  private notOnboarded(): ApiHttpError {
    return this.options.onboardUrl
      ? new TenantNotOnboardedError(this.options.onboardUrl)
      : new ApiHttpError(403, 'tenant_not_onboarded', 'Your organisation is not served here.');
  }

  private async validate(token: string) {
    try {
      return await this.options.validator.validate(token);
    } catch (e) {
      if (e instanceof EntraTokenError) {
        // Unreachable signing keys are our problem, not the caller's: 503 so clients retry instead of re-signing in.
        if (e.reason === 'keys_unavailable') throw new ApiHttpError(503, 'keys_unavailable', e.message);
        if (e.reason === 'tenant_not_onboarded' && this.options.onboardUrl)
          throw new TenantNotOnboardedError(this.options.onboardUrl);
        throw new ApiHttpError(401, `invalid_token.${e.reason}`, e.message);
      }
      throw e;
    }
  }
}

/** `expected` names the token this API takes: other systems calling /api/presence must not be told to use SSO. */
function bearerOf(authorization: string | undefined, expected: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1])
    throw new ApiHttpError(401, 'missing_token', `Send ${expected} as "Authorization: Bearer <token>".`);
  return match[1];
}
