import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './dialog.tsx';

type SecretRevealProps = {
  /** The cleartext secret; the dialog is open while it is set. The caller clears it in onDone. */
  secret: string | null;
  title: string;
  fieldLabel: string;
  /** Name of the variable in the downloaded .env file; null: no download (e.g. a link). */
  envName?: string | null;
  fileName?: string;
  /** Replaces the standard "shown only once" line. */
  description?: string;
  onDone: () => void;
};

/**
 * The one place a secret is ever shown: right after it was created, with copy and .env download,
 * and an "I have saved it" confirmation before it can be closed. Closing unmounts the value.
 */
export function SecretReveal({
  secret,
  title,
  fieldLabel,
  envName = 'KEYWARD_TOKEN',
  fileName = 'keyward-token.env',
  description,
  onDone,
}: SecretRevealProps) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const warningId = useId();

  useEffect(() => {
    if (secret === null) {
      setSaved(false);
      setAnnouncement('');
    }
  }, [secret]);

  const copy = async () => {
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret);
      setAnnouncement(t('secret.copied'));
    } catch {
      inputRef.current?.select();
      setAnnouncement(t('secret.copy-failed'));
    }
  };

  const download = () => {
    if (secret === null || envName === null) return;
    const url = URL.createObjectURL(new Blob([`${envName}=${secret}\n`], { type: 'text/plain' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.rel = 'noopener';
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setAnnouncement(t('secret.downloaded'));
  };

  const done = () => {
    setSaved(false);
    setAnnouncement('');
    onDone();
  };

  return (
    <Dialog
      open={secret !== null}
      title={title}
      onClose={done}
      dismissible={saved}
      description={description ?? t('secret.once')}
    >
      <div className="banner banner-warning" id={warningId}>
        <p>{t('secret.warning')}</p>
      </div>
      <div className="field">
        <label htmlFor={fieldId}>{fieldLabel}</label>
        <div className="secret-row">
          <input
            ref={inputRef}
            id={fieldId}
            className="secret-value"
            type="text"
            readOnly
            spellCheck={false}
            autoComplete="off"
            value={secret ?? ''}
            aria-describedby={warningId}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button
            type="button"
            className="button"
            onClick={copy}
            aria-label={t('copy-button-aria-label')}
            data-autofocus
          >
            {t('secret.copy')}
          </button>
        </div>
      </div>
      {envName === null ? null : (
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={download}>
            {t('secret.download-env')}
          </button>
        </div>
      )}
      <output className="hint block">{announcement}</output>
      <div className="field field-checkbox">
        <input
          id={`${fieldId}-saved`}
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved(e.target.checked)}
        />
        <label htmlFor={`${fieldId}-saved`}>{t('secret.saved')}</label>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" disabled={!saved} onClick={done}>
          {t('secret.done')}
        </button>
      </div>
    </Dialog>
  );
}
