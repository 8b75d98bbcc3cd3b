import type { Request, Response } from 'restify';
import { sendError } from '../../bot/http/route';
import { notFound, ServiceRefusal } from '../../bot/services/refusal';
import { createLogger } from '../../shared/platform/logger';

/** What the route layer answers for each kind of refusal a service makes (the services know no HTTP statuses). */
function answer(e: unknown) {
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    header: () => undefined,
    send: (status: number, body: unknown) => Object.assign(sent, { status, body }),
  } as unknown as Response;
  const req = { path: () => '/api/test' } as unknown as Request;
  sendError(res, req, createLogger('silent'), e);
  return sent as { status: number; body: { error: { code: string; message: string; action?: string } } };
}

describe('a service refusal becomes an HTTP answer', () => {
  it.each([
    [notFound('Monitor m1'), 404, 'not_found'],
    [new ServiceRefusal('conflict', 'tenant_not_linked', 'Link first.'), 409, 'tenant_not_linked'],
    [new ServiceRefusal('forbidden', 'consent_required', 'Consent first.', 'consent_required'), 403, 'consent_required'],
    [new ServiceRefusal('upstream_failed', 'graph_failed', 'Graph failed.'), 502, 'graph_failed'],
    [new ServiceRefusal('unavailable', 'registry_unavailable', 'Try again.'), 503, 'registry_unavailable'],
  ])('%s → %i %s', (refusal, status, code) => {
    const sent = answer(refusal);
    expect(sent.status).toBe(status);
    expect(sent.body.error).toMatchObject({ code, message: refusal.message });
  });

  it('keeps the next step for the tab', () => {
    expect(answer(new ServiceRefusal('forbidden', 'consent_required', 'x', 'consent_required')).body.error.action).toBe(
      'consent_required',
    );
  });

  it('anything else is a 500 that says nothing of the error', () => {
    const sent = answer(new TypeError('secret detail'));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('secret detail');
  });
});
