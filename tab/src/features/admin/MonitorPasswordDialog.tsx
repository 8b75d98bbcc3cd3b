import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { MonitorPasswordRequest, MonitorView } from '../../../../shared/api/contract';
import { fromDateInput, useAdminStyles, useAdminT } from './common';

/**
 * "New password" for one monitor account: the password the admin just set in Entra and, if passwords expire there,
 * the new one's expiry date. It stays open while the server saves and signs the account in (a round trip to Entra),
 * so the admin sees it working; what came of it is said under the table, as for every monitor action.
 */
export function MonitorPasswordDialog(props: {
  /** The monitor the dialog is open for; null: closed. */
  monitor: MonitorView | null;
  saving: boolean;
  onSave: (request: MonitorPasswordRequest) => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={props.monitor !== null}
      // Closing while saving would read as cancelling a change that is already on its way.
      onOpenChange={(_e, d) => !d.open && !props.saving && props.onClose()}
    >
      <DialogSurface>
        {/* Mounted per opening, so a password typed for one monitor is never offered for the next. */}
        {props.monitor ? (
          <PasswordForm
            key={props.monitor.monitorId}
            user={props.monitor.username}
            saving={props.saving}
            onSave={props.onSave}
            onCancel={props.onClose}
          />
        ) : null}
      </DialogSurface>
    </Dialog>
  );
}

function PasswordForm(props: {
  user: string;
  saving: boolean;
  onSave: (request: MonitorPasswordRequest) => void;
  onCancel: () => void;
}) {
  const at = useAdminT();
  const s = useAdminStyles();
  const [password, setPassword] = useState('');
  // Empty, not the old date: that one belonged to the old password.
  const [expires, setExpires] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (password && !props.saving) props.onSave({ password, passwordExpiresAt: fromDateInput(expires) });
      }}
    >
      <DialogBody>
        <DialogTitle>{at('monPasswordTitle', { user: props.user })}</DialogTitle>
        <DialogContent className={s.section}>
          <Text>{at('monPasswordBody')}</Text>
          <Field label={at('password')} required>
            <Input
              type="password"
              value={password}
              disabled={props.saving}
              onChange={(_e, d) => setPassword(d.value)}
              autoComplete="new-password"
            />
          </Field>
          <Field label={at('monPasswordExpires')}>
            <Input
              type="date"
              value={expires}
              disabled={props.saving}
              onChange={(_e, d) => setExpires(d.value)}
            />
          </Field>
        </DialogContent>
        <DialogActions>
          <Button disabled={props.saving} onClick={props.onCancel}>
            {at('cancel')}
          </Button>
          <Button
            type="submit"
            appearance="primary"
            disabled={props.saving || !password}
            icon={props.saving ? <Spinner size="extra-tiny" /> : undefined}
          >
            {props.saving ? at('saving') : at('save')}
          </Button>
        </DialogActions>
      </DialogBody>
    </form>
  );
}
