import { makeStyles, tokens } from '@fluentui/react-components';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { JobView } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ProblemBar } from '../../app/ProblemBar';
import { adminTranslator, type AdminT } from './texts';

export const AdminTContext = createContext<AdminT>(adminTranslator('en'));
export const useAdminT = () => useContext(AdminTContext);

export const useAdminStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '960px' },
  row: { display: 'flex', gap: '8px', alignItems: 'flex-end', flexWrap: 'wrap' },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))',
    gap: '12px',
    alignItems: 'start',
  },
  pre: {
    maxHeight: '320px',
    overflow: 'auto',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: '8px',
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
  },
  sub: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: '4px', flexWrap: 'nowrap' },
  account: { wordBreak: 'break-all', minWidth: '200px' },
});

/** Loads once (and on `reload`), keeping the last error for display. */
export function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void reload(), [reload]);
  return { data, setData, error, setError, reload };
}

/** Runs an action, remembering whether it is busy and what went wrong. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** A failed admin load or action, through the tab's one error wording (never a browser's or server's internals). */
export function ErrorBar(props: { error: unknown; retry?: () => unknown; lead?: string }) {
  return <ProblemBar error={props.error} retry={props.retry} lead={props.lead} />;
}

/** Long admin operations run as server jobs; poll one until it is no longer running. */
export const JOB_POLL_MS = 1000;

export function useJob(start: () => Promise<JobView>) {
  const { api } = useEnv();
  const [job, setJob] = useState<JobView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const poll = useCallback(
    (id: string) => {
      timer.current = setTimeout(async () => {
        try {
          const next = await api.admin.job(id);
          setJob(next);
          if (next.state === 'running') poll(id);
        } catch (e) {
          setError(e);
        }
      }, JOB_POLL_MS);
    },
    [api],
  );
  const run = useCallback(async () => {
    setError(null);
    try {
      const started = await start();
      setJob(started);
      if (started.state === 'running') poll(started.jobId);
    } catch (e) {
      setError(e);
    }
  }, [start, poll]);
  return { job, error, run, running: job?.state === 'running' };
}

export function Json(props: { value: unknown; label: string }) {
  const s = useAdminStyles();
  return (
    <pre className={s.pre} tabIndex={0} aria-label={props.label}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}

export function Heading(props: { children: ReactNode }) {
  return <h2 style={{ margin: '0 0 4px' }}>{props.children}</h2>;
}

/** ISO date-time to the value of an <input type=date>, and back (end of that day, UTC). */
export const toDateInput = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');
export const fromDateInput = (value: string) =>
  value ? new Date(`${value}T23:59:59Z`).toISOString() : undefined;
