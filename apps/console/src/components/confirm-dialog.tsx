import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './dialog.tsx';
import { ErrorBanner } from './error-banner.tsx';

type ConfirmDialogProps = {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Extra form fields (a reason, a grace period). */
  children?: ReactNode;
  onConfirm: () => Promise<void>;
  onClose: () => void;
};

/** Asks before something that cannot be undone; shows the API's refusal with its error id. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  danger = false,
  children,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={title} onClose={close}>
      <form onSubmit={submit} noValidate>
        <div className="dialog-message">{message}</div>
        {children}
        <ErrorBanner error={error} />
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={close} data-autofocus>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className={danger ? 'button button-danger' : 'button button-primary'}
            disabled={busy}
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
