import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { holdsAll, isValidScope } from '../scopes.ts';

type ScopePickerProps = {
  legend: string;
  /** Scopes offered as checkboxes (already limited to what the user may grant). */
  options: string[];
  /** The signed-in user's own scopes: custom scopes beyond them are refused here already. */
  granted: string[];
  value: string[];
  onChange: (scopes: string[]) => void;
};

/** Checkboxes for known scopes plus a field for a custom `resource:action` within the user's rights. */
export function ScopePicker({ legend, options, granted, value, onChange }: ScopePickerProps) {
  const { t } = useTranslation();
  const [custom, setCustom] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const all = [...new Set([...options, ...value])];

  const toggle = (scope: string, on: boolean) => {
    onChange(on ? [...value, scope] : value.filter((s) => s !== scope));
  };

  const add = () => {
    const scope = custom.trim();
    if (!isValidScope(scope)) return setProblem(t('scopes.invalid'));
    if (!holdsAll(granted, [scope])) return setProblem(t('scopes.beyond-rights'));
    setProblem(null);
    setCustom('');
    if (!value.includes(scope)) onChange([...value, scope]);
  };

  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <div className="scope-grid">
        {all.map((scope) => (
          <div className="field-checkbox" key={scope}>
            <input
              id={`${id}-${scope}`}
              type="checkbox"
              checked={value.includes(scope)}
              onChange={(e) => toggle(scope, e.target.checked)}
            />
            <label htmlFor={`${id}-${scope}`}>
              <code>{scope}</code>
            </label>
          </div>
        ))}
      </div>
      <div className="field">
        <label htmlFor={`${id}-custom`}>{t('scopes.custom')}</label>
        <div className="secret-row">
          <input
            id={`${id}-custom`}
            value={custom}
            placeholder="resource:action"
            aria-describedby={`${id}-custom-hint`}
            aria-invalid={problem ? true : undefined}
            onChange={(e) => setCustom(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" className="button button-secondary" onClick={add}>
            {t('scopes.add')}
          </button>
        </div>
        <p className="hint" id={`${id}-custom-hint`} role={problem ? 'alert' : undefined}>
          {problem ?? t('scopes.custom-hint')}
        </p>
      </div>
    </fieldset>
  );
}

/** The scopes to offer: management scopes, scopes named by roles, the user's own — those the user holds. */
export function grantableScopes(granted: string[], candidates: string[]): string[] {
  return [...new Set(candidates)].filter((s) => isValidScope(s) && holdsAll(granted, [s])).sort();
}
