import type { DirectoryApp } from '../common/directory';
import { requireParam, type EntraContext, type TokenRequest } from './context';
import { aad } from './errors';

/**
 * Client authentication at the token endpoint: client_id and client_secret in the form (client_secret_post) or in
 * an HTTP Basic header (client_secret_basic, both parts form-urlencoded first, RFC 6749 2.3.1). An app holding
 * secrets is a confidential client and must present one; an app without secrets is a public client.
 */
export interface AuthenticatedClient {
  app: DirectoryApp;
  /** True when a valid secret was presented. */
  withSecret: boolean;
}

function fromBasicHeader(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { clientId: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

export function authenticateClient(
  ctx: EntraContext,
  tr: TokenRequest,
  options: { secretRequired: boolean },
): AuthenticatedClient {
  const basic = fromBasicHeader(
    typeof tr.req.headers.authorization === 'string' ? tr.req.headers.authorization : undefined,
  );
  const clientId = basic?.clientId ?? requireParam(ctx, tr, 'client_id');
  const secret = basic?.secret ?? tr.form.get('client_secret') ?? undefined;
  // A multi-tenant app is known in another tenant only through its service principal there (admin consent):
  // before consent, and after the tenant deleted it, Entra answers AADSTS700016 as for an unknown app.
  const app = ctx.directory.appIn(tr.tenant.id, clientId);
  if (!app) throw ctx.errors.fail(tr.req, aad.appNotFound(clientId, tr.tenant.displayName));

  if (secret === undefined || secret === '') {
    if (options.secretRequired || app.secrets.length > 0)
      throw ctx.errors.fail(tr.req, aad.missingClientCredential());
    return { app, withSecret: false };
  }
  const matching = app.secrets.filter((s) => s.value === secret);
  if (matching.length === 0) throw ctx.errors.fail(tr.req, aad.badClientSecret(app.clientId));
  if (matching.every((s) => s.expiresAt <= ctx.clock.now()))
    throw ctx.errors.fail(tr.req, aad.expiredClientSecret(app.clientId));
  return { app, withSecret: true };
}
