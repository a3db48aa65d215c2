import { useTranslation } from 'react-i18next';
import { Field } from './field.tsx';

type EmailFieldProps = {
  value: string;
  onChange: (email: string) => void;
};

/** The required, autofocused email address of someone being added or invited to the project. */
export function EmailField({ value, onChange }: EmailFieldProps) {
  const { t } = useTranslation();
  return (
    <Field label={t('members.col.email')}>
      {({ id }) => (
        <input
          id={id}
          type="email"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-autofocus
        />
      )}
    </Field>
  );
}
