import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

type DialogProps = {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Optional short text under the title, announced with it. */
  description?: ReactNode;
  /** When false, Escape and the close button do nothing (e.g. until a secret is confirmed saved). */
  dismissible?: boolean;
  wide?: boolean;
};

/**
 * A modal on the native <dialog>: the browser traps focus and makes the page inert; Escape
 * closes it (unless not dismissible) and focus returns to the element that opened it.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  description,
  dismissible = true,
  wide = false,
}: DialogProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();
  const state = useRef({ open, dismissible, onClose });
  state.current = { open, dismissible, onClose };

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const first = dialog.querySelector<HTMLElement>('[autofocus], [data-autofocus]');
      first?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const target = returnFocus.current;
      returnFocus.current = null;
      // The opener may be gone (a "Generate" button replaced by the result): fall back to the heading.
      if (target && target !== document.body && target.isConnected) target.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onCancel = (event: Event) => {
      event.preventDefault();
      if (state.current.dismissible) state.current.onClose();
    };
    // The browser may close a modal itself (repeated Escape); keep React's state the source of truth.
    const onNativeClose = () => {
      if (!state.current.open) return;
      if (state.current.dismissible) state.current.onClose();
      else dialog.showModal();
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
    >
      {open ? (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            {dismissible ? (
              <button type="button" className="icon-button" aria-label={t('dialog.close')} onClick={onClose}>
                <span aria-hidden="true">×</span>
              </button>
            ) : null}
          </header>
          {description ? (
            <p id={descriptionId} className="dialog-description">
              {description}
            </p>
          ) : null}
          <div className="dialog-body">{children}</div>
        </>
      ) : null}
    </dialog>
  );
}

type DialogActionsProps = {
  onCancel: () => void;
  submitLabel: string;
  busy: boolean;
  danger?: boolean;
  /** Puts the first focus on Cancel (for confirmations of what cannot be undone). */
  focusCancel?: boolean;
};

/** The Cancel and submit buttons at the foot of a dialog's form. */
export function DialogActions({
  onCancel,
  submitLabel,
  busy,
  danger = false,
  focusCancel = false,
}: DialogActionsProps) {
  const { t } = useTranslation();
  return (
    <div className="dialog-actions">
      <button
        type="button"
        className="button button-secondary"
        onClick={onCancel}
        data-autofocus={focusCancel || undefined}
      >
        {t('common.cancel')}
      </button>
      <button
        type="submit"
        className={danger ? 'button button-danger' : 'button button-primary'}
        disabled={busy}
      >
        {submitLabel}
      </button>
    </div>
  );
}
