import { Button, Field, Input, Text } from '@fluentui/react-components';
import { useState } from 'react';
import type { ClientType } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { isValidTemplate } from '../../callto/uri';
import { useT } from '../../i18n';
import { CLIENTS } from '../settings/SettingsPage';
import { ErrorBar, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';

/** The tenant's click-to-call default per client type; what users get unless they choose their own in Settings. */
export function ClickToCallSection() {
  const at = useAdminT();
  const t = useT();
  const { api } = useEnv();
  const s = useAdminStyles();
  const config = useLoad(() => api.admin.clickToCall());
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const byClient = config.data?.byClient;
  // The server refuses the same templates (one shared rule); checking here names the field before a round trip.
  const invalid = (c: ClientType) => !isValidTemplate(byClient?.[c].trim() ?? '');
  const anyInvalid = CLIENTS.some((c) => invalid(c.value));
  const change = (client: ClientType, value: string) => {
    if (!byClient) return;
    setSaved(false);
    config.setData({ byClient: { ...byClient, [client]: value } });
  };
  return (
    <section className={s.section} aria-label={at('secClickToCall')}>
      <Heading>{at('secClickToCall')}</Heading>
      <Text>{at('c2cHint')}</Text>
      <ErrorBar error={config.error ?? save.error} />
      {byClient ? (
        <>
          {CLIENTS.map((c) => (
            <Field
              key={c.value}
              label={t(c.label)}
              required
              validationState={invalid(c.value) ? 'error' : 'none'}
              validationMessage={invalid(c.value) ? at('c2cInvalid') : undefined}
            >
              <Input value={byClient[c.value]} onChange={(_e, d) => change(c.value, d.value)} />
            </Field>
          ))}
          <div className={s.row}>
            <Button
              appearance="primary"
              disabled={anyInvalid || save.busy}
              onClick={() =>
                void save.run(async () => {
                  const trimmed = { ...byClient };
                  for (const c of CLIENTS) trimmed[c.value] = byClient[c.value].trim();
                  config.setData(await api.admin.saveClickToCall({ byClient: trimmed }));
                  setSaved(true);
                })
              }
            >
              {save.busy ? at('saving') : at('save')}
            </Button>
            {saved ? <Text role="status">{at('saved')}</Text> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
