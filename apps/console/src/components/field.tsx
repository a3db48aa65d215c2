import { type ReactNode, useId } from 'react';

/** The ids that tie a control to its label, hint and error. */
export type FieldIds = { id: string; describedBy: string | undefined; invalid: true | undefined };

type FieldProps = {
  label: string;
  hint?: string;
  /** A validation message shown right under the control (and announced with it). */
  error?: string | null;
  /** Renders the control with the ids that tie it to its label, hint and error. */
  children: (ids: FieldIds) => ReactNode;
};

/** A labelled form control with an optional hint and validation message, wired up for screen readers. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: error ? true : undefined })}
      {error ? <FieldError id={errorId} message={error} /> : null}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A validation message under its control. */
export function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
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

type RadioChoicesProps<T extends string> = {
  /** The group's name; each button's id is `${name}-${value}`. */
  name: string;
  choices: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
};

/** A `.radio-row` of labelled radio buttons, one per choice. */
export function RadioChoices<T extends string>({ name, choices, value, onChange }: RadioChoicesProps<T>) {
  return (
    <div className="radio-row">
      {choices.map((choice) => (
        <RadioOption
          key={choice.value}
          id={`${name}-${choice.value}`}
          name={name}
          label={choice.label}
          checked={value === choice.value}
          onChange={() => onChange(choice.value)}
        />
      ))}
    </div>
  );
}
