/** Who is calling the API, as proven by their token; never from anything else the client sends. */
export interface UserCaller {
  kind: 'user';
  tenantId: string;
  userId: string;
  displayName: string;
  upn: string;
  isAdmin: boolean;
  /** Hosted mode: a user of the hosting provider's tenant (OPERATOR_TENANT_ID) holding the operator app role. */
  isOperator: boolean;
  /**
   * False only for the hosting provider's own tenant when it is not also an onboarded customer: its users reach the
   * operator view and /api/me, nothing that reads or changes a customer tenant's data.
   */
  customerTenant: boolean;
  /** The raw SSO token, kept only for on-behalf-of when Graph must be called as this user. */
  ssoToken: string;
}

export interface AppCaller {
  kind: 'app';
  tenantId: string;
  appId: string;
}

/** The app role that makes a user a Switchboard admin (also granted through ADMIN_GROUP_ID membership). */
export const ADMIN_ROLE = 'Switchboard.Admin';
/** The app role that lets a user of the hosting provider's tenant see every customer tenant (hosted mode). */
export const OPERATOR_ROLE = 'Switchboard.Operator';
/** The app role another system's app must hold to read presence through /api/presence. */
export const PRESENCE_READ_ROLE = 'Presence.Read.External';
/** The delegated scope Teams puts in the SSO token it hands the tab and the bot. */
export const SSO_SCOPE = 'access_as_user';
