import { createCipheriv, createHash, createHmac, constants, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { exportJWK, jwtVerify, SignJWT, createLocalJWKSet, type JSONWebKeySet, type JWTPayload } from 'jose';

/**
 * Notifications with resource data, as Graph sends them: the resource JSON is encrypted with a fresh 32-byte key
 * (AES-256-CBC, PKCS7 padding, IV = the key's first 16 bytes), the key is encrypted with the subscriber's
 * certificate (RSA-OAEP with SHA-1), and `dataSignature` is the base64 HMAC-SHA256 of the encrypted bytes under the
 * same key. Each batch also carries `validationTokens`: JWTs signed by the emulator's key (published as a JWKS) with
 * aud = the subscribing app, which the receiver verifies before trusting the payload.
 */

export interface EncryptedContent {
  data: string;
  dataKey: string;
  dataSignature: string;
  encryptionCertificateId: string;
  encryptionCertificateThumbprint: string;
}

export interface SubscriberCertificate {
  publicKey: KeyObject;
  id: string;
  thumbprint: string;
}

/** Parses the base64 DER certificate from a subscription request; undefined when it is not a usable X.509 RSA cert. */
export function parseCertificate(base64: string, id: string): SubscriberCertificate | undefined {
  try {
    const der = Buffer.from(base64, 'base64');
    const cert = new X509Certificate(der);
    if (cert.publicKey.asymmetricKeyType !== 'rsa') return undefined;
    return { publicKey: cert.publicKey, id, thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase() };
  } catch {
    return undefined;
  }
}

export function encryptResource(resource: unknown, cert: SubscriberCertificate): EncryptedContent {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  const dataKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key);
  return {
    data: data.toString('base64'),
    dataKey: dataKey.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    encryptionCertificateId: cert.id,
    encryptionCertificateThumbprint: cert.thumbprint,
  };
}

/** The Microsoft Graph change-tracking service principal's app id, which validation tokens name as azp. */
export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

export class ValidationTokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid = randomUUID();
  private jwks?: JSONWebKeySet;

  constructor(private readonly now: () => number) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  issuer(tenantId: string): string {
    return `https://sts.windows.net/${tenantId}/`;
  }

  async sign(tenantId: string, appId: string): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ tid: tenantId, azp: CHANGE_TRACKING_APP_ID, azpacr: '2', ver: '1.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer(tenantId))
      .setAudience(appId)
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(iat + 3600)
      .sign(this.privateKey);
  }

  async keys(): Promise<JSONWebKeySet> {
    if (!this.jwks) {
      const jwk = await exportJWK(this.publicKey);
      this.jwks = { keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] };
    }
    return this.jwks;
  }

  /** Verifies a validation token as a receiver must: signature, issuer of the tenant, audience = its app id, azp. */
  async verify(token: string, expected: { tenantId: string; appId: string }): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await this.keys()), {
      issuer: this.issuer(expected.tenantId),
      audience: expected.appId,
      currentDate: new Date(this.now()),
    });
    if (payload.azp !== CHANGE_TRACKING_APP_ID) throw new Error('validation token azp is not the Graph change-tracking app');
    return payload;
  }
}
