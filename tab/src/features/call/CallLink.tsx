import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { CallRegular, DismissRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useT } from '../../i18n';
import { watchLaunch } from './launch-watch';

/**
 * The call button: a real link the user clicks. Inside the Teams iframe, navigating programmatically (location.href,
 * window.open from script) is blocked or replaces the tab; a user-activated target=_blank link is let through.
 */
export function CallLink(props: {
  href: string;
  label: string;
  children?: ReactNode;
  onNotHandled(): void;
  appearance?: 'primary' | 'subtle' | 'secondary';
}) {
  const stopRef = useRef<() => void>();
  useEffect(() => () => stopRef.current?.(), []);
  return (
    <Button
      as="a"
      href={props.href}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={props.label}
      title={props.label}
      icon={<CallRegular />}
      appearance={props.appearance ?? 'subtle'}
      onClick={() => {
        stopRef.current?.();
        stopRef.current = watchLaunch(window, props.onNotHandled);
      }}
    >
      {props.children}
    </Button>
  );
}

/** Tells the user what to install or set as default when a call link went nowhere. */
export function NotHandledNotice(props: { href: string | null; onDismiss(): void }) {
  const t = useT();
  if (!props.href) return null;
  const scheme = props.href.slice(0, props.href.indexOf(':') + 1);
  const app = scheme === 'tel:' ? t('callNotHandledTel') : t('callNotHandledCustom', { scheme });
  return (
    <MessageBar intent="warning" role="alert">
      <MessageBarBody>{t('callNotHandled', { app, scheme })}</MessageBarBody>
      <MessageBarActions
        containerAction={
          <Button
            appearance="transparent"
            aria-label={t('dismiss')}
            icon={<DismissRegular />}
            onClick={props.onDismiss}
          />
        }
      />
    </MessageBar>
  );
}

/** Stable callbacks: every row of the call list gets `notHandled`, and a new function would re-render them all. */
export function useNotHandled() {
  const [href, setHref] = useState<string | null>(null);
  const notHandled = useCallback((h: string) => setHref(h), []);
  const dismiss = useCallback(() => setHref(null), []);
  return { href, notHandled, dismiss };
}
