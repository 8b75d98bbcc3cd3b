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

  it('reads the AADSTS number from error_codes only, whatever the description says', () => {
    const fromCodes = EntraError.fromResponse(
      400,
      JSON.stringify({ error: 'invalid_grant', error_description: 'MFA needed.', error_codes: [50076] }),
    );
    expect(fromCodes.aadstsCode).toBe(50076);
    expect(fromCodes.isMfaRequired()).toBe(true);
    // A description that merely starts like a code (a proxy's text, a reworded message) is prose, not a code.
    const proseOnly = EntraError.fromResponse(
      400,
      JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS50076: MFA needed.' }),
    );
    expect(proseOnly.aadstsCode).toBeUndefined();
    expect(proseOnly.refusal).toBe('other');
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
