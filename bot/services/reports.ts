import { randomUUID } from 'node:crypto';
import type { CreateReportRequest, ReportSummary, UpdateReportRequest } from '../../shared/api/contract';
import type { Logger } from '../../shared/platform/logger';
import { reportNumber } from '../../shared/domain/report-number';
import type { ProblemReport, Store } from '../../shared/ports/store';
import { adminReportCard, questionCard } from '../conversation/cards/report-cards';
import { messagesFor } from '../conversation/messages';
import type { JobRegistry } from './jobs';
import type { Delivery, Notifier } from './notifier';
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

/** A status change as stored, and what became of the notice to the reporter. */
export interface ReportUpdate {
  report: ProblemReport;
  reporterTold: Delivery;
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
    await this.tell(report, 'admins', () =>
      this.deps.notifier.toAdmins(report.tenantId, (reader) => {
        const m = messagesFor(reader.locale);
        return {
          text: m.newReportNotice(report.reporterName, report.description.slice(0, 200)),
          card: adminReportCard(report, m),
        };
      }),
    );
    return report;
  }

  async list(tenantId: string, filter?: { reporterId?: string }): Promise<ReportSummary[]> {
    return (await this.deps.store.listReports(tenantId, filter)).map(toSummary);
  }

  /**
   * Changes the status (an admin acted) and tells the reporter; resolves the report and whether the reporter was
   * told, so the admin hears the truth. undefined when the tenant has no such report.
   */
  async update(
    tenantId: string,
    reportId: string,
    change: UpdateReportRequest,
    by: string,
  ): Promise<ReportUpdate | undefined> {
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
    const asked = change.status === 'needsInfo' && note ? note : undefined;
    const reporterTold = await this.tell(report, 'reporter', () =>
      this.deps.notifier.toUser(tenantId, report.reporterId, (reader) => {
        const m = messagesFor(reader.locale);
        const told = m.reportStatusNotice(report.description.slice(0, 80), change.status, by);
        // A question comes with a card to answer in; a plain reply in the chat reaches the report too.
        return asked
          ? { text: `${told}\n\n${m.adminAsks(asked)}`, card: questionCard(updated, asked, m) }
          : { text: told };
      }),
    );
    return { report: updated, reporterTold };
  }

  /**
   * The reporter's report that waits for their answer (an admin set it to "needs info"), newest first; undefined
   * when none does. With a report id (the answer came from that report's question card) only that one counts.
   */
  async openQuestion(reporter: Reporter, reportId?: string): Promise<ProblemReport | undefined> {
    if (reportId) {
      const report = await this.deps.store.getReport(reporter.tenantId, reportId);
      return report?.reporterId === reporter.userId && report.status === 'needsInfo' ? report : undefined;
    }
    const waiting = await this.deps.store.listReports(reporter.tenantId, {
      reporterId: reporter.userId,
      status: 'needsInfo',
    });
    return waiting.sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  /**
   * The reporter's answer to an admin's question: a note from them on the report, which goes back to
   * "acknowledged" (the admin has what they asked for), and a notice to the admins with the updated report.
   */
  async answer(reporter: Reporter, report: ProblemReport, text: string): Promise<ProblemReport | undefined> {
    const now = this.deps.now();
    const note = stripSecrets(text.trim()).slice(0, 4000);
    const updated: ProblemReport = {
      ...report,
      status: 'acknowledged',
      updatedAt: now,
      history: [...report.history, { at: now, by: reporter.displayName, status: 'acknowledged', note }],
    };
    if (!(await this.deps.store.updateReport(updated))) return undefined;
    this.deps.logger.info(
      { tenantId: report.tenantId, reportId: report.reportId },
      'reporter answered an admin question',
    );
    await this.tell(report, 'admins', () =>
      this.deps.notifier.toAdmins(report.tenantId, (reader) => {
        const m = messagesFor(reader.locale);
        return {
          text: m.replyNotice(reporter.displayName, reportNumber(report.reportId), note.slice(0, 200)),
          card: adminReportCard(updated, m),
        };
      }),
    );
    return updated;
  }

  /**
   * Notification failures must never fail the report itself: it is stored and visible in the admin page anyway. A
   * failed send was logged by the notifier; only what it could not say is logged here.
   */
  private async tell(
    report: { tenantId: string; reportId: string },
    to: 'admins' | 'reporter',
    send: () => Promise<Delivery>,
  ): Promise<Delivery> {
    const about = { tenantId: report.tenantId, reportId: report.reportId };
    try {
      const delivery = await send();
      if (delivery === 'noConversation' && to === 'admins')
        // No admin channel or chat was chosen: every problem report of the tenant reaches no admin until one is.
        this.deps.logger.warn(
          { ...about, event: 'report.noAdminChannel' },
          'report notice reached no admin: no admin channel set (send "admin notices here" in one)',
        );
      else if (delivery === 'noConversation')
        // The admin who changed the report is told so in their reply; this line is for the record.
        this.deps.logger.info(
          { ...about, event: 'report.reporterNoChat' },
          'report notice not delivered: the reporter has no chat with the bot',
        );
      return delivery;
    } catch (e) {
      this.deps.logger.warn({ ...about, err: e, event: 'report.noticeFailed', to }, 'report notice failed');
      return 'failed';
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
