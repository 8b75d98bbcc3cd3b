import { Authenticator } from '../../bot/auth/authenticator';
import type { EntraJwtValidator } from '../../shared/adapters/entra/jwt-validator';

/**
 * QA regression: a system calling GET /api/presence without a token was told to send "the Teams SSO token", which
 * that API refuses (it takes app-only tokens). The 401 now names the token each API takes.
 */
describe('QA: the missing-token answer names the token the API takes', () => {
  const validator = {
    validate: () => Promise.reject(new Error('no token should reach the validator')),
  } as unknown as EntraJwtValidator;
  const auth = new Authenticator({ validator });

  it('asks the tab for its Teams SSO token', async () => {
    await expect(auth.user(undefined)).rejects.toMatchObject({
      status: 401,
      code: 'missing_token',
      message: expect.stringContaining('Teams SSO token'),
    });
  });

  it('asks other systems for an app-only token, not an SSO token', async () => {
    const answer = auth.app('Basic dXNlcjpwYXNz');
    await expect(answer).rejects.toMatchObject({
      status: 401,
      code: 'missing_token',
      message: expect.stringContaining('app-only (client credentials) token'),
    });
    await expect(answer).rejects.not.toMatchObject({ message: expect.stringContaining('SSO') });
  });
});
