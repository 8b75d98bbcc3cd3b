import { createLogger } from '../../shared/platform/logger';
import { call, startHarness, type Harness } from './bot-harness';

/**
 * Every configuration change leaves a structured line (the team's operations rule): an operator reading the log can
 * tell who saved which of the admin's documents and when, without the values (the admin page shows those).
 */
describe('admin settings saves in the log', () => {
  let h: Harness;
  let admin: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
    h = await startHarness({ logger });
    admin = await h.sso(h.fx.contoso, h.fx.users.alice);
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['/api/admin/mapping', 'mapping'],
    ['/api/admin/selection', 'selection'],
    ['/api/admin/click-to-call', 'clickToCall'],
  ])('PUT %s logs config.changed naming the %s document and the admin', async (path, document) => {
    const current = await call(h, 'GET', path, admin);
    expect(current.status).toBe(200);
    lines.length = 0;
    expect((await call(h, 'PUT', path, admin, current.body)).status).toBe(200);
    const changes = lines.filter((l) => l.event === 'config.changed');
    expect(changes).toEqual([
      expect.objectContaining({ tenantId: h.fx.contoso, keys: [document], by: expect.any(String) }),
    ]);
    // The values stay out of the log.
    expect(JSON.stringify(changes)).not.toContain(JSON.stringify(current.body));
  });

  it('a refused save logs no change', async () => {
    lines.length = 0;
    expect((await call(h, 'PUT', '/api/admin/mapping', admin, { rules: 'nonsense' })).status).toBe(400);
    expect(lines.filter((l) => l.event === 'config.changed')).toEqual([]);
  });
});
