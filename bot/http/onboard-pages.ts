import type { OnboardFailure, OnboardOutcome } from '../services/onboarding';

/**
 * The plain pages a customer's admin sees at the end of onboarding: what happened and what to do, in English. Every
 * value shown is escaped; nothing Entra or the browser sent is shown except the AADSTS code (digits only).
 */
export interface Page {
  status: number;
  html: string;
}

const FAILURES: Record<OnboardFailure, { status: number; title: string; text: string }> = {
  state_missing: {
    status: 400,
    title: 'This sign-up link is incomplete',
    text:
      'The answer from Microsoft reached us without the check we sent with it, or your browser did not keep our ' +
      'cookie. Start again from the sign-up page, in the same browser, with cookies allowed for this site.',
  },
  state_unknown: {
    status: 400,
    title: 'This sign-up link is not valid',
    text:
      'It was already used, or it did not come from us. Each sign-up link works once. Start again from the ' +
      'sign-up page.',
  },
  state_expired: {
    status: 400,
    title: 'This sign-up link has expired',
    text: 'A sign-up has to be completed within 10 minutes. Start again from the sign-up page.',
  },
  state_other_browser: {
    status: 400,
    title: 'This sign-up was started in another browser',
    text: 'Finish the sign-up in the browser you started it in, or start again here.',
  },
  consent_declined: {
    status: 403,
    title: 'Consent was declined',
    text:
      'Switchboard was not given the permissions it needs, so your organisation has not been set up. If this was ' +
      'a mistake, start again and choose Accept. Only a Global Administrator (or a Privileged Role Administrator) ' +
      'can grant them.',
  },
  consent_error: {
    status: 400,
    title: 'Microsoft could not complete the consent',
    text:
      'Microsoft Entra ID answered with an error instead of a consent. The code below says which; start again, ' +
      'or give the code to your hosting provider.',
  },
  tenant_missing: {
    status: 400,
    title: 'Microsoft did not confirm the consent',
    text: 'The answer did not name your organisation. Start again from the sign-up page.',
  },
  token_refused: {
    status: 403,
    title: 'Your organisation has not granted Switchboard access',
    text:
      'Microsoft refused Switchboard access to your organisation, so the consent did not take effect (or was ' +
      'withdrawn since). Start again and have a Global Administrator accept.',
  },
  token_unavailable: {
    status: 503,
    title: 'Microsoft could not be reached',
    text:
      'We could not confirm your consent with Microsoft Entra ID just now. Your consent is kept there: start ' +
      'again in a few minutes to finish.',
  },
};

export function onboardPage(outcome: OnboardOutcome, requestId: string, startUrl: string): Page {
  if (outcome.ok)
    return {
      status: 200,
      html: page(
        'Your organisation is set up',
        `<p>Switchboard now serves your organisation (tenant <code>${escapeHtml(outcome.tenantId)}</code>).</p>
<p>Next, an admin opens the Switchboard app in Teams and links your Mitel CloudLink account on the admin page.</p>`,
      ),
    };
  const f = FAILURES[outcome.failure];
  const code = outcome.aadsts ? `<p>Error code: <code>${escapeHtml(outcome.aadsts)}</code></p>` : '';
  return {
    status: f.status,
    html: page(
      f.title,
      `<p>${escapeHtml(f.text)}</p>${code}
<p><a href="${escapeHtml(startUrl)}">Start the sign-up again</a></p>
<p>Reference for your hosting provider: <code>${escapeHtml(requestId)}</code></p>`,
    ),
  };
}

/** The page for an admin who is sent too many times: plain text, no retry loop. */
export function tooManyPage(retryAfterSeconds: number): Page {
  return {
    status: 429,
    html: page(
      'Too many attempts',
      `<p>Please wait ${escapeHtml(String(retryAfterSeconds))} seconds, then start the sign-up again.</p>`,
    ),
  };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Switchboard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em; line-height: 1.5">
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
