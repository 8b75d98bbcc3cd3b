import type { Request, Response } from 'restify';
import { sendError } from '../../bot/http/route';
import { silentLogger } from '../../shared/platform/logger';
import { SyncQueuedError } from '../../shared/sync/owner-calls';

/**
 * A user's resync or phone reset asked on a standby is handed to the owner; when the owner has not answered within
 * the wait, the API says so with 202 and where to follow the request (not a 500, not the standby's 503).
 */
describe('an admin call the owner still works on', () => {
  it('is answered 202 sync_queued with the request id', () => {
    const sent: { status: number; body: unknown }[] = [];
    const res = {
      send: (status: number, body: unknown) => void sent.push({ status, body }),
      header: () => undefined,
    } as unknown as Response;
    const req = { path: () => '/api/admin/users/u1/resync' } as unknown as Request;
    sendError(res, req, silentLogger(), new SyncQueuedError('tenant', 42, 'resyncUser'));
    expect(sent).toEqual([
      {
        status: 202,
        body: {
          error: { code: 'sync_queued', message: expect.stringMatching(/works on it/) },
          requestId: expect.any(String),
          syncRequest: { id: '42', href: '/api/admin/sync-requests/42' },
        },
      },
    ]);
  });
});
