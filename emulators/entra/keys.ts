import {
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';

/**
 * The emulator's token signing key: one RSA key pair made at start-up, shared by every tenant the way Entra's
 * signing keys are. Its `kid` goes in every token header so validators pick it from the JWKS.
 */
export class SigningKeys {
  private constructor(
    readonly kid: string,
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    private readonly publicJwk: JWK,
  ) {}

  static async generate(): Promise<SigningKeys> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new SigningKeys(kid, privateKey, publicKey, jwk);
  }

  /** The JWKS document for a tenant; Entra lists each key with `use: sig` and the tenant's issuer. */
  jwks(issuer: string): { keys: JWK[] } {
    return {
      keys: [
        {
          kty: 'RSA',
          use: 'sig',
          kid: this.kid,
          x5t: this.kid,
          n: this.publicJwk.n,
          e: this.publicJwk.e,
          issuer,
        } as JWK,
      ],
    };
  }

  sign(payload: JWTPayload): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid })
      .sign(this.privateKey);
  }

  /**
   * Checks the signature only (algorithm pinned to RS256) and returns the claims. Time-based claims are judged by
   * the caller against the emulator's injected clock, never against the wall clock.
   */
  async verifySignature(token: string): Promise<JWTPayload> {
    const { payload } = await compactVerify(token, this.publicKey, { algorithms: ['RS256'] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw new Error('token payload is not a JSON object');
    return claims as JWTPayload;
  }
}
