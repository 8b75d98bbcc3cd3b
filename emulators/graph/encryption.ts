import {
  createCipheriv,
  createHash,
  createHmac,
  constants,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  randomUUID,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
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

export const MAX_CERTIFICATE_ID = 128;

/**
 * Parses the base64 DER certificate of a subscription request. Graph takes self-signed certificates but wants an RSA
 * key of 2,048 to 4,096 bits, and an encryptionCertificateId of at most 128 characters. Answers why not, if not.
 */
export function parseCertificate(base64: string, id: string): SubscriberCertificate | string {
  if (id.length === 0 || id.length > MAX_CERTIFICATE_ID) {
    return `encryptionCertificateId must be 1 to ${MAX_CERTIFICATE_ID} characters.`;
  }
  let cert: X509Certificate;
  const der = Buffer.from(base64, 'base64');
  try {
    cert = new X509Certificate(der);
  } catch {
    return 'encryptionCertificate is not a valid base64-encoded X.509 certificate.';
  }
  const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (cert.publicKey.asymmetricKeyType !== 'rsa' || bits < 2048 || bits > 4096) {
    return 'The key of encryptionCertificate must be an RSA key of 2048 to 4096 bits.';
  }
  return {
    publicKey: cert.publicKey,
    id,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}

export function encryptResource(resource: unknown, cert: SubscriberCertificate): EncryptedContent {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  const dataKey = publicEncrypt(
    { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  );
  return {
    data: data.toString('base64'),
    dataKey: dataKey.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    encryptionCertificateId: cert.id,
    encryptionCertificateThumbprint: cert.thumbprint,
  };
}

/** The app id of Graph's change-notification publisher, which validation tokens carry as `appid`. */
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
    return new SignJWT({
      tid: tenantId,
      appid: CHANGE_TRACKING_APP_ID,
      appidacr: '2',
      idp: this.issuer(tenantId),
      uti: randomUUID(),
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer(tenantId))
      .setAudience(appId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
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

  /** Verifies a validation token as a receiver must: signature, lifetime, issuer of the tenant, audience, appid. */
  async verify(token: string, expected: { tenantId: string; appId: string }): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await this.keys()), {
      issuer: this.issuer(expected.tenantId),
      audience: expected.appId,
      currentDate: new Date(this.now()),
    });
    if (payload.appid !== CHANGE_TRACKING_APP_ID) {
      throw new Error('validation token appid is not the Graph change-notification publisher');
    }
    return payload;
  }
}
