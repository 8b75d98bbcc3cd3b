import { randomUUID } from 'node:crypto';
import type { CreateReportRequest, ReportSummary, UpdateReportRequest } from '../../shared/api/contract';
import type { Logger } from '../../shared/platform/logger';
import type { ProblemReport, Store } from '../../shared/ports/store';
import { adminReportCard, STATUS_WORDS } from '../cards/report-cards';
import type { JobRegistry } from './jobs';
import type { Notifier } from './notifier';
import { stripSecrets } from './strip-secrets';
import type { SyncFacade } from './sync-facade';

export interface Reporter {
  tenantId: string;
  userId: string;
  displayName: string;
}

export interface ReportContext {
  source: 'bot' | 'tab';
  client: CreateReportRequest['client'];
  /** Ids that tie this report to log lines: the HTTP request id or the bot activity id. */
  correlationIds: string[];
}

export interface ReportServiceDeps {
  store: Store;
  sync: SyncFacade;
  jobs: JobRegistry;
  notifier: Notifier;
  logger: Logger;
  appVersion: string;
  now: () => number;
}

const TRACE_IN_REPORT = 30;

/**
 * Problem reports from the bot or the tab: stored with the user's words and, if they agree, diagnostics gathered
 * here (never typed by the user), scrubbed of secrets; admins are told at once and the reporter on every change.
 */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /** Exactly what a report would attach, so the user can see it before sending. */
  async diagnostics(reporter: Reporter, context: ReportContext): Promise<Record<string, unknown>> {
    const { store, sync, jobs, appVersion } = this.deps;
    const [status, trace, user] = await Promise.all([
      sync.status(reporter.tenantId, reporter.userId).catch((e: unknown) => ({ unavailable: String(e) })),
      store.listTrace(reporter.tenantId, reporter.userId, TRACE_IN_REPORT),
      store.getUser(reporter.tenantId, reporter.userId),
    ]);
    const check = await jobs.latest(reporter.tenantId, 'configurationCheck');
    return stripSecrets({
      client: context.client,
      appVersion,
      source: context.source,
      user: user
        ? {
            entraUserId: user.entraUserId,
            upn: user.upn,
            pbxPrincipalId: user.pbxPrincipalId,
            extension: user.extension,
            selected: user.selected,
          }
        : { entraUserId: reporter.userId, known: false },
      syncState: status,
      trace: trace.map((t) => ({ at: new Date(t.at).toISOString(), kind: t.kind, detail: t.detail })),
      configurationCheck: check
        ? {
            at: check.finishedAt ?? check.startedAt,
            state: check.state,
            summary: check.summary ?? null,
            failed: (check.steps ?? []).filter((s) => s.state === 'failed').map((s) => s.id),
          }
        : 'not run since the server started',
      correlationIds: context.correlationIds,
    });
  }

  async create(
    reporter: Reporter,
    request: Omit<CreateReportRequest, 'client'>,
    context: ReportContext,
  ): Promise<ProblemReport> {
    const now = this.deps.now();
    const report: ProblemReport = {
      tenantId: reporter.tenantId,
      reportId: randomUUID(),
      reporterId: reporter.userId,
      reporterName: reporter.displayName,
      category: request.category,
      // A user may paste a token or password into the description by mistake; it must not reach the admin channel.
      description: stripSecrets(request.description),
      source: context.source,
      diagnostics: request.includeDiagnostics ? await this.diagnostics(reporter, context) : null,
      status: 'new',
      history: [{ at: now, by: reporter.displayName, status: 'new' }],
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.createReport(report);
    await this.tell(() =>
      this.deps.notifier.toAdmins(report.tenantId, {
        text: `New problem report from ${report.reporterName}: ${report.description.slice(0, 200)}`,
        card: adminReportCard(report),
      }),
    );
    return report;
  }

  async list(tenantId: string, filter?: { reporterId?: string }): Promise<ReportSummary[]> {
    return (await this.deps.store.listReports(tenantId, filter)).map(toSummary);
  }

  /** Changes the status (an admin acted); tells the reporter. undefined when the tenant has no such report. */
  async update(
    tenantId: string,
    reportId: string,
    change: UpdateReportRequest,
    by: string,
  ): Promise<ProblemReport | undefined> {
    const report = await this.deps.store.getReport(tenantId, reportId);
    if (!report) return undefined;
    const now = this.deps.now();
    const note = change.note === undefined ? undefined : stripSecrets(change.note);
    const updated: ProblemReport = {
      ...report,
      status: change.status,
      updatedAt: now,
      history: [...report.history, { at: now, by, status: change.status, ...(note ? { note } : {}) }],
    };
    if (!(await this.deps.store.updateReport(updated))) return undefined;
    const question =
      change.status === 'needsInfo' && note
        ? `\n\nThe admin asks: ${note}\nReply here or send a new report with the details.`
        : '';
    await this.tell(() =>
      this.deps.notifier.toUser(tenantId, report.reporterId, {
        text: `Your problem report "${report.description.slice(0, 80)}" is now ${STATUS_WORDS[change.status]} (by ${by}).${question}`,
      }),
    );
    return updated;
  }

  /** Notification failures must never fail the report itself: it is stored and visible in the admin page anyway. */
  private async tell(send: () => Promise<boolean>): Promise<void> {
    try {
      if (!(await send()))
        this.deps.logger.info('report notice not delivered: no conversation reference stored');
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'report notice failed');
    }
  }
}

export function toSummary(r: ProblemReport): ReportSummary {
  return {
    reportId: r.reportId,
    category: r.category as ReportSummary['category'],
    description: r.description,
    status: r.status,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    reporterName: r.reporterName,
    source: r.source,
    history: r.history.map((h) => ({
      at: new Date(h.at).toISOString(),
      by: h.by,
      status: h.status,
      ...(h.note ? { note: h.note } : {}),
    })),
  };
}
