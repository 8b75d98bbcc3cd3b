/**
 * Reads (never verifies: the server does that) the claims of the SSO token the tab already holds, to build the
 * consent request for the same app registration and the same Entra authority that issued the token.
 */
export interface ConsentTarget {
  clientId: string;
  /** e.g. https://login.microsoftonline.com/{tenantId} */
  authority: string;
}

export function consentTargetOf(token: string): ConsentTarget | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      aud?: unknown;
      iss?: unknown;
    };
    if (typeof json.aud !== 'string' || typeof json.iss !== 'string') return null;
    // api://host/botid-{clientId} (tab + bot) or api://host/{clientId} (tab only), or the bare client id.
    const clientId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(json.aud)?.[1];
    const authority = json.iss.replace(/\/v2\.0\/?$/, '');
    return clientId ? { clientId, authority } : null;
  } catch {
    return null;
  }
}

/** Only Entra's own sign-in hosts (and loopback emulators) may receive the user: auth-start must not be an open redirect. */
export function isTrustedAuthority(authority: string): boolean {
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    return false;
  }
  if (url.protocol === 'http:') return url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  return (
    url.protocol === 'https:' &&
    ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn'].includes(
      url.hostname,
    )
  );
}
