import { EntraError } from '../../shared/adapters/entra/entra-error';

describe('EntraError.fromResponse', () => {
  it("reads Entra's error JSON: OAuth code, AADSTS number, correlation id, suberror", () => {
    const body = JSON.stringify({
      error: 'invalid_grant',
      error_description:
        'AADSTS65001: The user or administrator has not consented.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: x',
      error_codes: [65001],
      correlation_id: '11111111-2222-4333-8444-555555555555',
      suberror: 'consent_required',
    });
    const e = EntraError.fromResponse(400, body);
    expect(e).toMatchObject({
      status: 400,
      error: 'invalid_grant',
      aadstsCode: 65001,
      correlationId: '11111111-2222-4333-8444-555555555555',
    });
    expect(e.isConsentRequired()).toBe(true);
    expect(e.isMfaRequired()).toBe(false);
    expect(e.message).toBe(
      'Entra ID 400 invalid_grant: AADSTS65001: The user or administrator has not consented.',
    );
  });

  it('takes the AADSTS number from the description when error_codes is absent', () => {
    const e = EntraError.fromResponse(
      400,
      JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS50076: MFA needed.' }),
    );
    expect(e.aadstsCode).toBe(50076);
    expect(e.isMfaRequired()).toBe(true);
  });

  it('keeps the status and an excerpt of a body that is not JSON (a proxy or an outage page)', () => {
    const e = EntraError.fromResponse(502, '<html>Bad gateway</html>');
    expect(e).toMatchObject({
      status: 502,
      error: 'http_502',
      aadstsCode: undefined,
      description: '<html>Bad gateway</html>',
    });
    expect(e.isClientSecretInvalid()).toBe(false);
  });
});
