import { Writable } from 'node:stream';
import { SecretBox } from '../../shared/platform/secret-box';
import { createLogger, createProcessLogger } from '../../shared/platform/logger';

describe('secrets at rest and in logs', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('seals so the plaintext does not appear and opens to the same value', () => {
    const sealed = box.seal('client-secret-value');
    expect(sealed).not.toContain('client-secret-value');
    expect(box.seal('client-secret-value')).not.toBe(sealed); // fresh IV each time
    expect(box.open(sealed)).toBe('client-secret-value');
  });

  it('refuses a sealed value that was tampered with or sealed under another key', () => {
    const sealed = box.seal('x');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('y').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
  });

  it('never writes credentials to the log, even when a whole object is logged', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info(
      { clientSecret: 'S1', monitor: { password: 'S2' }, req: { headers: { authorization: 'Bearer S3' } } },
      'x',
    );
    log.info({ config: { clientSecret: 'S4', cloudlink: { clientSecret: 'S5' } } }, 'y');
    const text = lines.join('');
    for (const s of ['S1', 'S2', 'S3', 'S4', 'S5']) expect(text).not.toContain(s);
    expect(text).toContain('[redacted]');
  });

  it('writes readable lines for a terminal with LOG_FORMAT=pretty, redacted the same way', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createProcessLogger('info', 'pretty', sink);
    log.warn(
      { service: 'graph', status: 429, clientSecret: 'S6' },
      'graph setPresence answered 429; retrying',
    );
    const text = lines.join('');
    expect(text).toMatch(/WARN.*graph setPresence answered 429; retrying/);
    expect(text).toMatch(/status: 429/);
    expect(text).not.toContain('S6');
    expect(() => JSON.parse(text)).toThrow();
  });
});
