import type { FormEvent, ReactNode } from 'react';
import { useSubmit } from '../use-submit.ts';
import { Dialog, DialogActions } from './dialog.tsx';
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
  const { busy, error, setError, run } = useSubmit();

  const close = () => {
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(onConfirm);
  };

  return (
    <Dialog open={open} title={title} onClose={close}>
      <form onSubmit={submit} noValidate>
        <div className="dialog-message">{message}</div>
        {children}
        <ErrorBanner error={error} />
        <DialogActions onCancel={close} submitLabel={confirmLabel} busy={busy} danger={danger} focusCancel />
      </form>
    </Dialog>
  );
}
