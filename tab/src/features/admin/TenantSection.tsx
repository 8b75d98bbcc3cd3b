import { Button, Field, Input, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { TenantLinkUpdate } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import {
  ErrorBar,
  fromDateInput,
  Heading,
  toDateInput,
  useAction,
  useAdminStyles,
  useAdminT,
  useLoad,
} from './common';
import { SecretExpiry } from './SecretExpiry';

export function TenantSection() {
  const at = useAdminT();
  const { api } = useEnv();
  const s = useAdminStyles();
  const tenant = useLoad(() => api.admin.tenant());
  const save = useAction();
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [expires, setExpires] = useState('');
  const [cl, setCl] = useState({ accountId: '', clientId: '', clientSecret: '' });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const v = tenant.data;
    if (!v) return;
    setClientId(v.clientId);
    setExpires(toDateInput(v.clientSecretExpiresAt));
    setCl({
      accountId: v.cloudlink?.accountId ?? '',
      clientId: v.cloudlink?.clientId ?? '',
      clientSecret: '',
    });
  }, [tenant.data]);

  const submit = async () => {
    setSaved(false);
    const update: TenantLinkUpdate = {};
    // A hosted provider's app registration is not the customer's to change: only CloudLink is sent.
    if (!tenant.data?.appManaged) {
      if (clientId.trim()) update.clientId = clientId.trim();
      if (secret) update.clientSecret = secret;
      const exp = fromDateInput(expires);
      if (exp) update.clientSecretExpiresAt = exp;
    }
    if (cl.accountId.trim() && cl.clientId.trim()) {
      update.cloudlink = {
        accountId: cl.accountId.trim(),
        clientId: cl.clientId.trim(),
        ...(cl.clientSecret ? { clientSecret: cl.clientSecret } : {}),
      };
    }
    const ok = await save.run(async () => tenant.setData(await api.admin.saveTenant(update)));
    if (ok) {
      setSecret('');
      setCl((c) => ({ ...c, clientSecret: '' }));
      setSaved(true);
    }
  };

  const v = tenant.data;
  return (
    <section className={s.section} aria-label={at('secTenant')}>
      <Heading>{at('secTenant')}</Heading>
      <ErrorBar error={tenant.error ?? save.error} />
      {v ? (
        <>
          {v.appManaged ? null : <SecretExpiry expiresAt={v.clientSecretExpiresAt} />}
          <Text>
            {at('tenantId')}: <code>{v.tenantId}</code>
          </Text>
          {v.appManaged ? null : (
            <>
              <div className={s.grid}>
                <Field label={at('appClientId')}>
                  <Input value={clientId} onChange={(_e, d) => setClientId(d.value)} />
                </Field>
                <Field
                  label={`${at('appSecret')} (${v.clientSecretSet ? at('set') : at('notSet')})`}
                  hint={at('appSecretHint')}
                >
                  <Input
                    type="password"
                    value={secret}
                    onChange={(_e, d) => setSecret(d.value)}
                    autoComplete="new-password"
                  />
                </Field>
                <Field label={at('secretExpires')}>
                  <Input type="date" value={expires} onChange={(_e, d) => setExpires(d.value)} />
                </Field>
              </div>
            </>
          )}
          <div className={s.grid}>
            <Field label={at('cloudlinkAccount')}>
              <Input value={cl.accountId} onChange={(_e, d) => setCl({ ...cl, accountId: d.value })} />
            </Field>
            <Field label={at('cloudlinkClientId')}>
              <Input value={cl.clientId} onChange={(_e, d) => setCl({ ...cl, clientId: d.value })} />
            </Field>
            <Field
              label={`${at('cloudlinkSecret')} (${v.cloudlink?.clientSecretSet ? at('set') : at('notSet')})`}
              hint={at('appSecretHint')}
            >
              <Input
                type="password"
                value={cl.clientSecret}
                onChange={(_e, d) => setCl({ ...cl, clientSecret: d.value })}
                autoComplete="new-password"
              />
            </Field>
          </div>
          <div className={s.row}>
            <Button appearance="primary" disabled={save.busy} onClick={() => void submit()}>
              {at('save')}
            </Button>
            {saved ? <Text role="status">{at('saved')}</Text> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
