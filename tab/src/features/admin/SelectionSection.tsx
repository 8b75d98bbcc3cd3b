import {
  Button,
  Field,
  Input,
  Radio,
  RadioGroup,
  SearchBox,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { AdminUserRow } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ErrorBar, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function SelectionSection(props: { onDiagnose(userId: string): void }) {
  const at = useAdminT();
  const { api } = useEnv();
  const s = useAdminStyles();
  const selection = useLoad(() => api.admin.selection());
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const sel = selection.data;
  const change = (patch: Partial<NonNullable<typeof sel>>) => {
    if (!sel) return;
    setSaved(false);
    selection.setData({ ...sel, ...patch });
  };
  return (
    <section className={s.section} aria-label={at('secSelection')}>
      <Heading>{at('secSelection')}</Heading>
      <ErrorBar error={selection.error ?? save.error} />
      {sel ? (
        <>
          <Field label={at('selMode')}>
            <RadioGroup value={sel.mode} onChange={(_e, d) => change({ mode: d.value as typeof sel.mode })}>
              <Radio value="allWithBlockList" label={at('selAll')} />
              <Radio value="groupWithAllowList" label={at('selGroup')} />
            </RadioGroup>
          </Field>
          {sel.mode === 'groupWithAllowList' ? (
            <Field label={at('selGroupId')} required>
              <Input
                value={sel.groupId ?? ''}
                onChange={(_e, d) => change({ groupId: d.value.trim() || null })}
              />
            </Field>
          ) : null}
          <Field label={sel.mode === 'allWithBlockList' ? at('selBlock') : at('selAllow')}>
            <Textarea
              rows={4}
              value={(sel.mode === 'allWithBlockList' ? sel.blockList : sel.allowList).join('\n')}
              onChange={(_e, d) =>
                change(
                  sel.mode === 'allWithBlockList'
                    ? { blockList: d.value.split('\n') }
                    : { allowList: d.value.split('\n') },
                )
              }
            />
          </Field>
          <Switch
            checked={sel.sendToTeams}
            onChange={(_e, d) => change({ sendToTeams: d.checked })}
            label={at('selToTeams')}
          />
          <Switch
            checked={sel.getFromTeams}
            onChange={(_e, d) => change({ getFromTeams: d.checked })}
            label={at('selFromTeams')}
          />
          <div className={s.row}>
            <Button
              appearance="primary"
              disabled={save.busy}
              onClick={() =>
                void save.run(async () => {
                  selection.setData(
                    await api.admin.saveSelection({
                      ...sel,
                      blockList: lines(sel.blockList.join('\n')),
                      allowList: lines(sel.allowList.join('\n')),
                    }),
                  );
                  setSaved(true);
                })
              }
            >
              {at('save')}
            </Button>
            {saved ? <Text role="status">{at('saved')}</Text> : null}
          </div>
        </>
      ) : null}
      <UserTable onDiagnose={props.onDiagnose} />
    </section>
  );
}

export function UserTable(props: { onDiagnose(userId: string): void }) {
  const at = useAdminT();
  const { api } = useEnv();
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<AdminUserRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      api.admin.users(q.trim()).then((r) => (setRows(r.items), setError(null)), setError);
    }, 250);
    return () => clearTimeout(timer);
  }, [api, q]);
  return (
    <>
      <SearchBox
        aria-label={at('usersSearch')}
        placeholder={at('usersSearch')}
        value={q}
        onChange={(_e, d) => setQ(d.value)}
      />
      <ErrorBar error={error} />
      {rows ? (
        <Table size="small" aria-label={at('usersSearch')}>
          <TableHeader>
            <TableRow>
              {(['userName', 'userUpn', 'userExt', 'userSelected', 'userMatched', 'diagnose'] as const).map(
                (k) => (
                  <TableHeaderCell key={k}>{at(k)}</TableHeaderCell>
                ),
              )}
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((u) => (
              <TableRow key={u.entraUserId}>
                <TableCell>{u.displayName}</TableCell>
                <TableCell>{u.upn}</TableCell>
                <TableCell>{u.extension ?? '–'}</TableCell>
                <TableCell>{u.selected ? at('yes') : at('no')}</TableCell>
                <TableCell>{u.matched ? at('yes') : at('no')}</TableCell>
                <TableCell>
                  <Button
                    size="small"
                    onClick={() => props.onDiagnose(u.entraUserId)}
                    aria-label={`${at('diagnose')} ${u.displayName}`}
                  >
                    {at('diagnose')}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}
