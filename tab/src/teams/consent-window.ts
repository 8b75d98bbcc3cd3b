import { app, authentication } from '@microsoft/teams-js';
import { isTrustedAuthority } from './token-claims';

/**
 * The two pages of Teams' authentication window used for consent. auth-start.html sends the user to Entra's
 * authorize endpoint with prompt=consent for the app's configured Graph permissions; Entra returns to
 * auth-end.html, which tells Teams how it went. The server then retries its on-behalf-of exchange.
 *
 * A random `state` goes out with the request and must come back unchanged: an answer that arrives at auth-end.html
 * without the state this window sent (a forged or replayed redirect) is refused. Both pages run in the one
 * authentication window, so sessionStorage carries the state between them and no other window can read it.
 */
const STATE_KEY = 'switchboard.consent.state';

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function start(params: URLSearchParams): Promise<void> {
  const authority = params.get('authority') ?? '';
  const clientId = params.get('clientId') ?? '';
  if (!isTrustedAuthority(authority) || !/^[0-9a-f-]{36}$/i.test(clientId)) {
    authentication.notifyFailure('invalid consent request');
    return;
  }
  const authorize = new URL(`${authority}/oauth2/v2.0/authorize`);
  authorize.searchParams.set('client_id', clientId);
  authorize.searchParams.set('response_type', 'code');
  authorize.searchParams.set('response_mode', 'query');
  authorize.searchParams.set('redirect_uri', new URL('auth-end.html', location.href).href);
  authorize.searchParams.set('scope', 'openid profile offline_access https://graph.microsoft.com/.default');
  authorize.searchParams.set('prompt', 'consent');
  const state = randomState();
  sessionStorage.setItem(STATE_KEY, state);
  authorize.searchParams.set('state', state);
  const hint = params.get('loginHint');
  if (hint) authorize.searchParams.set('login_hint', hint);
  location.assign(authorize.href);
}

function end(params: URLSearchParams): void {
  const sent = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (!sent || params.get('state') !== sent) {
    authentication.notifyFailure('The sign-in answer does not belong to this request (state mismatch).');
    return;
  }
  const error = params.get('error');
  if (error) authentication.notifyFailure(params.get('error_description') ?? error);
  else authentication.notifySuccess('consented');
}

void app.initialize().then(() => {
  const params = new URLSearchParams(location.search);
  if (location.pathname.endsWith('auth-end.html')) end(params);
  else void start(params);
});
