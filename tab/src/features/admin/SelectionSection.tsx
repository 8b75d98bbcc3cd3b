import { Button, Field, Radio, RadioGroup, Switch, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { useEnv } from '../../app/env';
import { ErrorBar, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';
import { GroupPicker } from './GroupPicker';
import { UsersTable } from './UsersTable';

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
            <GroupPicker
              groupId={sel.groupId}
              groupName={sel.groupName}
              onChange={(g) => change({ groupId: g.id, groupName: g.name })}
            />
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
      <UsersTable onDiagnose={props.onDiagnose} />
    </section>
  );
}
