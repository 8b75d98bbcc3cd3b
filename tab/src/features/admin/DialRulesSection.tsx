import { Button, Checkbox, Field, Input, Select, Text } from '@fluentui/react-components';
import { getCountries } from 'libphonenumber-js';
import { useMemo, useState } from 'react';
import type { DialRules } from '../../../../shared/api/contract';
import { dialStringOf, dialTargetOf, OUTSIDE_PREFIX } from '../../../../shared/domain/dialing';
import { useEnv } from '../../app/env';
import { fill, type Language } from '../../i18n';
import { ErrorBar, Heading, useAction, useAdminStyles, useLoad } from './common';

const TEXTS = {
  en: {
    title: 'Dialling rules',
    hint: 'How numbers are read and dialled for everyone in your company, whatever language their Teams shows.',
    country: 'Company country',
    countryHint:
      'National numbers (030 1234567) are read in this country. Without one, only +… numbers work.',
    notSet: 'Not set',
    prefix: 'Outside-line prefix',
    prefixHint:
      'The digit your phones dial for an outside line (0 or 9), or empty. Numbers typed or recorded with it still dial correctly.',
    prefixInvalid: 'Empty, or one or two digits.',
    dialWithPrefix:
      'Dial the prefix before outside numbers (only if the PBX does not route +… numbers itself)',
    example: '{typed} dials {dialled}',
    save: 'Save',
    saved: 'Saved.',
  },
  de: {
    title: 'Wählregeln',
    hint: 'Wie Nummern für alle in Ihrer Firma gelesen und gewählt werden, egal in welcher Sprache ihr Teams läuft.',
    country: 'Land der Firma',
    countryHint: 'Nationale Nummern (030 1234567) gelten in diesem Land. Ohne Land gehen nur +…-Nummern.',
    notSet: 'Nicht festgelegt',
    prefix: 'Amtsholung',
    prefixHint:
      'Die Ziffer, mit der Ihre Telefone eine Amtsleitung holen (0 oder 9), oder leer. Nummern mit dieser Ziffer werden trotzdem richtig gewählt.',
    prefixInvalid: 'Leer, oder eine oder zwei Ziffern.',
    dialWithPrefix:
      'Amtsholung vor externe Nummern setzen (nur wenn die Telefonanlage +…-Nummern nicht selbst leitet)',
    example: '{typed} wählt {dialled}',
    save: 'Speichern',
    saved: 'Gespeichert.',
  },
} satisfies Record<Language, Record<string, string>>;

/** A national number of the country, to show what the rules do with it. */
const SAMPLE: Partial<Record<string, string>> = {
  DE: '030 1234567',
  AT: '01 234 5678',
  US: '(212) 555-0100',
};

/** The company's default country and the PBX's outside-line prefix (per tenant, used by every user's tab). */
export function DialRulesSection() {
  const { api, language } = useEnv();
  const x = TEXTS[language];
  const s = useAdminStyles();
  const rules = useLoad(() => api.admin.dialRules());
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames([language], { type: 'region' });
    return getCountries()
      .map((code) => ({ code, name: names.of(code) ?? code }))
      .sort((a, b) => a.name.localeCompare(b.name, language));
  }, [language]);
  const data = rules.data;
  const change = (patch: Partial<DialRules>) => {
    if (!data) return;
    setSaved(false);
    const next = { ...data, ...patch };
    // Dialling a prefix needs a prefix and a country; the server refuses the combination, so the box follows.
    if (!next.outsidePrefix || !next.country) next.dialWithPrefix = false;
    rules.setData(next);
  };
  const prefixValid = data ? OUTSIDE_PREFIX.test(data.outsidePrefix) : true;
  const sample = data?.country ? (SAMPLE[data.country] ?? null) : null;
  const target = data && sample && prefixValid ? dialTargetOf(sample, data) : null;
  return (
    <section className={s.section} aria-label={x.title}>
      <Heading>{x.title}</Heading>
      <Text>{x.hint}</Text>
      <ErrorBar error={rules.error ?? save.error} />
      {data ? (
        <>
          <Field label={x.country} hint={x.countryHint}>
            <Select
              value={data.country ?? ''}
              onChange={(_e, d) => change({ country: d.value === '' ? null : d.value })}
            >
              <option value="">{x.notSet}</option>
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.code})
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label={x.prefix}
            hint={x.prefixHint}
            validationState={prefixValid ? 'none' : 'error'}
            validationMessage={prefixValid ? undefined : x.prefixInvalid}
          >
            <Input
              value={data.outsidePrefix}
              inputMode="numeric"
              onChange={(_e, d) => change({ outsidePrefix: d.value.trim() })}
            />
          </Field>
          <Checkbox
            label={x.dialWithPrefix}
            checked={data.dialWithPrefix}
            disabled={!data.outsidePrefix || !data.country || !prefixValid}
            onChange={(_e, d) => change({ dialWithPrefix: d.checked === true })}
          />
          {sample && target ? (
            <Text className={s.sub} role="note">
              {fill(x.example, { typed: sample, dialled: dialStringOf(target, data) })}
            </Text>
          ) : null}
          <div className={s.row}>
            <Button
              appearance="primary"
              disabled={!prefixValid || save.busy}
              onClick={() =>
                void save.run(async () => {
                  rules.setData(await api.admin.saveDialRules(data));
                  setSaved(true);
                })
              }
            >
              {x.save}
            </Button>
            {saved ? <Text role="status">{x.saved}</Text> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
