import type { CheckStep } from '../../shared/api/contract';
import type { CloudLinkPort } from '../../shared/ports/cloudlink';
import type { GraphPort } from '../../shared/ports/graph';
import type { Store } from '../../shared/ports/store';
import { CLOUDLINK_CREDENTIALS_REFUSED, CloudLinkError } from '../../shared/ports/cloudlink';
import { SignInError } from '../../shared/ports/sign-in';
import { SIGN_IN_FIXES } from '../../shared/sync/errors';
import { EXPIRY_WARNING_MS } from './notices';
import { refusedSecretText } from './secret-text';

export interface ConfigCheckDeps {
  tenantId: string;
  store: Store;
  graph: GraphPort;
  cloudlink: CloudLinkPort;
  getAppToken: () => Promise<string>;
  /** Where Graph and CloudLink post notifications; must answer from outside. */
  publicBaseUrl: string;
  syncMode: 'hybrid' | 'notifications' | 'polling';
  now: () => number;
  /** Synced users per monitor needed (ceil(users / 650)), from the sync service. */
  monitorsNeeded: () => number;
  /** When the secrets in use were saved (epoch ms), so a refusal can say which one failed. */
  savedAt?: () => { entra: number | null; cloudlink: number | null };
  /** Loopback development may run on http (ALLOW_HTTP_PUBLIC_BASE_URL); Graph itself delivers to https only. */
  allowHttpPublicUrl?: boolean;
}

type StepRun = () => Promise<Pick<CheckStep, 'state' | 'detail' | 'fix'>>;

/**
 * The admin's configuration check: each step says what it tested, and a failing one names the fix. Steps run in
 * order and report progress after each, so the admin page shows them ticking off.
 */
export async function runConfigurationCheck(
  deps: ConfigCheckDeps,
  progress: (steps: CheckStep[]) => void,
): Promise<CheckStep[]> {
  const plan: [string, string, StepRun][] = [
    ['token', 'Switchboard gets a token from Entra ID', () => tokenStep(deps)],
    ['permissions', 'Graph permissions are granted and consented', () => permissionsStep(deps)],
    ['monitors', 'Presence monitors are healthy', () => monitorsStep(deps)],
    ['subscriptions', 'Presence subscriptions are alive', () => subscriptionsStep(deps)],
    ['notificationUrl', 'The notification URL answers', () => notificationUrlStep(deps)],
    ['cloudlink', 'CloudLink is reachable with the stored credentials', () => cloudlinkStep(deps)],
    // A neutral title: the state says whether it is fine, the detail says what it means (a title that states the
    // good outcome read as its opposite next to a warning).
    ['secretExpiry', 'Client secret expiry', () => secretStep(deps)],
  ];
  const steps: CheckStep[] = plan.map(([id, title]) => ({ id, title, state: 'pending' }));
  progress(steps);
  for (const [i, [, , run]] of plan.entries()) {
    const step = steps[i] as CheckStep;
    step.state = 'running';
    progress(steps);
    try {
      Object.assign(step, await run());
    } catch (e) {
      Object.assign(step, {
        state: 'failed',
        detail: e instanceof Error ? e.message : String(e),
        fix: 'Unexpected failure; run the check again, and report it if it repeats.',
      });
    }
    progress(steps);
  }
  return steps;
}

async function tokenStep(deps: ConfigCheckDeps) {
  try {
    await deps.getAppToken();
    return { state: 'passed' as const };
  } catch (e) {
    if (e instanceof SignInError && e.refusal === 'appCredentials')
      return {
        state: 'failed' as const,
        detail: refusedSecretText('Entra', deps.savedAt?.().entra ?? null, e.code),
        fix: SIGN_IN_FIXES.appCredentials,
      };
    return {
      state: 'failed' as const,
      detail: message(e),
      fix:
        e instanceof SignInError && e.refusal
          ? SIGN_IN_FIXES[e.refusal]
          : 'Entra ID did not answer: check that this server reaches login.microsoftonline.com (AUTHORITY_HOST), then run the check again.',
    };
  }
}

async function permissionsStep(deps: ConfigCheckDeps) {
  const users = await deps.store.listUsers(deps.tenantId);
  try {
    const first = users[0];
    if (first) await deps.graph.getPresencesByUserId([first.entraUserId]);
    else await deps.graph.findUser('00000000-0000-0000-0000-000000000000');
    return {
      state: 'passed' as const,
      detail: first ? undefined : 'No users matched yet, so presence access was not tried.',
    };
  } catch (e) {
    return {
      state: 'failed' as const,
      detail: message(e),
      fix: 'In Entra ID > App registrations > API permissions, add the application permissions Presence.ReadWrite.All and User.Read.All and grant admin consent.',
    };
  }
}

async function monitorsStep(deps: ConfigCheckDeps) {
  const monitors = (await deps.store.listMonitors(deps.tenantId)).filter((m) => m.state !== 'deleted');
  const needed = deps.monitorsNeeded();
  if (deps.syncMode === 'polling')
    return { state: 'skipped' as const, detail: 'Polling mode reads presence without monitors.' };
  if (monitors.length === 0)
    return {
      state: 'failed' as const,
      detail: 'No presence monitor is configured.',
      fix: 'Add a presence monitor account (a user without MFA) on the Monitors page.',
    };
  const broken = monitors.filter((m) => m.state === 'failed' || m.state === 'updateRequired');
  if (broken.length > 0) {
    return {
      state: 'failed' as const,
      detail: broken
        .map((m) => `${m.username}: ${m.state}${m.lastError ? ` (${m.lastError})` : ''}`)
        .join('; '),
      fix: 'Authorize each listed monitor again; if its password changed, delete it and add it with the new password.',
    };
  }
  if (monitors.length < needed)
    return {
      state: 'warning' as const,
      detail: `${monitors.length} monitors for ${needed} needed (650 users each).`,
      fix: 'Add presence monitor accounts until there are enough.',
    };
  return { state: 'passed' as const, detail: `${monitors.length} monitor(s).` };
}

async function subscriptionsStep(deps: ConfigCheckDeps) {
  if (deps.syncMode === 'polling')
    return { state: 'skipped' as const, detail: 'Polling mode uses no subscriptions.' };
  const now = deps.now();
  const monitors = (await deps.store.listMonitors(deps.tenantId)).filter(
    (m) => m.state !== 'deleted' && m.userIds.length > 0,
  );
  const dead = monitors.filter((m) => !m.subscriptionId || (m.subscriptionExpiresAt ?? 0) <= now);
  if (dead.length > 0)
    return {
      state: 'failed' as const,
      detail: `${dead.length} subscription(s) missing or expired: ${dead.map((m) => m.username).join(', ')}.`,
      fix: 'Authorize the monitors again; check that the notification URL is reachable from the internet.',
    };
  return { state: 'passed' as const, detail: `${monitors.length} subscription(s) alive.` };
}

async function notificationUrlStep(deps: ConfigCheckDeps) {
  const url = `${deps.publicBaseUrl}/healthz`;
  if (!url.startsWith('https://') && !deps.allowHttpPublicUrl)
    return {
      state: 'failed' as const,
      detail: `${deps.publicBaseUrl} is not https: Microsoft Graph delivers change notifications to https URLs only.`,
      fix: 'Set PUBLIC_BASE_URL to the https address of this server (behind a reverse proxy that terminates TLS).',
    };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (res.ok) return { state: 'passed' as const, detail: url };
    return {
      state: 'failed' as const,
      detail: `${url} answered ${res.status}.`,
      fix: 'PUBLIC_BASE_URL must point at this server over HTTPS, reachable from Microsoft Graph and CloudLink.',
    };
  } catch (e) {
    return {
      state: 'failed' as const,
      detail: `${url}: ${message(e)}`,
      fix: 'PUBLIC_BASE_URL must point at this server over HTTPS, reachable from Microsoft Graph and CloudLink.',
    };
  }
}

async function cloudlinkStep(deps: ConfigCheckDeps) {
  try {
    const users = await deps.cloudlink.listUsers();
    return { state: 'passed' as const, detail: `${users.length} phone users found.` };
  } catch (e) {
    if (e instanceof CloudLinkError && e.code === CLOUDLINK_CREDENTIALS_REFUSED)
      return {
        state: 'failed' as const,
        detail: refusedSecretText('CloudLink', deps.savedAt?.().cloudlink ?? null, `HTTP ${e.status}`),
        fix: 'Create a new client secret for the CloudLink client in the Mitel administration portal and save it on the tenant link page.',
      };
    return {
      state: 'failed' as const,
      detail: message(e),
      fix: 'Check the CloudLink account id, client id and secret on the tenant link, and that the account has API access.',
    };
  }
}

export async function secretStep(deps: Pick<ConfigCheckDeps, 'store' | 'tenantId' | 'now'>) {
  const expiresAt = (await deps.store.getTenant(deps.tenantId))?.clientSecretExpiresAt ?? null;
  const now = deps.now();
  const fix = 'Create a new client secret in Entra ID, enter it and its expiry date on the tenant link.';
  if (expiresAt === null)
    return {
      state: 'warning' as const,
      detail:
        'The expiry date of the client secret is not known, so Switchboard cannot warn before it expires.',
      fix: 'Enter the date the client secret expires on the tenant link, so Switchboard can warn in time.',
    };
  const date = new Date(expiresAt).toISOString().slice(0, 10);
  if (expiresAt <= now)
    return {
      state: 'failed' as const,
      detail: `The client secret expired on ${date}: Switchboard cannot sign in, so sync has stopped.`,
      fix,
    };
  const days = Math.ceil((expiresAt - now) / 86_400_000);
  if (expiresAt - now <= EXPIRY_WARNING_MS)
    return {
      state: 'warning' as const,
      detail: `The client secret expires on ${date}, in ${days} day${days === 1 ? '' : 's'}: sync stops then unless it is replaced.`,
      fix,
    };
  return {
    state: 'passed' as const,
    detail: `The client secret is valid until ${date} (${days} days from now); nothing to do yet.`,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One line for the job's summary: failures first, then warnings, so "passed" never hides an expiring secret. */
export function summarizeCheck(steps: Pick<CheckStep, 'state'>[]): string {
  const failed = steps.filter((s) => s.state === 'failed').length;
  const warnings = steps.filter((s) => s.state === 'warning').length;
  const warned = warnings === 1 ? '1 warning' : `${warnings} warnings`;
  if (failed > 0) {
    return `${failed} of ${steps.length} checks failed; each names its fix.${warnings ? ` Also ${warned}.` : ''}`;
  }
  return warnings
    ? `No check failed, but ${warnings === 1 ? '1 step needs' : `${warnings} steps need`} attention: see the steps marked so, with their fix.`
    : 'All checks passed.';
}
