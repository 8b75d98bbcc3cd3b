import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { call, startHarness, type Harness } from './bot-harness';

/** What the server answers to a raw HTTP request whose body we write chunk by chunk (fetch cannot send these). */
function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers: Record<string, string>; chunks: Buffer[] },
): Promise<{ status: number; body: string }> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method,
        headers: options.headers,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    // The server may answer and close before all chunks are written: that is the point, not a failure.
    req.on('error', (e) => (req.destroyed && e.message.includes('EPIPE') ? undefined : reject(e)));
    (async () => {
      for (const chunk of options.chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

/**
 * Request bodies before authentication: only JSON is read, within the size limit, and nothing is written to disk.
 * (A probe filled the disk with 199 MB of multipart upload per request, answered 401, never deleted.)
 */
describe('API request bodies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses a multipart upload without a token with 415 and writes nothing to the temp directory', async () => {
    // restify's multipart parser (formidable) wrote each upload to os.tmpdir() as upload_<random hex>.
    const uploads = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('upload_')));
    const before = uploads();
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(6 * 1024 * 1024, 0x61)]), 'big.bin');
    const res = await fetch(`${h.baseUrl}/api/me/reports`, { method: 'POST', body: form }).catch(
      (e: Error) => e,
    );
    expect(res).toBeInstanceOf(Response);
    const answer = res as Response;
    expect(answer.status).toBe(415);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toContain('multipart/form-data');
    expect([...uploads()].filter((name) => !before.has(name))).toEqual([]);
  });

  it('refuses a form post and a text body with 415 on any route', async () => {
    for (const [path, type] of [
      ['/api/me/settings', 'application/x-www-form-urlencoded'],
      ['/api/me/sync', 'text/plain'],
      ['/api/admin/tenant', 'text/csv'],
    ]) {
      const res = await fetch(`${h.baseUrl}${path}`, {
        method: path === '/api/me/sync' ? 'POST' : 'PUT',
        headers: { 'Content-Type': type! },
        body: 'a=1&b=2',
      });
      expect({ path, status: res.status }).toEqual({ path, status: 415 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
  });

  it('refuses an oversize chunked JSON body with 413 without reading it all', async () => {
    const chunk = Buffer.from(`"${'x'.repeat(64 * 1024 - 3)}",`);
    const res = await rawRequest(h.baseUrl, {
      method: 'POST',
      path: '/api/me/reports',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      chunks: [Buffer.from('['), ...Array.from({ length: 64 }, () => chunk), Buffer.from('"end"]')],
    });
    expect(res.status).toBe(413);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error).toEqual({
      code: 'payload_too_large',
      message: 'The request body is larger than 262144 bytes.',
    });
  });

  it('refuses a body whose content-length is over the limit with 413', async () => {
    const res = await call(h, 'POST', '/api/me/reports', undefined, JSON.stringify('y'.repeat(300 * 1024)));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it("answers unparseable JSON with a 400 in our words, not the parser's", async () => {
    const res = await call(
      h,
      'PUT',
      '/api/me/settings',
      await h.sso(h.fx.contoso, h.fx.users.bob),
      '{"a": nope}',
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'bad_request', message: 'The request body is not valid JSON.' });
    expect(JSON.stringify(res.body)).not.toMatch(/Unexpected token|position/);
  });

  it('still reads JSON bodies, also +json types with a charset', async () => {
    const token = await h.sso(h.fx.contoso, h.fx.users.bob);
    const res = await fetch(`${h.baseUrl}/api/me/settings`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/merge-patch+json; charset=utf-8',
      },
      body: JSON.stringify({ missedCallNotice: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ missedCallNotice: true });
  });

  it('deletes a monitor for a DELETE without a body, whatever Content-Type it carries (issue 14)', async () => {
    const removed: string[] = [];
    Object.assign(h.sync.monitors, {
      remove: async (_tenantId: string, id: string) => void removed.push(id),
    });
    const token = await h.sso(h.fx.contoso, h.fx.users.alice);
    const cases: Array<[string, Record<string, string>]> = [
      ['m-length0', { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' }],
      ['m-chunked', { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }],
      ['m-none', { 'Content-Type': 'text/plain' }],
    ];
    for (const [id] of cases) {
      await h.store.putMonitor({
        tenantId: h.fx.contoso,
        monitorId: id,
        username: `${id}@contoso.example`,
        passwordSealed: 'sealed',
        passwordExpiresAt: null,
        state: 'active',
        subscriptionId: null,
        subscriptionExpiresAt: null,
        userIds: [],
        clientState: null,
        lastError: null,
        updatedAt: 0,
        adminVersion: 0,
      });
    }
    for (const [id, headers] of cases) {
      const res = await rawRequest(h.baseUrl, {
        method: 'DELETE',
        path: `/api/admin/monitors/${id}`,
        headers: { Authorization: `Bearer ${token}`, ...headers },
        chunks: [],
      });
      expect({ id, status: res.status, body: res.body }).toEqual({ id, status: 204, body: '' });
    }
    expect(removed).toEqual(['m-length0', 'm-chunked', 'm-none']);
  });

  it('refuses a chunked body of a type we do not take at its first byte', async () => {
    const res = await rawRequest(h.baseUrl, {
      method: 'POST',
      path: '/api/me/reports',
      headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
      chunks: [Buffer.from('binary')],
    });
    expect(res.status).toBe(415);
  });
});
