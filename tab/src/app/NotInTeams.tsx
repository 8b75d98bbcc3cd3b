import { Body1, FluentProvider, makeStyles, teamsLightTheme, Title2 } from '@fluentui/react-components';
import { translator, type Language } from '../i18n';

const useStyles = makeStyles({
  box: {
    maxWidth: '560px',
    margin: '64px auto',
    padding: '0 16px',
    display: 'flex',
    flexDirection: 'column',
    gap: '12px',
  },
});

/** Opened in a plain browser: say so at once instead of waiting for a host that will never answer. */
export function NotInTeams(props: { language: Language }) {
  const t = translator(props.language);
  const s = useStyles();
  return (
    <FluentProvider theme={teamsLightTheme}>
      <main className={s.box}>
        <Title2 as="h1">{t('notInTeamsTitle')}</Title2>
        <Body1>{t('notInTeamsBody')}</Body1>
      </main>
    </FluentProvider>
  );
}
