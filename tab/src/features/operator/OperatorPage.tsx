import {
  Badge,
  Button,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type {
  OperatorSyncState,
  OperatorTenant,
  OperatorTenantsResponse,
} from '../../../../shared/api/operator';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { useTableStyles } from '../admin/table-styles';
import { dateTime } from '../history/format';
import { operatorTranslator, type OperatorT, type OperatorTextKey } from './texts';

const SYNC_COLOR: Record<OperatorSyncState, 'success' | 'informative' | 'warning' | 'danger'> = {
  owner: 'success',
  standby: 'informative',
  stopped: 'danger',
  off: 'warning',
  notOpen: 'informative',
};

const COLUMNS: OperatorTextKey[] = [
  'colOrganisation',
  'colState',
  'colOnboarded',
  'colOffboarded',
  'colSync',
  'colCloudLink',
  'colMonitors',
  'colLastError',
  'colCheck',
];

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: '12px' },
  header: { display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap' },
  id: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

/**
 * The hosting provider's operator view (hosted mode, issue 16): every organisation in the registry with its health,
 * for the provider's staff holding Switchboard.Operator in the provider's own tenant. The shell shows it to them
 * only; the server answers nobody else anyway.
 */
export default function OperatorPage() {
  const env = useEnv();
  const ot = useMemo(() => operatorTranslator(env.language), [env.language]);
  const s = useStyles();
  const ts = useTableStyles();
  const [data, setData] = useState<OperatorTenantsResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await env.api.operatorTenants());
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [env.api]);
  useEffect(() => void load(), [load]);
  const when = (iso: string | null) => dateTime(iso, env.timeZone, env.locale) ?? ot('never');

  return (
    <section className={s.page} aria-label={ot('title')}>
      <div className={s.header}>
        <h2 style={{ margin: 0 }}>{ot('title')}</h2>
        <Button onClick={() => void load()} disabled={loading}>
          {ot('refresh')}
        </Button>
        {loading ? <Spinner size="tiny" /> : null}
      </div>
      <Text>{ot('intro')}</Text>
      {error ? <ProblemBar error={error} retry={load} /> : null}
      {data && data.items.length === 0 ? <Text>{ot('empty')}</Text> : null}
      {data && data.items.length > 0 ? (
        <div className={ts.wrap}>
          <Table aria-label={ot('title')} size="small" className={ts.table}>
            <TableHeader className={ts.head}>
              <TableRow>
                {COLUMNS.map((k) => (
                  <TableHeaderCell key={k}>{ot(k)}</TableHeaderCell>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody className={ts.body}>
              {data.items.map((t) => (
                <TenantRow key={t.tenantId} tenant={t} ot={ot} when={when} />
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </section>
  );
}

function TenantRow(props: { tenant: OperatorTenant; ot: OperatorT; when: (iso: string | null) => string }) {
  const { tenant: t, ot, when } = props;
  const s = useStyles();
  const ts = useTableStyles();
  const h = t.health;
  const cell = (label: OperatorTextKey, content: ReactNode) => (
    <TableCell className={ts.cell} data-label={ot(label)}>
      {content}
    </TableCell>
  );
  return (
    <TableRow className={ts.row} data-testid="tenant-row">
      {cell(
        'colOrganisation',
        <div>
          <div>{t.displayName}</div>
          {t.displayName !== t.tenantId ? <div className={s.id}>{t.tenantId}</div> : null}
        </div>,
      )}
      {cell(
        'colState',
        <Badge color={t.state === 'active' ? 'success' : 'informative'}>{ot(`state_${t.state}`)}</Badge>,
      )}
      {cell('colOnboarded', ot('when', { when: when(t.onboardedAt), by: t.onboardedBy }))}
      {cell(
        'colOffboarded',
        t.offboardedAt ? ot('when', { when: when(t.offboardedAt), by: t.offboardedBy ?? '' }) : ot('never'),
      )}
      {cell(
        'colSync',
        <div>
          <Badge color={SYNC_COLOR[h.sync]}>{ot(`sync_${h.sync}`)}</Badge>
          <div className={s.id}>{clusterText(ot, t)}</div>
        </div>,
      )}
      {cell('colCloudLink', h.cloudlinkLinked ? ot('linked') : ot('notLinked'))}
      {cell(
        'colMonitors',
        h.monitors.total === 0
          ? ot('noMonitors')
          : ot('monitors', { active: h.monitors.active, total: h.monitors.total, failed: h.monitors.failed }),
      )}
      {cell(
        'colLastError',
        h.lastError
          ? ot('errorAt', { code: h.lastError.code ?? ot('errorNoCode'), when: when(h.lastError.at) })
          : ot('noError'),
      )}
      {cell('colCheck', checkText(ot, when, h.configurationCheck))}
    </TableRow>
  );
}

/** Across every server: where the sync runs (or that none runs it) and how many servers serve the organisation. */
function clusterText(ot: OperatorT, t: OperatorTenant): string {
  const { cluster, cloudlinkLinked } = t.health;
  const served = ot('servedBy', { served: cluster.servedBy, servers: cluster.servers });
  if (cluster.syncRunsOn) return `${ot('runsOn', { server: cluster.syncRunsOn })}; ${served}`;
  if (t.state === 'active' && cloudlinkLinked) return `${ot('runsNowhere')}; ${served}`;
  return served;
}

function checkText(
  ot: OperatorT,
  when: (iso: string | null) => string,
  check: OperatorTenant['health']['configurationCheck'],
): string {
  if (!check) return ot('check_never');
  const at = when(check.at);
  if (check.state === 'running') return ot('check_running', { when: at });
  if (check.state === 'failed') return ot('check_failed', { when: at });
  if (check.failedSteps + check.warningSteps === 0) return ot('check_passed', { when: at });
  return ot('check_problems', { failed: check.failedSteps, warnings: check.warningSteps, when: at });
}
