import { randomUUID } from 'node:crypto';

/**
 * The emulated Microsoft 365 tenants: what Entra ID knows (users, apps, secrets, consent, groups) and what Graph
 * serves about users. The Entra and Graph emulators share one Directory in-process, the way the real services share
 * one directory behind their APIs. Tests and the demo seed fill it; nothing of the product imports it.
 */

export interface DirectoryUser {
  id: string; // object id (oid)
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  /** For the password (ROPC) grant used by presence monitor accounts. */
  password?: string;
  /** A user under a Conditional Access MFA policy: the password grant fails with AADSTS50076. */
  mfaRequired?: boolean;
  accountEnabled: boolean;
  businessPhones: string[];
  /** Ids of the groups the user is a member of. */
  groups: string[];
  /** App roles assigned to this user, per app client id (for example the Switchboard admin role). */
  appRoles: Record<string, string[]>;
  /**
   * Entra directory roles by display name, e.g. 'Global Administrator'. They decide who may grant tenant-wide
   * admin consent (see ADMIN_CONSENT_ROLES); an ordinary user has none.
   */
  directoryRoles: string[];
}

/**
 * Who may grant tenant-wide admin consent, as Entra documents it: Global Administrator and Privileged Role
 * Administrator for any permission; Cloud Application Administrator and Application Administrator for any
 * permission except Microsoft Graph application permissions (app roles).
 */
export const ADMIN_CONSENT_ROLES = {
  any: ['Global Administrator', 'Privileged Role Administrator'],
  exceptGraphAppRoles: ['Cloud Application Administrator', 'Application Administrator'],
} as const;

/** Who can sign in to an app: its home tenant only (the default) or any organisation that consents to it. */
export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs';

/** The Graph permissions an app registration lists as required (what `/.default` and v1 admin consent grant). */
export interface RequiredGraphPermissions {
  application: string[];
  delegated: string[];
}

/**
 * A multi-tenant app's service principal (enterprise application) in a tenant other than its home: made by admin
 * consent, holding what that tenant's admin granted. Deleting it revokes the app from the tenant.
 */
export interface ServicePrincipal {
  appId: string;
  grantedApplicationPermissions: string[];
  consentedDelegatedPermissions: string[];
  /** App roles this tenant granted to other apps calling the app's API: callerClientId → roles. */
  roleAssignmentsToApps: Record<string, string[]>;
  /** epoch ms */
  createdAt: number;
  /** Object id of the admin who consented. */
  consentedBy: string;
}

export interface AppSecret {
  id: string;
  value: string;
  /** epoch ms */
  expiresAt: number;
}

export interface DirectoryApp {
  clientId: string;
  displayName: string;
  secrets: AppSecret[];
  /** Application permissions (Graph app roles) that were requested and admin-consented, e.g. Presence.ReadWrite.All. */
  grantedApplicationPermissions: string[];
  /** Delegated Graph permissions admin- or user-consented for this app, e.g. Presence.Read.All. */
  consentedDelegatedPermissions: string[];
  /** Identifier URIs the app exposes (api://host/botid-{clientId}); tokens for them carry scp access_as_user. */
  identifierUris: string[];
  /** Client ids allowed to get tokens for this app's API without consent (Teams clients). */
  preAuthorizedClientIds: string[];
  /** App roles this app defines (value names), e.g. Switchboard.Admin, Presence.Read.External. */
  appRoles: string[];
  /** App roles granted to other apps calling this app's API: callerClientId → roles. */
  roleAssignmentsToApps: Record<string, string[]>;
  /** Web redirect URIs: the only addresses the authorize endpoint sends a user back to with a code. */
  redirectUris: string[];
  /** AzureADMyOrg (default): usable in the home tenant only. AzureADMultipleOrgs: any tenant after admin consent. */
  signInAudience: SignInAudience;
  /** What the registration asks for; absent: what was granted in the home tenant. */
  requiredGraphPermissions?: RequiredGraphPermissions;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description?: string | null;
}

export interface DirectoryTenant {
  id: string;
  displayName: string;
  /** Verified domain, e.g. contoso.example */
  domain: string;
  users: Map<string, DirectoryUser>;
  /** Soft-deleted users (Entra's recycle bin): restorable for 30 days; Graph's delta reports them removed, reason `changed`. */
  deletedUsers: Map<string, DirectoryUser>;
  /** App registrations whose home is this tenant (each also acts as its own service principal here). */
  apps: Map<string, DirectoryApp>;
  /** Service principals of other tenants' multi-tenant apps, by app id: present only after admin consent. */
  servicePrincipals: Map<string, ServicePrincipal>;
  groups: Map<string, DirectoryGroup>;
}

export class Directory {
  readonly tenants = new Map<string, DirectoryTenant>();

  addTenant(input: { id?: string; displayName: string; domain: string }): DirectoryTenant {
    const tenant: DirectoryTenant = {
      id: input.id ?? randomUUID(),
      displayName: input.displayName,
      domain: input.domain.toLowerCase(),
      users: new Map(),
      deletedUsers: new Map(),
      apps: new Map(),
      servicePrincipals: new Map(),
      groups: new Map(),
    };
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  tenant(id: string): DirectoryTenant | undefined {
    return (
      this.tenants.get(id.toLowerCase()) ??
      [...this.tenants.values()].find((t) => t.domain === id.toLowerCase())
    );
  }

  addUser(
    tenantId: string,
    input: Partial<DirectoryUser> & { userPrincipalName: string; displayName: string },
  ): DirectoryUser {
    const tenant = this.require(tenantId);
    const user: DirectoryUser = {
      id: input.id ?? randomUUID(),
      userPrincipalName: input.userPrincipalName,
      mail: input.mail === undefined ? input.userPrincipalName : input.mail,
      displayName: input.displayName,
      password: input.password,
      mfaRequired: input.mfaRequired ?? false,
      accountEnabled: input.accountEnabled ?? true,
      businessPhones: input.businessPhones ?? [],
      groups: input.groups ?? [],
      appRoles: input.appRoles ?? {},
      directoryRoles: input.directoryRoles ?? [],
    };
    tenant.users.set(user.id, user);
    return user;
  }

  /** Changes a user in place (a rename changes userPrincipalName and usually mail; a leaver gets accountEnabled false). */
  updateUser(
    tenantId: string,
    id: string,
    patch: Partial<Pick<DirectoryUser, 'userPrincipalName' | 'mail' | 'displayName' | 'accountEnabled'>>,
  ): DirectoryUser {
    const user = this.require(tenantId).users.get(id);
    if (!user) throw new Error(`no such user ${id}`);
    Object.assign(user, patch);
    return user;
  }

  /**
   * Deletes a user. Soft (default): into the recycle bin, restorable; `permanent`: gone for good (also from the bin).
   */
  removeUser(tenantId: string, id: string, options: { permanent?: boolean } = {}): void {
    const tenant = this.require(tenantId);
    const user = tenant.users.get(id) ?? tenant.deletedUsers.get(id);
    if (!user) throw new Error(`no such user ${id}`);
    tenant.users.delete(id);
    if (options.permanent) tenant.deletedUsers.delete(id);
    else tenant.deletedUsers.set(id, user);
  }

  /** Restores a soft-deleted user from the recycle bin. */
  restoreUser(tenantId: string, id: string): DirectoryUser {
    const tenant = this.require(tenantId);
    const user = tenant.deletedUsers.get(id);
    if (!user) throw new Error(`no deleted user ${id}`);
    tenant.deletedUsers.delete(id);
    tenant.users.set(id, user);
    return user;
  }

  addApp(tenantId: string, input: Partial<DirectoryApp> & { displayName: string }): DirectoryApp {
    const tenant = this.require(tenantId);
    const app: DirectoryApp = {
      clientId: input.clientId ?? randomUUID(),
      displayName: input.displayName,
      secrets: input.secrets ?? [],
      grantedApplicationPermissions: input.grantedApplicationPermissions ?? [],
      consentedDelegatedPermissions: input.consentedDelegatedPermissions ?? [],
      identifierUris: input.identifierUris ?? [],
      preAuthorizedClientIds: input.preAuthorizedClientIds ?? [],
      appRoles: input.appRoles ?? [],
      roleAssignmentsToApps: input.roleAssignmentsToApps ?? {},
      redirectUris: input.redirectUris ?? [],
      signInAudience: input.signInAudience ?? 'AzureADMyOrg',
      requiredGraphPermissions: input.requiredGraphPermissions,
    };
    tenant.apps.set(app.clientId, app);
    return app;
  }

  addGroup(
    tenantId: string,
    input: { id?: string; displayName: string; description?: string },
  ): DirectoryGroup {
    const group = {
      id: input.id ?? randomUUID(),
      displayName: input.displayName,
      description: input.description ?? null,
    };
    this.require(tenantId).groups.set(group.id, group);
    return group;
  }

  /** Finds a user by object id, UPN or mail (case-insensitive), as Graph's /users/{id | userPrincipalName} does. */
  findUser(tenantId: string, idOrName: string): DirectoryUser | undefined {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return undefined;
    const direct = tenant.users.get(idOrName);
    if (direct) return direct;
    const needle = idOrName.toLowerCase();
    for (const u of tenant.users.values()) {
      if (u.id.toLowerCase() === needle || u.userPrincipalName.toLowerCase() === needle) return u;
    }
    return undefined;
  }

  /** Which tenant an app is registered in (its home tenant). */
  tenantOfApp(clientId: string): DirectoryTenant | undefined {
    const needle = clientId.toLowerCase();
    for (const t of this.tenants.values()) {
      if (t.apps.has(clientId) || [...t.apps.keys()].some((id) => id.toLowerCase() === needle)) return t;
    }
    return undefined;
  }

  /** An app registration wherever it lives (client ids are unique across the cloud). */
  registration(clientId: string): DirectoryApp | undefined {
    const home = this.tenantOfApp(clientId);
    if (!home) return undefined;
    return (
      home.apps.get(clientId) ??
      [...home.apps.values()].find((a) => a.clientId.toLowerCase() === clientId.toLowerCase())
    );
  }

  /**
   * The app as a tenant sees it: its own registration in its home tenant; in another tenant, a multi-tenant app
   * with a service principal there, carrying the registration's credentials and addresses and that tenant's own
   * grants. Undefined when the tenant has no service principal for it (never consented, or revoked).
   */
  appIn(tenantId: string, clientId: string): DirectoryApp | undefined {
    const tenant = this.tenant(tenantId);
    const registration = this.registration(clientId);
    if (!tenant || !registration) return undefined;
    if (tenant.apps.get(registration.clientId) === registration) return registration;
    if (registration.signInAudience !== 'AzureADMultipleOrgs') return undefined;
    const sp = tenant.servicePrincipals.get(registration.clientId);
    if (!sp) return undefined;
    return {
      ...registration,
      grantedApplicationPermissions: sp.grantedApplicationPermissions,
      consentedDelegatedPermissions: sp.consentedDelegatedPermissions,
      roleAssignmentsToApps: sp.roleAssignmentsToApps,
    };
  }

  /** Every app a tenant has a service principal for: its own registrations and the consented multi-tenant ones. */
  appsIn(tenantId: string): DirectoryApp[] {
    const tenant = this.tenant(tenantId);
    if (!tenant) return [];
    const foreign = [...tenant.servicePrincipals.keys()]
      .map((appId) => this.appIn(tenant.id, appId))
      .filter((a): a is DirectoryApp => a !== undefined);
    return [...tenant.apps.values(), ...foreign];
  }

  /** What admin consent with `/.default` (or the v1 endpoint) grants: the registration's required permissions. */
  requiredPermissions(app: DirectoryApp): RequiredGraphPermissions {
    return (
      app.requiredGraphPermissions ?? {
        application: [...app.grantedApplicationPermissions],
        delegated: [...app.consentedDelegatedPermissions],
      }
    );
  }

  /**
   * Records tenant-wide admin consent: in the app's home tenant it sets the registration's grants; elsewhere it
   * creates (or replaces the grants of) the tenant's service principal. Granting again replaces the earlier grant,
   * as Entra documents for tenant-wide consent.
   */
  grantAdminConsent(
    tenantId: string,
    clientId: string,
    grant: { application: string[]; delegated: string[]; by: string; at: number },
  ): void {
    const tenant = this.require(tenantId);
    const registration = this.registration(clientId);
    if (!registration) throw new Error(`no such app ${clientId}`);
    if (tenant.apps.get(registration.clientId) === registration) {
      registration.grantedApplicationPermissions = [...grant.application];
      registration.consentedDelegatedPermissions = [...grant.delegated];
      return;
    }
    if (registration.signInAudience !== 'AzureADMultipleOrgs')
      throw new Error(`app ${clientId} is not multi-tenant; it cannot be consented to in ${tenant.id}`);
    const existing = tenant.servicePrincipals.get(registration.clientId);
    tenant.servicePrincipals.set(registration.clientId, {
      appId: registration.clientId,
      grantedApplicationPermissions: [...grant.application],
      consentedDelegatedPermissions: [...grant.delegated],
      roleAssignmentsToApps: existing?.roleAssignmentsToApps ?? {},
      createdAt: existing?.createdAt ?? grant.at,
      consentedBy: grant.by,
    });
  }

  /** Deletes a multi-tenant app's service principal from a tenant (the customer's admin removing the app). */
  removeServicePrincipal(tenantId: string, clientId: string): boolean {
    const tenant = this.tenant(tenantId);
    const registration = this.registration(clientId);
    if (!tenant || !registration) return false;
    return tenant.servicePrincipals.delete(registration.clientId);
  }

  private require(tenantId: string): DirectoryTenant {
    const t = this.tenant(tenantId);
    if (!t) throw new Error(`no such tenant ${tenantId}`);
    return t;
  }
}

/** What the Graph emulator knows about a caller once the Entra emulator has vouched for its token. */
export interface AccessTokenClaims {
  tid: string;
  /** The calling app's client id (v2 tokens: azp; v1: appid). */
  appid: string;
  aud: string;
  /** Present for delegated (user) tokens. */
  oid?: string;
  /** Space-separated delegated scopes, for user tokens. */
  scp?: string;
  /** Application permissions, for app-only tokens. */
  roles?: string[];
  exp: number;
  iat: number;
}

/**
 * Verifies a bearer token issued by the Entra emulator for the given audience. Rejects with an Error whose
 * `code` is 'InvalidAuthenticationToken' (the Graph error code) for anything not valid: bad signature, expired,
 * wrong audience, unknown tenant.
 */
export type TokenVerifier = (token: string, audience: string) => Promise<AccessTokenClaims>;
