import {
  Badge,
  Button,
  Field,
  Input,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ReportStatus, ReportSummary } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { useT } from '../../i18n';
import { dateTime } from '../history/format';
import { statusLabel } from '../report/ReportPage';
import { ErrorBar, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';

const STATUSES: ReportStatus[] = ['new', 'acknowledged', 'needsInfo', 'resolved'];

/** Triage: every report of the tenant, newest first, with a status change (and a note the reporter is told). */
export function ReportsSection() {
  const at = useAdminT();
  const t = useT();
  const env = useEnv();
  const s = useAdminStyles();
  const [filter, setFilter] = useState<ReportStatus | ''>('');
  const reports = useLoad(() => env.api.admin.reports(filter || undefined));
  const [prevFilter, setPrevFilter] = useState(filter);
  if (prevFilter !== filter) {
    setPrevFilter(filter);
    void reports.reload();
  }
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
      <ErrorBar error={reports.error} />
      {reports.data ? (
        reports.data.items.length === 0 ? (
          <Text>{at('repNone')}</Text>
        ) : (
          <Table size="small" aria-label={at('secReports')} data-testid="admin-reports">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Id</TableHeaderCell>
                <TableHeaderCell>{at('repFrom')}</TableHeaderCell>
                <TableHeaderCell>{at('repCategory')}</TableHeaderCell>
                <TableHeaderCell>{at('repCreated')}</TableHeaderCell>
                <TableHeaderCell>{at('repStatusFilter')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {reports.data.items.map((r) => (
                <ReportRow
                  key={r.reportId}
                  report={r}
                  onChanged={() => void reports.reload()}
                  when={(iso) => dateTime(iso, env.timeZone, env.locale) ?? ''}
                />
              ))}
            </TableBody>
          </Table>
        )
      ) : null}
    </section>
  );
}

function ReportRow(props: { report: ReportSummary; onChanged(): void; when(iso: string): string }) {
  const at = useAdminT();
  const t = useT();
  const { api } = useEnv();
  const r = props.report;
  const [status, setStatus] = useState<ReportStatus>(r.status);
  const [note, setNote] = useState('');
  const act = useAction();
  return (
    <TableRow>
      <TableCell>
        <Text weight="semibold">{r.reportId}</Text>
        <div>{r.description}</div>
        <ErrorBar error={act.error} />
      </TableCell>
      <TableCell>
        {r.reporterName} ({r.source})
      </TableCell>
      <TableCell>{r.category}</TableCell>
      <TableCell>{props.when(r.createdAt)}</TableCell>
      <TableCell>
        <Badge appearance="tint">{statusLabel(t, r.status)}</Badge>
        <div style={{ display: 'flex', gap: 4, marginTop: 4, flexWrap: 'wrap' }}>
          <Select
            size="small"
            aria-label={`${at('repUpdate')} ${r.reportId}`}
            value={status}
            onChange={(_e, d) => setStatus(d.value as ReportStatus)}
          >
            {STATUSES.map((st) => (
              <option key={st} value={st}>
                {statusLabel(t, st)}
              </option>
            ))}
          </Select>
          <Input
            size="small"
            aria-label={at('repNote')}
            placeholder={at('repNote')}
            value={note}
            onChange={(_e, d) => setNote(d.value)}
          />
          <Button
            size="small"
            disabled={act.busy}
            onClick={() =>
              void act.run(async () => {
                await api.admin.updateReport(r.reportId, {
                  status,
                  ...(note.trim() ? { note: note.trim() } : {}),
                });
                setNote('');
                props.onChanged();
              })
            }
          >
            {at('repUpdate')}
          </Button>
        </div>
      </TableCell>
    </TableRow>
  );
}
