/**
 * The tenants a hosted deployment serves (issue 16). In single-tenant mode the registry stays empty: the one tenant
 * comes from TENANT_ID. A tenant is `active` from its admin's consent until an operator offboards it; the row is
 * kept after that, with the time and who did it, as the record that it happened.
 */
export type TenantState = 'active' | 'offboarded';

export interface RegisteredTenant {
  tenantId: string;
  displayName: string;
  state: TenantState;
  /** Epoch ms of the latest onboarding (a re-onboarded tenant shows its newest). */
  onboardedAt: number;
  /** Who or what onboarded it, e.g. `admin-consent`; never a secret. */
  onboardedBy: string;
  offboardedAt: number | null;
  offboardedBy: string | null;
}

/** A pending admin-consent round trip, as kept between the redirect out and the callback: digests only. */
export interface OnboardingState {
  /** SHA-256 of the browser-binding cookie the state was issued with. */
  browserHash: string;
  expiresAt: number;
}

/** What a hosted process last said about its registry read: the tenants it served after it, and when it began. */
export interface RegistryReader {
  processId: string;
  /** Tenant ids, lower case. */
  serving: string[];
  /** Epoch ms, by the process's clock, when the read began: offboardings marked before it were seen. */
  readAt: number;
}

export interface TenantRegistry {
  /** Every registered tenant, active and offboarded, by tenant id. */
  list(): Promise<RegisteredTenant[]>;
  get(tenantId: string): Promise<RegisteredTenant | undefined>;
  /**
   * Records an onboarding: a new tenant becomes active; an offboarded one becomes active again with the new time
   * and actor (its offboarding fields are cleared); an active one keeps its first onboarding and takes the name.
   */
  onboard(tenantId: string, displayName: string, at: number, by: string): Promise<RegisteredTenant>;
  /**
   * Records the organisation's name as Graph tells it (GET /organization), keeping everything else; false if no
   * tenant of that id is registered.
   */
  rename(tenantId: string, displayName: string): Promise<boolean>;
  /** Marks an active tenant offboarded, keeping the row; false if there is no active tenant of that id. */
  offboard(tenantId: string, at: number, by: string): Promise<boolean>;
  /**
   * Deletes every row the tenant owns (link, users, sync state, monitors, reports, conversations, jobs, events,
   * subscriptions, inbox ...) except its registry row and its lease (whose epoch must never restart).
   */
  deleteData(tenantId: string): Promise<void>;
  /**
   * The offboarding's delete: does what deleteData does, in the same transaction as a check that the tenant is still
   * offboarded as of `offboardedAt` (not signed up again meanwhile). False, and nothing deleted, when it is not.
   */
  deleteOffboardedData(tenantId: string, offboardedAt: number): Promise<boolean>;

  /**
   * A process's registry read worked: records the tenants it serves now (replacing what it said before), and forgets
   * processes silent for a day (killed without a clean stop).
   */
  recordReader(reader: RegistryReader): Promise<void>;
  /** Every process's last word, oldest read first. */
  readers(): Promise<RegistryReader[]>;
  /** A process stopped cleanly and serves nothing any more. */
  forgetReader(processId: string): Promise<void>;

  /** Keeps a pending consent round trip under the digest of its state; drops the expired ones on the way. */
  putOnboardingState(stateHash: string, state: OnboardingState, now: number): Promise<void>;
  /** Reads and deletes (single use) the round trip of that state digest; undefined if unknown or already used. */
  takeOnboardingState(stateHash: string): Promise<OnboardingState | undefined>;
}
