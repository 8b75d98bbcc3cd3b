/**
 * User consent. An admin's consent (the app's consentedDelegatedPermissions) covers everyone; a test or the demo
 * can take it away for one user of one app, as when a tenant leaves consent to each user. Then the on-behalf-of
 * grant for that user is refused with AADSTS65001 (invalid_grant, suberror consent_required), and the user fixes it
 * on the authorize endpoint's consent page, which redirects back to the app with a code and the app's `state`.
 */
export class ConsentRequirements {
  private readonly missing = new Set<string>();

  private key(tenantId: string, clientId: string, userId: string): string {
    return `${tenantId}|${clientId}|${userId}`.toLowerCase();
  }

  require(tenantId: string, clientId: string, userId: string): void {
    this.missing.add(this.key(tenantId, clientId, userId));
  }

  grant(tenantId: string, clientId: string, userId: string): void {
    this.missing.delete(this.key(tenantId, clientId, userId));
  }

  isRequired(tenantId: string, clientId: string, userId: string): boolean {
    return this.missing.has(this.key(tenantId, clientId, userId));
  }
}
