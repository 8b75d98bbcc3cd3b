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

/** The link's fields an admin can change but not empty: the API keeps the saved value for a missing one. */
type RequiredField = 'clientId' | 'expires' | 'cloudlinkAccount' | 'cloudlinkClientId';

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
  const [outcome, setOutcome] = useState<'saved' | 'unchanged' | null>(null);
  const [missing, setMissing] = useState<ReadonlySet<RequiredField>>(new Set());
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
    const v = tenant.data;
    if (!v) return;
    setOutcome(null);
    // The API has no "remove" for these: an emptied field used to be left out of the request, so the old value
    // stayed while the page said "Saved.". Empty is refused here instead; only a secret's empty means keep.
    const empty = new Set<RequiredField>();
    if (!v.appManaged) {
      if (v.clientId && !clientId.trim()) empty.add('clientId');
      if (v.clientSecretExpiresAt && !expires) empty.add('expires');
    }
    const clTouched = Boolean(v.cloudlink || cl.accountId.trim() || cl.clientId.trim() || cl.clientSecret);
    if (clTouched && !cl.accountId.trim()) empty.add('cloudlinkAccount');
    if (clTouched && !cl.clientId.trim()) empty.add('cloudlinkClientId');
    setMissing(empty);
    if (empty.size > 0) return;

    // Only what differs from what is saved, so an untouched form says so instead of "Saved.".
    const update: TenantLinkUpdate = {};
    // A hosted provider's app registration is not the customer's to change: only CloudLink is sent.
    if (!v.appManaged) {
      if (clientId.trim().toLowerCase() !== v.clientId.toLowerCase()) update.clientId = clientId.trim();
      if (secret) update.clientSecret = secret;
      const exp = fromDateInput(expires);
      if (exp && expires !== toDateInput(v.clientSecretExpiresAt)) update.clientSecretExpiresAt = exp;
    }
    if (
      clTouched &&
      (cl.accountId.trim() !== v.cloudlink?.accountId ||
        cl.clientId.trim() !== v.cloudlink?.clientId ||
        cl.clientSecret)
    ) {
      update.cloudlink = {
        accountId: cl.accountId.trim(),
        clientId: cl.clientId.trim(),
        ...(cl.clientSecret ? { clientSecret: cl.clientSecret } : {}),
      };
    }
    if (Object.keys(update).length === 0) {
      setOutcome('unchanged');
      return;
    }
    const ok = await save.run(async () => tenant.setData(await api.admin.saveTenant(update)));
    if (ok) {
      setSecret('');
      setCl((c) => ({ ...c, clientSecret: '' }));
      setOutcome('saved');
    }
  };
  const required = (field: RequiredField) =>
    missing.has(field)
      ? {
          validationState: 'error' as const,
          validationMessage: at(field === 'expires' ? 'expiryRequired' : 'fieldRequired'),
        }
      : {};

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
                <Field label={at('appClientId')} {...required('clientId')}>
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
                <Field label={at('secretExpires')} {...required('expires')}>
                  <Input type="date" value={expires} onChange={(_e, d) => setExpires(d.value)} />
                </Field>
              </div>
            </>
          )}
          <div className={s.grid}>
            <Field label={at('cloudlinkAccount')} {...required('cloudlinkAccount')}>
              <Input value={cl.accountId} onChange={(_e, d) => setCl({ ...cl, accountId: d.value })} />
            </Field>
            <Field label={at('cloudlinkClientId')} {...required('cloudlinkClientId')}>
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
            {outcome ? (
              <Text role="status">{at(outcome === 'saved' ? 'saved' : 'nothingChanged')}</Text>
            ) : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
