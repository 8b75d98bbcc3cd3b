import {
  Badge,
  Button,
  Field,
  Input,
  mergeClasses,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ReportCategory, ReportStatus, ReportSummary } from '../../../../shared/api/contract';
import { reportNumber } from '../../../../shared/domain/report-number';
import { useEnv } from '../../app/env';
import { useT, type MessageKey, type Translate } from '../../i18n';
import { dateTime } from '../history/format';
import { statusLabel } from '../report/ReportPage';
import { ErrorBar, Heading, Json, useAdminStyles, useAdminT, useLoad } from './common';
import { useTableStyles } from './table-styles';

const STATUSES: ReportStatus[] = ['new', 'acknowledged', 'needsInfo', 'resolved'];
const CATEGORY_LABEL: Record<ReportCategory, MessageKey> = {
  presence: 'catPresence',
  callHistory: 'catCallHistory',
  clickToCall: 'catClickToCall',
  signIn: 'catSignIn',
  other: 'catOther',
};
/** The category in the words the reporter chose it by; an unknown key (an older or newer client) as it came. */
export const categoryLabel = (t: Translate, c: string) =>
  c in CATEGORY_LABEL ? t(CATEGORY_LABEL[c as ReportCategory]) : c;

/** Triage: every report of the tenant, newest first; one opens with its diagnostics, history and a status change. */
export function ReportsSection() {
  const at = useAdminT();
  const t = useT();
  const env = useEnv();
  const s = useAdminStyles();
  const ts = useTableStyles();
  const [filter, setFilter] = useState<ReportStatus | ''>('');
  const [openId, setOpenId] = useState<string | null>(null);
  const reports = useLoad(() => env.api.admin.reports(filter || undefined));
  const [prevFilter, setPrevFilter] = useState(filter);
  if (prevFilter !== filter) {
    setPrevFilter(filter);
    void reports.reload();
  }
  const when = (iso: string) => dateTime(iso, env.timeZone, env.locale) ?? '';
  const open = reports.data?.items.find((r) => r.reportId === openId);
  if (open)
    return <ReportDetail report={open} onBack={() => setOpenId(null)} onChanged={() => reports.reload()} />;
  return (
    <section className={s.section} aria-label={at('secReports')}>
      <Heading>{at('secReports')}</Heading>
      <Field label={at('repStatusFilter')} style={{ maxWidth: 240 }}>
        <Select value={filter} onChange={(_e, d) => setFilter(d.value as ReportStatus | '')}>
          <option value="">{at('repAll')}</option>
          {STATUSES.map((st) => (
            <option key={st} value={st}>
              {statusLabel(t, st)}
            </option>
          ))}
        </Select>
      </Field>
      <ErrorBar error={reports.error} retry={reports.reload} />
      {reports.data ? (
        reports.data.items.length === 0 ? (
          <Text>{at('repNone')}</Text>
        ) : (
          <div className={ts.wrap}>
            <Table
              size="small"
              aria-label={at('secReports')}
              data-testid="admin-reports"
              className={ts.table}
            >
              <TableHeader className={ts.head}>
                <TableRow>
                  <TableHeaderCell>{at('repNumber', { number: '' }).trim()}</TableHeaderCell>
                  <TableHeaderCell>{at('repFrom')}</TableHeaderCell>
                  <TableHeaderCell>{at('repCategory')}</TableHeaderCell>
                  <TableHeaderCell>{at('repCreated')}</TableHeaderCell>
                  <TableHeaderCell>{at('repStatusFilter')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody className={ts.body}>
                {reports.data.items.map((r) => (
                  <TableRow key={r.reportId} className={ts.row} data-testid="report-row">
                    <TableCell className={ts.cell} data-label={at('repNumber', { number: '' }).trim()}>
                      <div>
                        <Button
                          appearance="transparent"
                          size="small"
                          onClick={() => setOpenId(r.reportId)}
                          aria-label={at('repOpen', { number: reportNumber(r.reportId) })}
                        >
                          <Text weight="semibold">{reportNumber(r.reportId)}</Text>
                        </Button>
                        <div className={mergeClasses(ts.clamp, ts.prose)} title={r.description}>
                          {r.description}
                        </div>
                      </div>
                    </TableCell>
                    <TableCell className={mergeClasses(ts.cell, ts.words)} data-label={at('repFrom')}>
                      {r.reporterName} ({at(`repSource_${r.source}`)})
                    </TableCell>
                    <TableCell className={mergeClasses(ts.cell, ts.words)} data-label={at('repCategory')}>
                      {categoryLabel(t, r.category)}
                    </TableCell>
                    <TableCell className={mergeClasses(ts.cell, ts.words)} data-label={at('repCreated')}>
                      {when(r.createdAt)}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('repStatusFilter')}>
                      <span className={ts.nowrap}>
                        <Badge appearance="tint">{statusLabel(t, r.status)}</Badge>
                      </span>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )
      ) : null}
    </section>
  );
}

/** One report as the admin triages it: what happened, the attached diagnostics, what was said, and a status change. */
function ReportDetail(props: { report: ReportSummary; onBack(): void; onChanged(): Promise<void> }) {
  const at = useAdminT();
  const t = useT();
  const env = useEnv();
  const s = useAdminStyles();
  const r = props.report;
  const number = reportNumber(r.reportId);
  const detail = useLoad(() => env.api.admin.report(r.reportId));
  const [status, setStatus] = useState<ReportStatus>(r.status);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ReportStatus | null>(null);
  const when = (iso: string) => dateTime(iso, env.timeZone, env.locale) ?? '';
  const save = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await env.api.admin.updateReport(r.reportId, { status, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      await props.onChanged();
      setDone(status);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className={s.section} aria-label={at('repDetail', { number })}>
      <div>
        <Button appearance="subtle" onClick={props.onBack}>
          ← {at('repBack')}
        </Button>
      </div>
      <Heading>{at('repDetail', { number })}</Heading>
      <Text>
        {r.reporterName} ({at(`repSource_${r.source}`)}) · {categoryLabel(t, r.category)} ·{' '}
        {when(r.createdAt)} · <Badge appearance="tint">{statusLabel(t, r.status)}</Badge>
      </Text>
      <h3 style={{ margin: 0 }}>{at('repDescription')}</h3>
      <Text style={{ whiteSpace: 'pre-wrap' }}>{r.description}</Text>
      <h3 style={{ margin: 0 }}>{at('repHistory')}</h3>
      <ol style={{ margin: 0, paddingLeft: 20 }}>
        {r.history.map((h, i) => (
          <li key={i}>
            {when(h.at)} · {h.by} · {statusLabel(t, h.status)}
            {h.note ? <div className={s.sub}>“{h.note}”</div> : null}
          </li>
        ))}
      </ol>
      <h3 style={{ margin: 0 }}>{at('repDiagnostics')}</h3>
      <ErrorBar error={detail.error} retry={detail.reload} />
      {detail.data ? (
        detail.data.diagnostics ? (
          <Json value={detail.data.diagnostics} label={at('repDiagnostics')} />
        ) : (
          <Text className={s.sub}>{at('repNoDiagnostics')}</Text>
        )
      ) : detail.error ? null : (
        <Spinner size="tiny" />
      )}
      <div className={s.row}>
        <Field label={at('repUpdate')}>
          <Select value={status} onChange={(_e, d) => setStatus(d.value as ReportStatus)}>
            {STATUSES.map((st) => (
              <option key={st} value={st}>
                {statusLabel(t, st)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={at('repNote')} style={{ flexGrow: 1, minWidth: 200 }}>
          <Input value={note} onChange={(_e, d) => setNote(d.value)} />
        </Field>
        <Button
          appearance="primary"
          disabled={busy}
          icon={busy ? <Spinner size="extra-tiny" /> : undefined}
          onClick={() => void save()}
        >
          {at('repUpdate')}
        </Button>
      </div>
      <ErrorBar error={error} />
      {done ? (
        <MessageBar intent="success">
          <MessageBarBody>{at('repUpdated', { status: statusLabel(t, done) })}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}
