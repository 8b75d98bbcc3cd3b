import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sameSecret } from '../platform/same-secret';

/**
 * A Graph subscription's clientState is the secret Graph sends back in every notification of that subscription: it is
 * how a post proves it came through a subscription we made. Only the request that creates the subscription needs it in
 * clear, so the store keeps its SHA-256 digest instead: a copy of the database (a backup, a replica, a support dump)
 * cannot be used to forge presence notifications. 192 random bits need no salt or slow hash: there is nothing to
 * guess from the digest.
 */
const DIGEST = 'sha256:';

export interface NewClientState {
  /** Sent to Graph once, in the subscription request. */
  secret: string;
  /** What the monitor record keeps. */
  stored: string;
}

export function newClientState(): NewClientState {
  const secret = randomBytes(24).toString('base64url');
  return { secret, stored: storedFormOf(secret) };
}

/** The digest of a clientState; a value already stored as one is returned as it is. */
export function storedFormOf(value: string): string {
  return value.startsWith(DIGEST) ? value : DIGEST + digest(value).toString('base64url');
}

/** Whether a notification's clientState is the one the record keeps, in constant time. */
export function isClientStateOf(presented: unknown, stored: string | null | undefined): boolean {
  if (!stored || typeof presented !== 'string' || presented === '') return false;
  // A record saved before digests holds the secret itself until its subscription is next renewed.
  if (!stored.startsWith(DIGEST)) return sameSecret(presented, stored);
  const expected = Buffer.from(stored.slice(DIGEST.length), 'base64url');
  const actual = digest(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
