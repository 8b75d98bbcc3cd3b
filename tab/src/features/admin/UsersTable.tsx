import {
  mergeClasses,
  Button,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import type { AdminUserRow, AdminUsersResponse } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ErrorBar, useAction, useAdminStyles, useAdminT } from './common';
import { useAdminServerText } from './server-texts';
import { useTableStyles } from './table-styles';
import type { AdminT } from './texts';

const PAGE = 50;
const PICK_PAGE = 10;

/** The status column: matched, mapped by hand, or why a user is not synced, in words. */
export function statusText(at: AdminT, u: AdminUserRow): string {
  const email = u.pbx?.email ?? '';
  switch (u.status) {
    case 'matched':
      return at('stMatched');
    case 'manual':
      return at('stManual');
    case 'noPbx':
      return at('stNoPbx');
    case 'noMail':
      return at('stNoMail');
    case 'notMatched':
      return at('stNotMatched', { email });
    case 'ambiguous':
      return at('stAmbiguous', { email, candidates: u.candidates.map((c) => c.upn).join(', ') });
    case 'contested':
      return at('stContested', {
        candidate: u.candidates[0]?.upn ?? '',
        rivals: u.rivals.map((r) => r.name || r.principalId).join(', '),
      });
  }
}

/**
 * Every Teams user and every phone user without a Teams match, searched and paged on the server, with what the
 * admin can do per row: diagnose a Teams user, map a phone user to a Teams user by hand, remove such a mapping.
 */
export function UsersTable(props: { onDiagnose(userId: string): void }) {
  const at = useAdminT();
  const say = useAdminServerText();
  const { api, language } = useEnv();
  const s = useAdminStyles();
  const ts = useTableStyles();
  const [q, setQ] = useState('');
  const [skip, setSkip] = useState(0);
  const [page, setPage] = useState<AdminUsersResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [mapping, setMapping] = useState<AdminUserRow | null>(null);
  const action = useAction();

  const load = useCallback(
    () =>
      api.admin.users({ q: q.trim(), skip, top: PAGE }).then((r) => (setPage(r), setError(null)), setError),
    [api, q, skip],
  );
  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [load]);

  const unmap = (u: AdminUserRow) =>
    void action.run(async () => {
      await api.admin.removeOverride(u.pbx!.principalId);
      await load();
    });

  return (
    <>
      <SearchBox
        aria-label={at('usersSearch')}
        placeholder={at('usersSearch')}
        value={q}
        onChange={(_e, d) => (setQ(d.value), setSkip(0))}
      />
      <ErrorBar error={error ?? action.error} />
      {page?.directory.problem ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            {at('dirProblem', {
              message: say(page.directory.problem.messageText, page.directory.problem.message),
            })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {page?.directory.entraReadAt ? (
        <Text className={s.sub}>
          {at('dirRead', {
            entra: new Date(page.directory.entraReadAt).toLocaleString(language),
            pbx: page.directory.pbxReadAt ? new Date(page.directory.pbxReadAt).toLocaleString(language) : '–',
          })}
        </Text>
      ) : null}
      {mapping ? (
        <MapPanel
          row={mapping}
          onDone={async () => {
            setMapping(null);
            await load();
          }}
          onCancel={() => setMapping(null)}
        />
      ) : null}
      {page && page.items.length === 0 ? <Text>{at('usersNone')}</Text> : null}
      {page && page.items.length > 0 ? (
        <>
          <div className={ts.wrap}>
            <Table size="small" aria-label={at('usersSearch')} className={ts.table}>
              <TableHeader className={ts.head}>
                <TableRow>
                  {(
                    ['userName', 'userUpn', 'userExt', 'userSelected', 'userMatched', 'diagnose'] as const
                  ).map((k) => (
                    <TableHeaderCell key={k}>{at(k)}</TableHeaderCell>
                  ))}
                </TableRow>
              </TableHeader>
              <TableBody className={ts.body}>
                {page.items.map((u) => (
                  <TableRow key={u.key} className={ts.row}>
                    <TableCell className={ts.cell} data-label={at('userName')}>
                      {u.displayName}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('userUpn')}>
                      {u.upn ?? u.pbx?.email ?? '–'}
                    </TableCell>
                    <TableCell className={mergeClasses(ts.cell, ts.nowrap)} data-label={at('userExt')}>
                      {u.extension ?? '–'}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('userSelected')}>
                      {u.selected ? at('yes') : at('no')}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('userMatched')}>
                      <span className={ts.clamp} title={statusText(at, u)}>
                        {statusText(at, u)}
                      </span>
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('diagnose')}>
                      <div className={ts.actions}>
                        {u.entraUserId ? (
                          <Button
                            size="small"
                            onClick={() => props.onDiagnose(u.entraUserId as string)}
                            aria-label={`${at('diagnose')} ${u.displayName}`}
                          >
                            {at('diagnose')}
                          </Button>
                        ) : null}
                        {!u.entraUserId && u.pbx ? (
                          <Button
                            size="small"
                            onClick={() => setMapping(u)}
                            aria-label={`${at('mapTo')}: ${u.displayName}`}
                          >
                            {at('mapTo')}
                          </Button>
                        ) : null}
                        {u.status === 'manual' && u.pbx ? (
                          <Button
                            size="small"
                            disabled={action.busy}
                            onClick={() => unmap(u)}
                            aria-label={`${at('unmap')}: ${u.displayName}`}
                          >
                            {at('unmap')}
                          </Button>
                        ) : null}
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <div className={s.row}>
            <Button size="small" disabled={skip === 0} onClick={() => setSkip(Math.max(0, skip - PAGE))}>
              {at('pagePrev')}
            </Button>
            <Text role="status">
              {at('usersPage', {
                from: page.skip + 1,
                to: page.skip + page.items.length,
                total: page.total,
              })}
            </Text>
            <Button
              size="small"
              disabled={page.skip + page.items.length >= page.total}
              onClick={() => setSkip(skip + PAGE)}
            >
              {at('pageNext')}
            </Button>
          </div>
        </>
      ) : null}
    </>
  );
}

/** Picks the Teams user a phone user is mapped to: a server-side search over Teams users. */
function MapPanel(props: { row: AdminUserRow; onDone(): Promise<void>; onCancel(): void }) {
  const at = useAdminT();
  const { api } = useEnv();
  const s = useAdminStyles();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<AdminUserRow[]>([]);
  const action = useAction();
  useEffect(() => {
    if (!q.trim()) return setHits([]);
    const timer = setTimeout(() => {
      api.admin.users({ q: q.trim(), top: PICK_PAGE }).then(
        (r) => setHits(r.items.filter((u) => u.entraUserId)),
        () => setHits([]),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [api, q]);
  const pick = (u: AdminUserRow) =>
    void action.run(async () => {
      await api.admin.setOverride({
        pbxPrincipalId: props.row.pbx!.principalId,
        entraUserId: u.entraUserId!,
      });
      await props.onDone();
    });
  return (
    <section aria-label={at('mapTitle', { name: props.row.displayName })} className={s.section}>
      <Text weight="semibold">{at('mapTitle', { name: props.row.displayName })}</Text>
      <Text>{at('mapHint')}</Text>
      <SearchBox
        aria-label={at('mapSearch')}
        placeholder={at('mapSearch')}
        value={q}
        onChange={(_e, d) => setQ(d.value)}
      />
      <ErrorBar error={action.error} />
      {hits.map((u) => (
        <div key={u.key} className={s.row}>
          <Text>
            {u.displayName} ({u.upn})
          </Text>
          <Button
            size="small"
            appearance="primary"
            disabled={action.busy}
            onClick={() => pick(u)}
            aria-label={`${at('mapPick')}: ${u.displayName}`}
          >
            {at('mapPick')}
          </Button>
        </div>
      ))}
      <div>
        <Button size="small" onClick={props.onCancel}>
          {at('mapCancel')}
        </Button>
      </div>
    </section>
  );
}
