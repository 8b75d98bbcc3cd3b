import { Router, type Handler } from '../../emulators/common/http';

/** The emulators' router answers as the vendors' front doors do: 404 for an unknown path, 405 for a known one. */
const named =
  (name: string): Handler =>
  () => ({ status: 200, body: name });

describe('emulator router', () => {
  const router = new Router()
    .on('GET', '/users/:id', named('user'))
    .on('GET', '/users/delta', named('delta'))
    .on('POST', '/users/:id/presence/setPresence', named('set'))
    .on('DELETE', '/subscriptions/:id', named('delete'));

  /** Which route answered, and with which parameters. */
  const nameOf = async (method: string, path: string) => {
    const found = router.match(method, path);
    if (typeof found !== 'object') return found;
    const answer = await found.handler({} as Parameters<Handler>[0]);
    return { route: answer.body, params: found.params };
  };

  it('takes a static segment before a parameter, whatever the order they were added in', async () => {
    expect(await nameOf('GET', '/users/delta')).toEqual({ route: 'delta', params: {} });
    expect(await nameOf('GET', '/users/42')).toEqual({ route: 'user', params: { id: '42' } });
  });

  it('decodes parameters and keeps their case while matching the path case-insensitively', async () => {
    expect(await nameOf('POST', '/Users/Alice%40Contoso.com/presence/setpresence')).toEqual({
      route: 'set',
      params: { id: 'Alice@Contoso.com' },
    });
  });

  it('accepts a trailing slash', async () => {
    expect(await nameOf('DELETE', '/subscriptions/abc/')).toEqual({ route: 'delete', params: { id: 'abc' } });
  });

  it("says 'method' for a known path under another method, and nothing for an unknown path", () => {
    expect(router.match('PUT', '/subscriptions/abc')).toBe('method');
    expect(router.match('GET', '/nowhere')).toBeUndefined();
    expect(router.match('PROPFIND', '/users/42')).toBe('method');
  });

  it('refuses to register a method the emulators do not serve', () => {
    expect(() => new Router().on('TRACE', '/x', named('x'))).toThrow(/TRACE/);
  });
});
