import {
  Button,
  FluentProvider,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  tokens,
} from '@fluentui/react-components';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { MeResponse } from '../../../shared/api/contract';
import type { ApiClient } from '../api/client';
import { ApiRequestError } from '../api/errors';
import { userMessage } from '../api/user-message';
import { clientTypeOf } from '../callto/uri';
import { HistoryPage } from '../features/history/HistoryPage';
import { ReportPage } from '../features/report/ReportPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { SyncStatusPage } from '../features/sync-status/SyncStatusPage';
import { I18nContext, pickLanguage, translator, useT } from '../i18n';
import type { TeamsHost, TeamsTheme } from '../teams/host';
import { AppEnvContext, type AppEnv } from './env';
import { fluentTheme } from './theme';

/** Admin pages are a separate chunk: most users never open them, so they never download them. */
const AdminPage = lazy(() => import('../features/admin/AdminPage'));
/** So is the hosting provider's operator view (hosted mode). */
const OperatorPage = lazy(() => import('../features/operator/OperatorPage'));

type Page = 'history' | 'sync' | 'report' | 'settings' | 'admin' | 'operator';

/**
 * Which pages the user may open. A user of the hosting provider's own tenant that is no customer (customerTenant
 * false) has the operator view only: every customer page would be refused.
 */
function allowedPage(me: MeResponse | null, page: Page): boolean {
  if (!me) return true;
  if (page === 'operator') return me.user.isOperator;
  if (!me.user.customerTenant) return false;
  return page !== 'admin' || me.user.isAdmin;
}

const useStyles = makeStyles({
  root: {
    height: '100vh',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  nav: { borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, padding: '0 8px', flexShrink: 0 },
  // One row, as in Teams: on a phone the row scrolls sideways (the selected tab is scrolled into view) instead of
  // wrapping to a second row.
  tabs: {
    flexWrap: 'nowrap',
    overflowX: 'auto',
    overflowY: 'hidden',
    scrollbarWidth: 'none',
    '::-webkit-scrollbar': { display: 'none' },
  },
  tab: { flexShrink: 0, whiteSpace: 'nowrap' },
  main: {
    flexGrow: 1,
    minHeight: 0,
    overflow: 'auto',
    padding: '16px',
    display: 'flex',
    flexDirection: 'column',
  },
});

/** The signed-in tab: theme and language from Teams, the user from /api/me, and the pages. */
export function Shell(props: { host: TeamsHost; api: ApiClient; initialPage?: Page }) {
  const { host, api } = props;
  const [theme, setTheme] = useState<TeamsTheme>(host.context.theme);
  useEffect(() => host.onThemeChange(setTheme), [host]);
  const t = useMemo(() => translator(pickLanguage(host.context.locale)), [host.context.locale]);
  const [me, setMe] = useState<MeResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [page, setPage] = useState<Page>(props.initialPage ?? 'history');
  const s = useStyles();

  const loadMe = useCallback(async () => {
    setError(null);
    try {
      setMe(await api.me());
    } catch (e) {
      setError(e);
    }
  }, [api]);
  useEffect(() => void loadMe(), [loadMe]);
  useEffect(() => {
    const stop = api.onConsentRequired((e) => setError(e));
    return () => void stop();
  }, [api]);

  const env: AppEnv | null = useMemo(
    () =>
      me && {
        api,
        me,
        reloadMe: loadMe,
        locale: host.context.locale,
        language: pickLanguage(host.context.locale),
        timeZone: host.context.timeZone,
        clientType: clientTypeOf(host.context.hostClientType),
      },
    [api, me, loadMe, host.context],
  );
  const visiblePage: Page = allowedPage(me, page)
    ? page
    : me?.user.customerTenant === false
      ? 'operator'
      : 'history';
  // The tab row scrolls on a phone: keep the open page's tab in sight (jsdom has no scrollIntoView).
  useEffect(() => {
    document
      .querySelector<HTMLElement>('nav [role="tab"][aria-selected="true"]')
      ?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [visiblePage, env]);

  return (
    <FluentProvider
      theme={fluentTheme(theme)}
      className={s.root}
      data-theme={theme}
      lang={pickLanguage(host.context.locale)}
    >
      <I18nContext.Provider value={t}>
        {error ? (
          <main className={s.main}>
            <ErrorState error={error} retry={loadMe} consent={() => host.requestConsent()} />
          </main>
        ) : !env ? (
          <main className={s.main}>
            <Spinner label={t('signingIn')} />
          </main>
        ) : (
          <AppEnvContext.Provider value={env}>
            <nav className={s.nav} aria-label={t('navLabel')}>
              <TabList
                className={s.tabs}
                selectedValue={visiblePage}
                onTabSelect={(_e, d) => setPage(d.value as Page)}
              >
                {env.me.user.customerTenant ? (
                  <>
                    <Tab value="history" className={s.tab}>
                      {t('tabHistory')}
                    </Tab>
                    <Tab value="sync" className={s.tab}>
                      {t('tabSync')}
                    </Tab>
                    <Tab value="report" className={s.tab}>
                      {t('tabReport')}
                    </Tab>
                    <Tab value="settings" className={s.tab}>
                      {t('tabSettings')}
                    </Tab>
                  </>
                ) : null}
                {allowedPage(env.me, 'admin') ? (
                  <Tab value="admin" className={s.tab}>
                    {t('tabAdmin')}
                  </Tab>
                ) : null}
                {env.me.user.isOperator ? (
                  <Tab value="operator" className={s.tab}>
                    {t('tabOperator')}
                  </Tab>
                ) : null}
              </TabList>
            </nav>
            <main className={s.main}>
              {visiblePage === 'history' ? <HistoryPage /> : null}
              {visiblePage === 'sync' ? <SyncStatusPage /> : null}
              {visiblePage === 'report' ? <ReportPage /> : null}
              {visiblePage === 'settings' ? <SettingsPage /> : null}
              {visiblePage === 'admin' ? (
                <Suspense fallback={<Spinner label={t('loading')} />}>
                  <AdminPage />
                </Suspense>
              ) : null}
              {visiblePage === 'operator' ? (
                <Suspense fallback={<Spinner label={t('loading')} />}>
                  <OperatorPage />
                </Suspense>
              ) : null}
            </main>
          </AppEnvContext.Provider>
        )}
      </I18nContext.Provider>
    </FluentProvider>
  );
}

/** Sign-in and /api/me failures, with the one path that fixes missing consent: Teams' authentication window. */
function ErrorState(props: { error: unknown; retry(): Promise<void>; consent(): Promise<void> }) {
  const t = useT();
  const [consentError, setConsentError] = useState<unknown>(null);
  const { error } = props;
  if (error instanceof ApiRequestError && error.tenantNotOnboarded) {
    return <NotOnboarded onboardUrl={error.onboardUrl} />;
  }
  if (error instanceof ApiRequestError && error.needsConsent) {
    return (
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          {t('consentNeeded')}
          {consentError ? <div role="alert">{userMessage(t, consentError)}</div> : null}
          <div>
            <Button
              appearance="primary"
              onClick={async () => {
                try {
                  await props.consent();
                  await props.retry();
                } catch (e) {
                  setConsentError(e);
                }
              }}
            >
              {t('consentButton')}
            </Button>
          </div>
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        {t('signInFailed', { message: userMessage(t, error) })}
        {error instanceof ApiRequestError && error.requestId ? (
          <div>{t('requestIdNote', { id: error.requestId })}</div>
        ) : null}
        <div>
          <Button onClick={() => void props.retry()}>{t('retry')}</Button>
        </div>
      </MessageBarBody>
    </MessageBar>
  );
}

/**
 * Hosted mode: the user's organisation is not served. Nothing to retry; the organisation's admin signs it up (admin
 * consent) at the server's address, opened outside Teams. Only an http(s) address is made a link.
 */
function NotOnboarded(props: { onboardUrl?: string }) {
  const t = useT();
  const url = props.onboardUrl && /^https?:\/\//i.test(props.onboardUrl) ? props.onboardUrl : undefined;
  return (
    <MessageBar intent="info" layout="multiline">
      <MessageBarBody>
        {t('notOnboarded')}
        {url ? (
          <div>
            {t('notOnboardedAdmin')}{' '}
            <Link href={url} target="_blank" rel="noopener noreferrer">
              {t('notOnboardedLink')}
            </Link>
          </div>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}
