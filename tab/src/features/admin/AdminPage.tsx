import { makeStyles, Tab, TabList } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useEnv } from '../../app/env';
import { useNarrow } from '../../app/useNarrow';
import { ClickToCallSection } from './ClickToCallSection';
import { AdminTContext } from './common';
import { DiagnosticsSection } from './DiagnosticsSection';
import { DialRulesSection } from './DialRulesSection';
import { HealthSection } from './HealthSection';
import { CheckSection, ResyncSection } from './JobSections';
import { MappingSection } from './MappingSection';
import { MonitorsSection } from './MonitorsSection';
import { ReportsSection } from './ReportsSection';
import { SelectionSection } from './SelectionSection';
import { TenantSection } from './TenantSection';
import { adminTranslator, type AdminTextKey } from './texts';

type Section =
  | 'tenant'
  | 'monitors'
  | 'mapping'
  | 'selection'
  | 'clickToCall'
  | 'check'
  | 'users'
  | 'resync'
  | 'health'
  | 'reports';
const SECTIONS: { value: Section; label: AdminTextKey }[] = [
  { value: 'health', label: 'secHealth' },
  { value: 'tenant', label: 'secTenant' },
  { value: 'monitors', label: 'secMonitors' },
  { value: 'mapping', label: 'secMapping' },
  { value: 'selection', label: 'secSelection' },
  { value: 'clickToCall', label: 'secClickToCall' },
  { value: 'check', label: 'secCheck' },
  { value: 'users', label: 'secUsers' },
  { value: 'resync', label: 'secResync' },
  { value: 'reports', label: 'secReports' },
];

const useStyles = makeStyles({
  layout: {
    display: 'flex',
    gap: '16px',
    alignItems: 'flex-start',
    '@media (max-width: 640px)': { flexDirection: 'column' },
  },
  content: { flexGrow: 1, minWidth: 0 },
  nav: { flexShrink: 0, minWidth: '200px', alignItems: 'stretch' },
  // On a phone the section list is one sideways-scrolling row, as the top tabs are, so a section's content starts
  // on the first screen instead of below ten menu lines.
  navRow: {
    flexWrap: 'nowrap',
    overflowX: 'auto',
    maxWidth: '100%',
    scrollbarWidth: 'none',
    '::-webkit-scrollbar': { display: 'none' },
  },
  navRowItem: { flexShrink: 0, whiteSpace: 'nowrap' },
  // A tab is a <button>, which centres its text: each label sat centred in the width its bold form reserves, so
  // labels started at different indents.
  navItem: { textAlign: 'start' },
});

/** The admin pages (a lazily loaded chunk). The server checks the admin role on every call; this only hides UI. */
export default function AdminPage() {
  const env = useEnv();
  const at = useMemo(() => adminTranslator(env.language), [env.language]);
  const [section, setSection] = useState<Section>('health');
  const [diagUser, setDiagUser] = useState<string | null>(null);
  const s = useStyles();
  const narrow = useNarrow();
  const diagnose = (id: string) => {
    setDiagUser(id);
    setSection('users');
  };
  return (
    <AdminTContext.Provider value={at}>
      <div className={s.layout}>
        <TabList
          className={narrow ? s.navRow : s.nav}
          vertical={!narrow}
          selectedValue={section}
          onTabSelect={(_e, d) => setSection(d.value as Section)}
          aria-label={at('sections')}
        >
          {SECTIONS.map((x) => (
            <Tab key={x.value} value={x.value} className={narrow ? s.navRowItem : s.navItem}>
              {at(x.label)}
            </Tab>
          ))}
        </TabList>
        <div className={s.content}>
          {section === 'tenant' ? <TenantSection /> : null}
          {section === 'monitors' ? <MonitorsSection /> : null}
          {section === 'mapping' ? <MappingSection /> : null}
          {section === 'selection' ? <SelectionSection onDiagnose={diagnose} /> : null}
          {section === 'clickToCall' ? <ClickToCallSection /> : null}
          {section === 'clickToCall' ? <DialRulesSection /> : null}
          {section === 'check' ? <CheckSection /> : null}
          {section === 'users' ? <DiagnosticsSection userId={diagUser} onSelect={setDiagUser} /> : null}
          {section === 'resync' ? <ResyncSection /> : null}
          {section === 'health' ? <HealthSection /> : null}
          {section === 'reports' ? <ReportsSection /> : null}
        </div>
      </div>
    </AdminTContext.Provider>
  );
}
