import { FluentProvider, Spinner, teamsLightTheme } from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { Shell } from './app/Shell';
import { NotInTeams } from './app/NotInTeams';
import { pickLanguage, translator } from './i18n';
import { connectToTeams } from './teams/connect';
import type { HostStart } from './teams/host';

/** The tab's entry: find the Teams host (or say plainly that there is none), then show the signed-in app. */
function Bootstrap() {
  const [start, setStart] = useState<HostStart | null>(null);
  useEffect(() => void connectToTeams().then(setStart), []);
  const api = useMemo(
    () => (start?.kind === 'teams' ? new ApiClient(() => start.host.getAuthToken()) : null),
    [start],
  );
  if (!start) {
    const t = translator(pickLanguage(navigator.language));
    return (
      <FluentProvider theme={teamsLightTheme}>
        <Spinner label={t('loading')} style={{ marginTop: 48 }} />
      </FluentProvider>
    );
  }
  if (start.kind === 'notInTeams' || !api) return <NotInTeams language={pickLanguage(navigator.language)} />;
  return <Shell host={start.host} api={api} />;
}

const container = document.getElementById('root');
if (container) createRoot(container).render(<Bootstrap />);
