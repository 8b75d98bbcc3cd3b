import {
  Badge,
  Button,
  Checkbox,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type {
  DiagnosticsPreview,
  ReportCategory,
  ReportStatus,
  ReportSummary,
} from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { usePolling } from '../../app/usePolling';
import { useT, type MessageKey, type Translate } from '../../i18n';
import { reportNumber } from '../../../../shared/domain/report-number';
import { dateTime } from '../history/format';

const CATEGORIES: { value: ReportCategory; label: MessageKey }[] = [
  { value: 'presence', label: 'catPresence' },
  { value: 'callHistory', label: 'catCallHistory' },
  { value: 'clickToCall', label: 'catClickToCall' },
  { value: 'signIn', label: 'catSignIn' },
  { value: 'other', label: 'catOther' },
];
const STATUS_LABEL: Record<ReportStatus, MessageKey> = {
  new: 'statusNew',
  acknowledged: 'statusAcknowledged',
  needsInfo: 'statusNeedsInfo',
  resolved: 'statusResolved',
};
const CATEGORY_LABEL = Object.fromEntries(CATEGORIES.map((c) => [c.value, c.label])) as Record<
  ReportCategory,
  MessageKey
>;
export const statusLabel = (t: Translate, s: ReportStatus) => t(STATUS_LABEL[s]);

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '16px', maxWidth: '760px' },
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
  preview: {
    maxHeight: '240px',
    overflow: 'auto',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: '8px',
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
  },
  list: { listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: '8px' },
  item: {
    display: 'flex',
    gap: '8px',
    alignItems: 'flex-start',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    paddingBottom: '8px',
  },
  itemText: { display: 'flex', flexDirection: 'column', minWidth: 0, flexGrow: 1 },
  title: { overflowWrap: 'anywhere' },
  sub: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: '8px' },
  notes: {
    listStyle: 'none',
    padding: 0,
    margin: '4px 0 0',
    display: 'flex',
    flexDirection: 'column',
    gap: '4px',
  },
  note: { overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
});

/**
 * The written part of a report's history: an admin's notes and questions, and the reporter's answers (from the bot
 * chat), each with who wrote it and when, so the user sees what was asked and said without opening the chat.
 */
function ReportNotes(props: { report: ReportSummary; timeZone: string; locale: string }) {
  const s = useStyles();
  const t = useT();
  const notes = props.report.history.filter((h) => h.note);
  if (notes.length === 0) return null;
  return (
    <ul className={s.notes}>
      {notes.map((h, i) => (
        <li key={`${h.at}-${i}`}>
          <Text size={200} className={s.sub}>
            {h.by} · {dateTime(h.at, props.timeZone, props.locale)} · {statusLabel(t, h.status)}
          </Text>
          <Text as="p" size={300} className={s.note}>
            {h.note}
          </Text>
        </li>
      ))}
    </ul>
  );
}

export function ReportPage() {
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const [category, setCategory] = useState<ReportCategory>('presence');
  const [description, setDescription] = useState('');
  const [includeDiagnostics, setIncludeDiagnostics] = useState(true);
  const [preview, setPreview] = useState<DiagnosticsPreview | null>(null);
  const [showPreview, setShowPreview] = useState(false);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<ReportSummary | null>(null);
  // What failed last: the retry is chosen at render, so a resend sends the description as it is now.
  const [failure, setFailure] = useState<{ error: unknown; of: 'send' | 'preview' } | null>(null);
  const [touched, setTouched] = useState(false);
  const mine = usePolling(() => env.api.myReports(), 0);
  const client = { type: env.clientType, locale: env.locale };
  const missingDescription = touched && description.trim() === '';

  const loadPreview = async () => {
    setFailure(null);
    try {
      setPreview(await env.api.diagnosticsPreview({ type: env.clientType }));
    } catch (e) {
      setFailure({ error: e, of: 'preview' });
    }
  };
  const togglePreview = async () => {
    if (showPreview) return setShowPreview(false);
    setShowPreview(true);
    await loadPreview();
  };

  const submit = async () => {
    setTouched(true);
    if (!description.trim()) return;
    setSending(true);
    setFailure(null);
    try {
      const report = await env.api.createReport({
        category,
        description: description.trim(),
        includeDiagnostics,
        client,
      });
      setSent(report);
      setDescription('');
      setTouched(false);
      setShowPreview(false);
      setSending(false);
      await mine.reload();
    } catch (e) {
      setFailure({ error: e, of: 'send' });
      setSending(false);
    }
  };

  return (
    <section className={s.page} aria-label={t('tabReport')}>
      {sent ? (
        <MessageBar intent="success" role="status">
          <MessageBarBody>
            {t('reportSent', { id: reportNumber(sent.reportId), status: statusLabel(t, sent.status) })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {failure ? (
        <ProblemBar
          lead={t(failure.of === 'send' ? 'reportSendFailed' : 'reportPreviewFailed')}
          error={failure.error}
          retry={failure.of === 'send' ? submit : loadPreview}
        />
      ) : null}
      <form
        className={s.form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label={t('reportCategory')}>
          <Select value={category} onChange={(_e, d) => setCategory(d.value as ReportCategory)}>
            {CATEGORIES.map((c) => (
              <option key={c.value} value={c.value}>
                {t(c.label)}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label={t('reportDescription')}
          hint={t('reportDescriptionHint')}
          required
          validationState={missingDescription ? 'error' : 'none'}
          validationMessage={missingDescription ? t('reportDescriptionRequired') : undefined}
        >
          <Textarea
            value={description}
            onChange={(_e, d) => setDescription(d.value)}
            onBlur={() => setTouched(true)}
            rows={5}
            maxLength={4000}
            resize="vertical"
          />
        </Field>
        <Checkbox
          checked={includeDiagnostics}
          onChange={(_e, d) => setIncludeDiagnostics(Boolean(d.checked))}
          label={t('reportIncludeDiagnostics')}
        />
        {includeDiagnostics ? (
          <div>
            <Button appearance="subtle" onClick={() => void togglePreview()} aria-expanded={showPreview}>
              {showPreview ? t('reportHidePreview') : t('reportPreview')}
            </Button>
            {showPreview ? (
              preview ? (
                <pre className={s.preview} data-testid="diagnostics-preview" tabIndex={0}>
                  {JSON.stringify(preview, null, 2)}
                </pre>
              ) : (
                <Spinner size="tiny" label={t('loading')} />
              )
            ) : null}
          </div>
        ) : null}
        <div className={s.actions}>
          <Button appearance="primary" type="submit" disabled={sending}>
            {sending ? t('reportSending') : t('reportSend')}
          </Button>
        </div>
      </form>
      <h2>{t('reportMine')}</h2>
      {mine.data ? (
        mine.data.items.length === 0 ? (
          <Text>{t('reportNone')}</Text>
        ) : (
          <ul className={s.list} aria-label={t('reportMine')}>
            {mine.data.items.map((r) => (
              <li key={r.reportId} className={s.item}>
                <Badge
                  appearance="tint"
                  color={r.status === 'resolved' ? 'success' : r.status === 'needsInfo' ? 'warning' : 'brand'}
                >
                  {statusLabel(t, r.status)}
                </Badge>
                <div className={s.itemText}>
                  <Text weight="semibold" className={s.title}>
                    {t(CATEGORY_LABEL[r.category])}: {firstWords(r.description)}
                  </Text>
                  <Text size={200} className={s.sub}>
                    {t('reportNumber', { number: reportNumber(r.reportId) })} ·{' '}
                    {dateTime(r.createdAt, env.timeZone, env.locale)}
                  </Text>
                  <ReportNotes report={r} timeZone={env.timeZone} locale={env.locale} />
                </div>
              </li>
            ))}
          </ul>
        )
      ) : mine.error ? (
        <ProblemBar lead={t('reportMineFailed')} error={mine.error} retry={mine.reload} />
      ) : (
        <Spinner size="tiny" label={t('loading')} />
      )}
    </section>
  );
}

/** A report is recognised by what it was about, not by its id: the first few words of the description. */
export function firstWords(text: string, maxWords = 8, maxChars = 60): string {
  const words = text.trim().split(/\s+/);
  const joined = words.slice(0, maxWords).join(' ');
  const title = joined.length > maxChars ? joined.slice(0, maxChars).trimEnd() : joined;
  return words.length > maxWords || title !== joined ? `${title}…` : title;
}
