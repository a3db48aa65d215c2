import { useTranslation } from 'react-i18next';
import i18n from '../i18n/index.ts';
import type { UsageWindow } from '../usage.ts';

// The parts of a usage view that need no chart library: the chart itself (Recharts) loads apart.

/** Bar colours keep at least 3:1 against white (WCAG non-text contrast); the legend names each. */
const OUTCOME_COLOURS: Record<string, string> = {
  VALID: '#1b7a43',
  REVOKED: '#b42318',
  EXPIRED: '#8a5a00',
  RATE_LIMITED: '#c2410c',
  INSUFFICIENT_SCOPE: '#6d28d9',
  DISABLED: '#475467',
  ROTATED: '#0e7490',
  OWNER_INACTIVE: '#9d174d',
  IP_NOT_ALLOWED: '#1d4ed8',
  NOT_FOUND: '#57534e',
  MALFORMED: '#3f3f46',
};
const FALLBACK_COLOURS = ['#0f766e', '#a21caf', '#4338ca', '#854d0e'];

export function outcomeColour(outcome: string, index = 0): string {
  return OUTCOME_COLOURS[outcome] ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length] ?? '#3f3f46';
}

/** "Admitted", "Revoked" …; an outcome the console does not know keeps its code. */
export function outcomeLabel(outcome: string): string {
  const key = `usage.outcome.${outcome}`;
  return i18n.exists(key) ? i18n.t(key) : outcome;
}

/** The "Last 24 hours / Last 30 days" switch above a chart. */
export function GranularitySwitch({
  value,
  onChange,
}: {
  value: UsageWindow['granularity'];
  onChange: (value: UsageWindow['granularity']) => void;
}) {
  const { t } = useTranslation();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="segmented" role="group" aria-label={t('usage.period')}>
      {(['hour', 'day'] as const).map((g) => (
        <button key={g} type="button" aria-pressed={value === g} onClick={() => onChange(g)}>
          {g === 'hour' ? t('usage.last-24h') : t('usage.last-30d')}
        </button>
      ))}
    </div>
  );
}
