import type { Request, Response, Server } from 'restify';
import { isLoopback } from '../../shared/config/schema';
import type { Logger } from '../../shared/platform/logger';
import { ONBOARD_CALLBACK_PATH, ONBOARD_PATH, type Onboarding } from '../services/onboarding';
import { onboardPage, tooManyPage, type Page } from './onboard-pages';
import type { CallerThrottle } from './rate-limit';
import { queryOf, requestIdOf } from './route';

/** The cookie that binds a consent round trip to the browser that started it. */
export const ONBOARD_COOKIE = 'switchboard_onboard';

export interface OnboardRouteDeps {
  onboarding: Onboarding;
  logger: Logger;
  /** Strict and per client address: these routes are open to anyone and each one writes to the store or asks Entra. */
  limiter: CallerThrottle;
  publicBaseUrl: string;
}

/**
 * GET /onboard sends a customer's admin to Entra's admin consent; GET /onboard/callback is where Entra sends them
 * back. Both answer plain HTML pages (never JSON: a person reads them), with no caching and no referrer, so the
 * state in the callback's address goes nowhere else.
 */
export function mountOnboardRoutes(server: Server, deps: OnboardRouteDeps): void {
  const secure = !isLoopbackHttp(deps.publicBaseUrl);
  const startUrl = `${deps.publicBaseUrl}${ONBOARD_PATH}`;

  server.get(ONBOARD_PATH, async (req: Request, res: Response) => {
    if (!allowed(deps, req, res)) return;
    try {
      const { location, browserToken, maxAgeSeconds } = await deps.onboarding.begin();
      res.setHeader('Set-Cookie', cookie(browserToken, maxAgeSeconds, secure));
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Location', location);
      res.send(302);
    } catch (e) {
      failed(deps, req, res, e);
    }
  });

  server.get(ONBOARD_CALLBACK_PATH, async (req: Request, res: Response) => {
    if (!allowed(deps, req, res)) return;
    try {
      const requestId = requestIdOf(req);
      const outcome = await deps.onboarding.complete(queryOf(req), cookieOf(req, ONBOARD_COOKIE), requestId);
      // The cookie has done its one job.
      res.setHeader('Set-Cookie', cookie('', 0, secure));
      sendPage(res, requestId, onboardPage(outcome, requestId, startUrl));
    } catch (e) {
      failed(deps, req, res, e);
    }
  });
}

function allowed(deps: OnboardRouteDeps, req: Request, res: Response): boolean {
  const taken = deps.limiter.take(`onboard:${req.socket.remoteAddress ?? 'unknown'}`);
  if (taken.ok) return true;
  res.setHeader('Retry-After', String(taken.retryAfterSeconds));
  sendPage(res, requestIdOf(req), tooManyPage(taken.retryAfterSeconds));
  return false;
}

function failed(deps: OnboardRouteDeps, req: Request, res: Response, e: unknown): void {
  const requestId = requestIdOf(req);
  deps.logger.error(
    { err: e, event: 'tenant.onboard_failed', code: 'internal_error', correlationId: requestId },
    'onboarding request failed',
  );
  sendPage(res, requestId, {
    status: 500,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong - Switchboard</title></head><body><h1>Something went wrong on our side</h1><p>Try again in a few minutes. Reference: <code>${requestId.replace(/[^0-9a-f-]/gi, '')}</code></p></body></html>`,
  });
}

function sendPage(res: Response, requestId: string, page: Page): void {
  res.setHeader('x-request-id', requestId);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  );
  res.sendRaw(page.status, page.html);
}

/** SameSite=Lax: Entra's redirect back is a top-level GET, which Lax cookies go along with. */
function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${ONBOARD_COOKIE}=${value}`,
    `Max-Age=${maxAgeSeconds}`,
    `Path=${ONBOARD_PATH}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Browsers keep Secure cookies from https pages only; loopback http is development. */
function isLoopbackHttp(publicBaseUrl: string): boolean {
  const url = new URL(publicBaseUrl);
  return url.protocol === 'http:' && isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
}
