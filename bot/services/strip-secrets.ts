/**
 * Removes anything that could be a credential from data about to leave the server's trust boundary (a problem
 * report goes to an admin channel and into a support ticket). Two nets: keys that name secrets, and values that look
 * like secrets whatever their key (JWTs, bearer headers, query parameters such as the webhook `key`).
 */
// "assertion" alone is too wide: Switchboard's own lastAssertion/pbxAssertion (what it last set on each side) are the
// key facts in a report. Only OAuth's signed assertions (client_assertion, a JWT or SAML assertion) are credentials.
const SECRET_KEY =
  /pass(word)?|secret|token|^assertion$|(client|jwt|saml|user)[_-]?assertion|authorization|cookie|credential|^key$|apikey|api_key|sealed|private/i;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_PARAM =
  /([?&;]\s*(?:key|code|token|access_token|client_secret|password|sig|secret)=)[^&\s"']+/gi;
const SECRET_ASSIGNMENT =
  /\b((?:client_?secret|password|passwd|secret|api_?key)\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi;

export const REMOVED = '[removed]';

export function stripSecrets<T>(value: T): T {
  return strip(value, 0) as T;
}

function strip(value: unknown, depth: number): unknown {
  if (depth > 20) return REMOVED;
  if (typeof value === 'string') return stripString(value);
  if (Array.isArray(value)) return value.map((v) => strip(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean'
          ? REMOVED
          : strip(v, depth + 1);
    }
    return out;
  }
  return value;
}

export function stripString(text: string): string {
  return text
    .replace(JWT, REMOVED)
    .replace(BEARER, `$1 ${REMOVED}`)
    .replace(SECRET_PARAM, `$1${REMOVED}`)
    .replace(SECRET_ASSIGNMENT, `$1${REMOVED}`);
}
