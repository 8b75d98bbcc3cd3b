import { randomUUID } from 'node:crypto';
import type { CheckStep, CheckStepId, CodedText } from '../../shared/api/contract';
import { english, said } from '../../shared/api/texts/english';
import type { CloudLinkPort } from '../../shared/ports/cloudlink';
import type { GraphPort } from '../../shared/ports/graph';
import type { Store } from '../../shared/ports/store';
import { CLOUDLINK_CREDENTIALS_REFUSED, CloudLinkError } from '../../shared/ports/cloudlink';
import { SignInError } from '../../shared/ports/sign-in';
import { signInFix } from '../../shared/sync/errors';
import { monitorProblemFromStore } from '../../shared/sync/monitor-problem';
import { calendarDaysUntil } from '../../shared/domain/expiry';
import { conversationKey } from './notifier';
import { EXPIRY_WARNING_MS } from './notices';
import { refusedSecret } from './secret-text';

/** Where Graph posts change notifications, under PUBLIC_BASE_URL (the sync's subscriptions name it, tenant-runtime.ts). */
export const GRAPH_NOTIFICATION_PATH = '/api/notifications/graph';

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
  /**
   * Where a missed-call notice's "Open call history" leads: the Calls tab in Teams (TEAMS_APP_ID set), the demo's
   * host page, or the tab's web address, which outside Teams only says to open Teams.
   */
  callHistoryLink?: 'teams' | 'demoHost' | 'webAddress';
}

type StepOutcome = Pick<CheckStep, 'state' | 'detail' | 'fix' | 'detailText' | 'fixText'>;
type StepRun = () => Promise<StepOutcome>;

/**
 * A step's result: a detail of ours is coded (the tab words it in the admin's language) with its English beside it;
 * a detail that is a provider's or runtime's own words is a plain string, shown as it came.
 */
function outcome(state: CheckStep['state'], detail?: CodedText | string, fix?: CodedText): StepOutcome {
  return {
    state,
    ...(typeof detail === 'string' && { detail }),
    ...(typeof detail === 'object' && { detail: english(detail), detailText: detail }),
    ...(fix && { fix: english(fix), fixText: fix }),
  };
}

/**
 * The admin's configuration check: each step says what it tested, and a failing one names the fix. Steps run in
 * order and report progress after each, so the admin page shows them ticking off.
 */
export async function runConfigurationCheck(
  deps: ConfigCheckDeps,
  progress: (steps: CheckStep[]) => void,
): Promise<CheckStep[]> {
  const plan: [CheckStepId, string, StepRun][] = [
    ['token', 'Switchboard gets a token from Entra ID', () => tokenStep(deps)],
    ['permissions', 'Graph permissions are granted and consented', () => permissionsStep(deps)],
    ['monitors', 'Presence monitors are healthy', () => monitorsStep(deps)],
    ['subscriptions', 'Presence subscriptions are alive', () => subscriptionsStep(deps)],
    ['notificationUrl', 'The notification URL answers', () => notificationUrlStep(deps)],
    ['cloudlink', 'CloudLink is reachable with the stored credentials', () => cloudlinkStep(deps)],
    // A neutral title: the state says whether it is fine, the detail says what it means (a title that states the
    // good outcome read as its opposite next to a warning).
    ['secretExpiry', 'Client secret expiry', () => secretStep(deps)],
    ['adminNotices', 'Admin notices have a channel', () => adminNoticesStep(deps)],
    ['callHistoryLink', 'Missed-call notices open the call history', () => callHistoryLinkStep(deps)],
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
      Object.assign(step, outcome('failed', message(e), said('check.fix.unexpected')));
    }
    progress(steps);
  }
  return steps;
}

async function tokenStep(deps: ConfigCheckDeps) {
  try {
    await deps.getAppToken();
    return outcome('passed');
  } catch (e) {
    if (e instanceof SignInError && e.refusal === 'appCredentials')
      return outcome(
        'failed',
        refusedSecret('Entra', deps.savedAt?.().entra ?? null, e.code),
        signInFix('appCredentials'),
      );
    return outcome(
      'failed',
      message(e),
      e instanceof SignInError && e.refusal ? signInFix(e.refusal) : said('check.fix.entraNoAnswer'),
    );
  }
}

async function permissionsStep(deps: ConfigCheckDeps) {
  const users = await deps.store.listUsers(deps.tenantId);
  try {
    const first = users[0];
    if (first) await deps.graph.getPresencesByUserId([first.entraUserId]);
    else await deps.graph.findUser('00000000-0000-0000-0000-000000000000');
    return outcome('passed', first ? undefined : said('check.noUsersYet'));
  } catch (e) {
    return outcome('failed', message(e), said('check.fix.permissions'));
  }
}

async function monitorsStep(deps: ConfigCheckDeps) {
  const monitors = (await deps.store.listMonitors(deps.tenantId)).filter((m) => m.state !== 'deleted');
  const needed = deps.monitorsNeeded();
  if (deps.syncMode === 'polling') return outcome('skipped', said('check.pollingNoMonitors'));
  if (monitors.length === 0) return outcome('failed', said('check.noMonitor'), said('check.fix.addMonitor'));
  const broken = monitors.filter((m) => m.state === 'failed' || m.state === 'updateRequired');
  if (broken.length > 0) {
    // Each monitor's account, state and stored problem as they are: names and evidence, not a sentence of ours.
    const list = broken
      .map((m) => {
        const problem = monitorProblemFromStore(m.lastError);
        return `${m.username}: ${m.state}${problem ? ` (${problem.english})` : ''}`;
      })
      .join('; ');
    return outcome('failed', said('check.monitorsBroken', { list }), said('check.fix.reauthorizeMonitors'));
  }
  if (monitors.length < needed)
    return outcome(
      'warning',
      said('check.monitorsTooFew', { count: monitors.length, needed }),
      said('check.fix.addMonitors'),
    );
  return outcome('passed', said('check.monitorCount', { count: monitors.length }));
}

async function subscriptionsStep(deps: ConfigCheckDeps) {
  if (deps.syncMode === 'polling') return outcome('skipped', said('check.pollingNoSubscriptions'));
  const now = deps.now();
  const monitors = (await deps.store.listMonitors(deps.tenantId)).filter(
    (m) => m.state !== 'deleted' && m.userIds.length > 0,
  );
  const dead = monitors.filter((m) => !m.subscriptionId || (m.subscriptionExpiresAt ?? 0) <= now);
  if (dead.length > 0)
    return outcome(
      'failed',
      said('check.subscriptionsDead', { count: dead.length, names: dead.map((m) => m.username).join(', ') }),
      said('check.fix.subscriptions'),
    );
  return outcome('passed', said('check.subscriptionsAlive', { count: monitors.length }));
}

/**
 * Does what Graph does when a subscription is created: posts a validation token to the notification URL and wants it
 * back as text within 10 seconds. A health page answering says nothing of a proxy or sign-in page in front of the
 * webhook path, which is what breaks subscriptions.
 */
export async function notificationUrlStep(
  deps: Pick<ConfigCheckDeps, 'publicBaseUrl' | 'allowHttpPublicUrl'>,
) {
  const url = `${deps.publicBaseUrl}${GRAPH_NOTIFICATION_PATH}`;
  if (!url.startsWith('https://') && !deps.allowHttpPublicUrl)
    return outcome('failed', said('check.notHttps', { url: deps.publicBaseUrl }), said('check.fix.httpsUrl'));
  const token = `switchboard-check-${randomUUID()}`;
  try {
    const res = await fetch(`${url}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    });
    const echoed = res.ok && (await res.text()) === token;
    if (echoed) return outcome('passed', url);
    if (res.ok) return outcome('failed', said('check.urlNoEcho', { url }), said('check.fix.publicUrl'));
    return outcome(
      'failed',
      said('check.urlAnswered', { url, status: res.status }),
      said('check.fix.publicUrl'),
    );
  } catch (e) {
    return outcome(
      'failed',
      said('check.urlFailed', { url, detail: message(e) }),
      said('check.fix.publicUrl'),
    );
  }
}

async function cloudlinkStep(deps: ConfigCheckDeps) {
  try {
    const users = await deps.cloudlink.listUsers();
    return outcome('passed', said('check.phoneUsersFound', { count: users.length }));
  } catch (e) {
    if (e instanceof CloudLinkError && e.code === CLOUDLINK_CREDENTIALS_REFUSED)
      return outcome(
        'failed',
        refusedSecret('CloudLink', deps.savedAt?.().cloudlink ?? null, `HTTP ${e.status}`),
        said('check.fix.cloudlinkSecret'),
      );
    return outcome('failed', message(e), said('check.fix.cloudlinkAccount'));
  }
}

export async function secretStep(deps: Pick<ConfigCheckDeps, 'store' | 'tenantId' | 'now'>) {
  const expiresAt = (await deps.store.getTenant(deps.tenantId))?.clientSecretExpiresAt ?? null;
  const now = deps.now();
  const fix = said('check.fix.newSecret');
  if (expiresAt === null)
    return outcome('warning', said('check.secretExpiryUnknown'), said('check.fix.enterExpiry'));
  const date = { date: new Date(expiresAt).toISOString() };
  if (expiresAt <= now) return outcome('failed', said('check.secretExpired', { date }), fix);
  const days = calendarDaysUntil(expiresAt, now);
  if (expiresAt - now <= EXPIRY_WARNING_MS)
    return outcome(
      'warning',
      days <= 0
        ? said('check.secretExpiresToday', { date })
        : days === 1
          ? said('check.secretExpiresInOneDay', { date })
          : said('check.secretExpiresInDays', { date, days }),
      fix,
    );
  return outcome('passed', said('check.secretValid', { date, days }));
}

/** Problem reports and expiry warnings go to the admins' conversation; without one they reach nobody. */
export async function adminNoticesStep(deps: ConfigCheckDeps) {
  const admins = await deps.store.getConversation(deps.tenantId, conversationKey.admins);
  if (admins) return outcome('passed', said('check.adminNotices'));
  return outcome('warning', said('check.noAdminNotices'), said('check.fix.adminNotices'));
}

export async function callHistoryLinkStep(deps: ConfigCheckDeps) {
  if (deps.callHistoryLink === 'teams') return outcome('passed', said('check.callHistoryDeepLink'));
  if (deps.callHistoryLink === 'demoHost') return outcome('skipped', said('check.callHistoryDemoHost'));
  return outcome('warning', said('check.callHistoryWebAddress'), said('check.fix.teamsAppId'));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One line for the job's summary: failures first, then warnings, so "passed" never hides an expiring secret. */
export function summarizeCheck(steps: Pick<CheckStep, 'state'>[]): CodedText {
  const failed = steps.filter((s) => s.state === 'failed').length;
  const warnings = steps.filter((s) => s.state === 'warning').length;
  const total = steps.length;
  if (failed > 0) {
    if (warnings === 0) return said('check.summary.failed', { failed, total });
    return warnings === 1
      ? said('check.summary.failedAndOneWarning', { failed, total })
      : said('check.summary.failedAndWarnings', { failed, total, warnings });
  }
  if (warnings === 0) return said('check.summary.allPassed');
  return warnings === 1 ? said('check.summary.oneWarning') : said('check.summary.warnings', { warnings });
}
