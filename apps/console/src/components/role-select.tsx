import { useTranslation } from 'react-i18next';
import type { RoleView } from '../types.ts';
import { Field } from './field.tsx';

type RoleSelectProps = {
  label: string;
  hint?: string;
  roles: Pick<RoleView, 'id' | 'name' | 'scopes'>[];
  value: string;
  onChange: (roleId: string) => void;
  /** Shows each role's scopes next to its name. */
  withScopes?: boolean;
};

/** The role a member, invitee or service account gets: only roles the user may hand out. */
export function RoleSelect({ label, hint, roles, value, onChange, withScopes = false }: RoleSelectProps) {
  const { t } = useTranslation();
  return (
    <Field label={label} hint={hint}>
      {({ id, describedBy }) => (
        <select
          id={id}
          required
          aria-describedby={describedBy}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{t('create.choose-role')}</option>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {withScopes ? `${r.name} — ${r.scopes.join(' ')}` : r.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
