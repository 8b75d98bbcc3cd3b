import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { requestIdOf, userMessage } from '../api/user-message';
import { useT } from '../i18n';

/**
 * A failed load or action, in the user's language, with a retry when one makes sense. Every page shows errors
 * through this bar, so the same failure reads the same everywhere.
 */
export function ProblemBar(props: { error: unknown; retry?: () => unknown; lead?: string }) {
  const t = useT();
  if (!props.error) return null;
  const requestId = requestIdOf(props.error);
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        {props.lead ? <strong>{props.lead} </strong> : null}
        {userMessage(t, props.error)}
        {requestId ? <div>{t('requestIdNote', { id: requestId })}</div> : null}
      </MessageBarBody>
      {props.retry ? (
        <MessageBarActions>
          <Button onClick={() => void props.retry?.()}>{t('retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
