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
  const [copied, setCopied] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();
  const warningId = useId();

  useEffect(() => {
    if (secret === null) {
      setSaved(false);
      setAnnouncement('');
      setCopied(false);
    }
  }, [secret]);

  // The button says "Copied" for a moment, then offers to copy again.
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret);
      setAnnouncement(t('secret.copied'));
      setCopied(true);
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
    setCopied(false);
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
      <div className="field secret-box">
        <label htmlFor={fieldId}>{fieldLabel}</label>
        <textarea
          ref={inputRef}
          id={fieldId}
          className="secret-text"
          readOnly
          rows={Math.min(4, Math.max(2, Math.ceil((secret?.length ?? 0) / 44)))}
          spellCheck={false}
          autoComplete="off"
          autoCapitalize="off"
          value={secret ?? ''}
          aria-describedby={warningId}
          onFocus={(e) => e.currentTarget.select()}
        />
        <div className="secret-tools">
          <button
            type="button"
            className="button button-primary"
            onClick={copy}
            aria-label={t('copy-button-aria-label')}
            data-autofocus
          >
            <CopyIcon done={copied} />
            {copied ? t('secret.copied-short') : t('secret.copy')}
          </button>
          {envName === null ? null : (
            <button type="button" className="button button-secondary" onClick={download}>
              <DownloadIcon />
              {t('secret.download-env')}
            </button>
          )}
          <output className="copy-status" aria-live="polite">
            {announcement}
          </output>
        </div>
      </div>
      <div className="field-checkbox secret-confirm">
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

function CopyIcon({ done }: { done: boolean }) {
  return (
    <svg className="icon-copy" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor">
      {done ? (
        <path d="M3 8.5l3 3 7-7" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <rect x="5" y="5" width="9" height="9" rx="1.5" strokeWidth="1.5" />
          <path
            d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5"
            strokeWidth="1.5"
          />
        </>
      )}
    </svg>
  );
}

function DownloadIcon() {
  return (
    <svg className="icon-download" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor">
      <path
        d="M8 2v8m0 0l-3-3m3 3l3-3M3 13h10"
        strokeWidth="1.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
