import { type ReactNode, useId } from 'react';

type FieldProps = {
  label: string;
  hint?: string;
  /** Renders the control with the ids that tie it to its label and hint. */
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
};

/** A labelled form control with an optional hint, wired up for screen readers. */
export function Field({ label, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy: hint ? hintId : undefined })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type RadioOptionProps = {
  id: string;
  name: string;
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: () => void;
};

/** One labelled radio button of a `.radio-row`. */
export function RadioOption({ id, name, label, checked, disabled, onChange }: RadioOptionProps) {
  return (
    <div className="field-checkbox">
      <input type="radio" id={id} name={name} checked={checked} disabled={disabled} onChange={onChange} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
