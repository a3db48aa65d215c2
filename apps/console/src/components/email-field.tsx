import { Field } from './field.tsx';

type EmailFieldProps = {
  label: string;
  value: string;
  onChange: (email: string) => void;
  /** `username` where the address signs its owner in, so password managers offer it. */
  autoComplete?: 'username';
  /** Takes the focus when its dialog opens. */
  autoFocus?: boolean;
};

/** A required email address input with its label. */
export function EmailField({ label, value, onChange, autoComplete, autoFocus = false }: EmailFieldProps) {
  return (
    <Field label={label}>
      {({ id }) => (
        <input
          id={id}
          type="email"
          required
          autoComplete={autoComplete}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-autofocus={autoFocus || undefined}
        />
      )}
    </Field>
  );
}
