import {
  constants,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  privateDecrypt,
  randomUUID,
} from 'node:crypto';
import forge from 'node-forge';
import { startReceiver, startWorld, type Receiver, type World } from './graph-emulator.harness';

/** Presence change notifications of the Graph emulator: creation rules, the handshake, deliveries, lifecycle, encryption. */

let w: World;
let receiver: Receiver;
const receivers: Receiver[] = [];

beforeAll(async () => {
  w = await startWorld({ delivery: { retryBaseMs: 100 } });
  receiver = await startReceiver();
  receivers.push(receiver);
});
afterAll(async () => {
  await w.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function newReceiver(behaviour: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const r = await startReceiver(behaviour);
  receivers.push(r);
  return r;
}

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}

const inMinutes = (m: number) => new Date(w.clock.now() + m * 60_000).toISOString();
const resourceFor = (ids: string[]) =>
  `/communications/presences?$filter=id in (${ids.map((i) => `'${i}'`).join(',')})`;

function subscription(overrides: Record<string, unknown> = {}) {
  return {
    changeType: 'updated',
    notificationUrl: receiver.url,
    resource: resourceFor([w.users.alice.id, w.users.bob.id]),
    expirationDateTime: inMinutes(59),
    clientState: 'secret-client-state',
    ...overrides,
  };
}

/** Each test uses its own monitor account, because Graph allows one presence subscription per user per app. */
function newMonitor() {
  return w.directory.addUser(w.tenant.id, {
    userPrincipalName: `mon-${randomUUID().slice(0, 8)}@contoso.example`,
    displayName: 'Monitor',
    password: 'monitor-password-1',
  });
}

async function createFor(body: Record<string, unknown> = {}) {
  const token = await w.userToken(newMonitor());
  const res = await w.call('POST', '/v1.0/subscriptions', token, subscription(body));
  return { res, token };
}

describe('creating a presence subscription', () => {
  it('validates the endpoint, creates it, and echoes what was asked', async () => {
    const before = receiver.validations.length;
    const { res } = await createFor();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      changeType: 'updated',
      clientState: 'secret-client-state',
      applicationId: w.app.clientId,
    });
    expect(receiver.validations.length).toBe(before + 1);
    expect(receiver.validations.at(-1)).toMatch(/^Validation: /);
  });

  it('refuses an app-only token with 403', async () => {
    const res = await w.call('POST', '/v1.0/subscriptions', await w.appToken(), subscription());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ExtensionError');
  });

  it('refuses a delegated token without Presence.Read.All', async () => {
    const token = await w.userToken(newMonitor(), w.bareApp);
    expect((await w.call('POST', '/v1.0/subscriptions', token, subscription())).status).toBe(403);
  });

  it('gives a monitor account one presence subscription per app: the second gets 409', async () => {
    const token = await w.userToken(newMonitor());
    expect((await w.call('POST', '/v1.0/subscriptions', token, subscription())).status).toBe(201);
    const second = await w.call(
      'POST',
      '/v1.0/subscriptions',
      token,
      subscription({ resource: `/communications/presences/${w.users.carol.id}` }),
    );
    expect(second.status).toBe(409);
    expect((await createFor()).res.status).toBe(201);
  });

  it("refuses an expiration more than 60 minutes ahead, with Graph's message", async () => {
    const { res } = await createFor({ expirationDateTime: inMinutes(61) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Subscription expiration can only be 60 minutes in the future.');
  });

  it('refuses more than 650 ids, changeTypes other than updated, and a clientState over 128 chars', async () => {
    const ids = Array.from({ length: 651 }, () => randomUUID());
    expect((await createFor({ resource: resourceFor(ids) })).res.status).toBe(400);
    expect((await createFor({ resource: resourceFor(ids.slice(0, 650)) })).res.status).toBe(201);
    expect((await createFor({ changeType: 'created' })).res.status).toBe(400);
    expect((await createFor({ clientState: 'x'.repeat(129) })).res.status).toBe(400);
    expect((await createFor({ clientState: 'x'.repeat(128) })).res.status).toBe(201);
  });

  it('does not create the subscription when the endpoint does not echo the token', async () => {
    const wrong = await newReceiver({ echo: false });
    const { res, token } = await createFor({ notificationUrl: wrong.url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationError');
    expect(res.body.error.message).toMatch(/^Subscription validation request failed\./);
    expect((await w.call('GET', '/v1.0/subscriptions', token)).body.value).toEqual([]);
  });

  it('does the same handshake for the lifecycle URL', async () => {
    const wrong = await newReceiver({ echo: false });
    const { res } = await createFor({ lifecycleNotificationUrl: wrong.url });
    expect(res.status).toBe(400);
  });

  it('refuses includeResourceData without an encryption certificate', async () => {
    expect((await createFor({ includeResourceData: true })).res.status).toBe(400);
    expect(
      (
        await createFor({
          includeResourceData: true,
          encryptionCertificate: 'bm90IGEgY2VydA==',
          encryptionCertificateId: 'c1',
        })
      ).res.status,
    ).toBe(400);
  });
});

describe('validation timeout', () => {
  it('does not create the subscription when the echo comes later than the validation timeout', async () => {
    const quick = await startWorld({ validationTimeoutMs: 200 });
    try {
      const slow = await newReceiver({ validationDelayMs: 500 });
      const token = await quick.userToken(quick.users.monitor);
      const res = await quick.call('POST', '/v1.0/subscriptions', token, {
        changeType: 'updated',
        notificationUrl: slow.url,
        resource: `/communications/presences/${quick.users.alice.id}`,
        expirationDateTime: new Date(quick.clock.now() + 30 * 60_000).toISOString(),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Subscription validation request timed out.');
      expect(quick.graph.control.subscriptions()).toEqual([]);
    } finally {
      await quick.close();
    }
  });
});

describe('renewal and deletion', () => {
  it('renews by PATCH up to 60 minutes, and answers 404 once the subscription expired', async () => {
    const { res, token } = await createFor({ expirationDateTime: inMinutes(10) });
    const id = res.body.id;
    expect(
      (await w.call('PATCH', `/v1.0/subscriptions/${id}`, token, { expirationDateTime: inMinutes(61) }))
        .status,
    ).toBe(400);
    const renewed = await w.call('PATCH', `/v1.0/subscriptions/${id}`, token, {
      expirationDateTime: inMinutes(30),
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.expirationDateTime).toBe(inMinutes(30));
    w.clock.advance(30 * 60_000);
    const fresh = await w.userToken(w.directory.findUser(w.tenant.id, res.body.creatorId)!);
    const late = await w.call('PATCH', `/v1.0/subscriptions/${id}`, fresh, {
      expirationDateTime: inMinutes(30),
    });
    expect(late.status).toBe(404);
    expect((await w.call('GET', `/v1.0/subscriptions/${id}`, fresh)).status).toBe(404);
    // Expired means deleted: the monitor may subscribe again.
    expect((await w.call('POST', '/v1.0/subscriptions', fresh, subscription())).status).toBe(201);
  });

  it('deletes with 204 and then no longer finds it', async () => {
    const { res, token } = await createFor();
    expect((await w.call('DELETE', `/v1.0/subscriptions/${res.body.id}`, token)).status).toBe(204);
    expect((await w.call('GET', `/v1.0/subscriptions/${res.body.id}`, token)).status).toBe(404);
  });
});

describe('deliveries', () => {
  it('notifies each change with clientState, resource and tenant, in sequenceNumber order of the changes', async () => {
    const r = await newReceiver();
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `d-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'D',
    });
    const { res } = await createFor({
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
    });
    expect(res.status).toBe(201);
    const seq1 = w.graph.control.teams(user.id, 'signIn').sequenceNumber;
    const seq2 = w.graph.control.teams(user.id, 'startCall').sequenceNumber;
    expect(seq2 > seq1).toBe(true);
    await r.waitFor(2);
    for (const body of r.notifications) {
      const [n] = body.value;
      expect(n).toMatchObject({
        subscriptionId: res.body.id,
        clientState: 'secret-client-state',
        changeType: 'updated',
        resource: `communications/presences('${user.id}')`,
        tenantId: w.tenant.id,
        resourceData: { '@odata.type': '#Microsoft.Graph.presence', id: user.id },
      });
      expect(n.encryptedContent).toBeUndefined();
    }
  });

  it('never notifies about users of another tenant, whatever ids the resource names', async () => {
    const r = await newReceiver();
    const other = w.directory.addTenant({
      displayName: 'Fabrikam',
      domain: `f${randomUUID().slice(0, 6)}.example`,
    });
    const stranger = w.directory.addUser(other.id, {
      userPrincipalName: 'eve@fabrikam.example',
      displayName: 'Eve',
    });
    const { res } = await createFor({
      notificationUrl: r.url,
      resource: resourceFor([stranger.id, w.users.carol.id]),
    });
    expect(res.status).toBe(201);
    w.graph.control.teams(stranger.id, 'startCall');
    w.graph.control.teams(w.users.carol.id, 'joinMeeting');
    await r.waitFor(1);
    await new Promise((done) => setTimeout(done, 100));
    expect(r.notifications.map((n) => n.value[0].resourceData.id)).toEqual([w.users.carol.id]);
  });

  it('redelivers a notification acknowledged later than 3 seconds', async () => {
    const r = await newReceiver({ ackDelayMs: 3500 });
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `s-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'S',
    });
    const { res } = await createFor({
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
    });
    w.graph.control.teams(user.id, 'signIn');
    await r.waitFor(1);
    r.behaviour.ackDelayMs = 0;
    await r.waitFor(2, 6000);
    expect(r.notifications[1]).toEqual(r.notifications[0]);
    const mine = () => w.graph.control.deliveries().filter((d) => d.subscriptionId === res.body.id);
    await eventually(() => mine().length === 2);
    expect(mine().map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'slow'],
      [2, 'acknowledged'],
    ]);
  }, 10_000);

  it('retries a failing endpoint with backoff', async () => {
    const r = await newReceiver({ ackStatus: 500 });
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `f-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'F',
    });
    await createFor({ notificationUrl: r.url, resource: `/communications/presences/${user.id}` });
    w.graph.control.teams(user.id, 'signIn');
    const outcomes = () =>
      w.graph.control
        .deliveries()
        .filter((d) => d.url === r.url)
        .map((d) => d.outcome);
    // Flip to success only once Graph has recorded three failures: the receiver answers after it records a post,
    // so flipping on the third receipt could turn that very answer into a success.
    await eventually(() => outcomes().filter((o) => o === 'failed').length >= 3, 8000);
    r.behaviour.ackStatus = 202;
    await eventually(() => outcomes().includes('acknowledged'), 8000);
    expect(outcomes().slice(0, 3)).toEqual(['failed', 'failed', 'failed']);
    expect(r.notifications.every((n) => JSON.stringify(n) === JSON.stringify(r.notifications[0]))).toBe(true);
  }, 10_000);
});

describe('lifecycle', () => {
  it('pauses notifications after a reauthorizationRequired until the app reauthorizes; changes meanwhile are lost', async () => {
    const r = await newReceiver();
    const life = await newReceiver();
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `l-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'L',
    });
    const { res, token } = await createFor({
      notificationUrl: r.url,
      lifecycleNotificationUrl: life.url,
      resource: `/communications/presences/${user.id}`,
    });
    await w.graph.control.triggerLifecycle(res.body.id, 'reauthorizationRequired');
    await life.waitFor(1);
    expect(life.notifications[0].value[0]).toMatchObject({
      subscriptionId: res.body.id,
      lifecycleEvent: 'reauthorizationRequired',
      clientState: 'secret-client-state',
      tenantId: w.tenant.id,
    });
    w.graph.control.teams(user.id, 'signIn');
    await new Promise((done) => setTimeout(done, 100));
    expect(r.notifications).toHaveLength(0);
    expect(w.graph.control.subscriptions().find((s) => s.id === res.body.id)).toMatchObject({
      paused: true,
      lostNotifications: 1,
    });
    expect((await w.call('POST', `/v1.0/subscriptions/${res.body.id}/reauthorize`, token)).status).toBe(204);
    w.graph.control.teams(user.id, 'startCall');
    await r.waitFor(1);
    expect(r.notifications[0].value[0].resourceData.id).toBe(user.id);
    expect(life.notifications).toHaveLength(1);
  });

  it('challenges 15 minutes before the token behind the subscription expires, and pauses once it has', async () => {
    const r = await newReceiver();
    const life = await newReceiver();
    const user = w.directory.addUser(w.tenant.id, {
      userPrincipalName: `t-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: 'T',
    });
    const monitor = newMonitor();
    const token = await w.userToken(monitor); // valid for one hour from now
    const created = await w.call(
      'POST',
      '/v1.0/subscriptions',
      token,
      subscription({
        notificationUrl: r.url,
        lifecycleNotificationUrl: life.url,
        resource: `/communications/presences/${user.id}`,
        expirationDateTime: inMinutes(59),
      }),
    );
    const id = created.body.id;
    w.clock.advance(30 * 60_000);
    // Renewed with the same (still valid) token: the subscription now outlives the token.
    expect(
      (await w.call('PATCH', `/v1.0/subscriptions/${id}`, token, { expirationDateTime: inMinutes(59) }))
        .status,
    ).toBe(200);
    w.clock.advance(14 * 60_000);
    expect(life.notifications).toHaveLength(0);
    w.clock.advance(60_000 + 1000);
    await life.waitFor(1);
    expect(life.notifications[0].value[0].lifecycleEvent).toBe('reauthorizationRequired');
    w.graph.control.teams(user.id, 'signIn'); // token still valid: delivered
    await r.waitFor(1);
    w.clock.advance(15 * 60_000);
    w.graph.control.teams(user.id, 'startCall'); // token expired: paused
    await new Promise((done) => setTimeout(done, 100));
    expect(r.notifications).toHaveLength(1);
    expect(w.graph.control.subscriptions().find((s) => s.id === id)?.paused).toBe(true);
    const fresh = await w.userToken(monitor);
    expect((await w.call('POST', `/v1.0/subscriptions/${id}/reauthorize`, fresh)).status).toBe(204);
    w.graph.control.teams(user.id, 'endCall');
    await r.waitFor(2);
  });

  it('sends subscriptionRemoved and deletes the subscription', async () => {
    const life = await newReceiver();
    const { res, token } = await createFor({ lifecycleNotificationUrl: life.url });
    await w.graph.control.triggerLifecycle(res.body.id, 'subscriptionRemoved');
    await life.waitFor(1);
    expect(life.notifications[0].value[0].lifecycleEvent).toBe('subscriptionRemoved');
    expect((await w.call('GET', `/v1.0/subscriptions/${res.body.id}`, token)).status).toBe(404);
  });
});

describe('notifications with resource data', () => {
  /** A self-signed certificate (what Graph accepts) around a key made by node:crypto, which is quicker than forge's. */
  function certificate(bits = 2048) {
    const pair = generateKeyPairSync('rsa', { modulusLength: bits });
    const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(
      pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: 'switchboard-notifications' }]);
    cert.setIssuer([{ name: 'commonName', value: 'switchboard-notifications' }]);
    cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
    const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
    return { base64: forge.util.encode64(der), privateKeyPem };
  }

  /** Decrypts as a receiver must: RSA-OAEP key, HMAC check before anything, AES-CBC with the key's first 16 bytes. */
  function decrypt(content: { data: string; dataKey: string; dataSignature: string }, privateKeyPem: string) {
    const key = privateDecrypt(
      { key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(content.dataKey, 'base64'),
    );
    expect(key).toHaveLength(32);
    const data = Buffer.from(content.data, 'base64');
    expect(createHmac('sha256', key).update(data).digest('base64')).toBe(content.dataSignature);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    return JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8'));
  }

  const newUser = (prefix: string) =>
    w.directory.addUser(w.tenant.id, {
      userPrincipalName: `${prefix}-${randomUUID().slice(0, 6)}@contoso.example`,
      displayName: prefix,
    });

  it('encrypts the presence so that it decrypts with the private key and the signature verifies', async () => {
    const cert = certificate();
    const r = await newReceiver();
    const user = newUser('e');
    const { res } = await createFor({
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
      includeResourceData: true,
      encryptionCertificate: cert.base64,
      encryptionCertificateId: 'cert-1',
    });
    expect(res.status).toBe(201);
    w.graph.control.teams(user.id, 'startCall');
    await r.waitFor(1);
    const body = r.notifications[0];
    const content = body.value[0].encryptedContent;
    expect(content.encryptionCertificateId).toBe('cert-1');
    expect(content.encryptionCertificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(decrypt(content, cert.privateKeyPem)).toMatchObject({
      id: user.id,
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(body.validationTokens).toHaveLength(1);
    const claims = await w.graph.control.verifyValidationToken(body.validationTokens[0], {
      tenantId: w.tenant.id,
      appId: w.app.clientId,
    });
    expect(claims).toMatchObject({ aud: w.app.clientId, appid: '0bf30f3b-4a52-48df-9a82-234910c4a086' });
    await expect(
      w.graph.control.verifyValidationToken(body.validationTokens[0], {
        tenantId: w.tenant.id,
        appId: randomUUID(),
      }),
    ).rejects.toThrow();
  });

  it('refuses keys under 2048 bits and certificate ids over 128 characters', async () => {
    const small = certificate(1024);
    const ok = certificate();
    const body = (base64: string, id: string) => ({
      includeResourceData: true,
      encryptionCertificate: base64,
      encryptionCertificateId: id,
    });
    expect((await createFor(body(small.base64, 'c1'))).res.status).toBe(400);
    expect((await createFor(body(ok.base64, 'x'.repeat(129)))).res.status).toBe(400);
    expect((await createFor(body(ok.base64, 'x'.repeat(128)))).res.status).toBe(201);
  });

  it('rotates the certificate on renewal', async () => {
    const first = certificate();
    const second = certificate();
    const r = await newReceiver();
    const user = newUser('k');
    const { res, token } = await createFor({
      notificationUrl: r.url,
      resource: `/communications/presences/${user.id}`,
      includeResourceData: true,
      encryptionCertificate: first.base64,
      encryptionCertificateId: 'first',
    });
    const renewed = await w.call('PATCH', `/v1.0/subscriptions/${res.body.id}`, token, {
      expirationDateTime: inMinutes(50),
      encryptionCertificate: second.base64,
      encryptionCertificateId: 'second',
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.encryptionCertificateId).toBe('second');
    w.graph.control.teams(user.id, 'signIn');
    await r.waitFor(1);
    const content = r.notifications[0].value[0].encryptedContent;
    expect(content.encryptionCertificateId).toBe('second');
    expect(decrypt(content, second.privateKeyPem)).toMatchObject({ id: user.id, availability: 'Available' });
  });
});
