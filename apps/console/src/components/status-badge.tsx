import { useTranslation } from 'react-i18next';
import type { DisplayStatus } from '../format.ts';

export function StatusBadge({ status }: { status: DisplayStatus }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${status}`}>{t(`status.${status}`)}</span>;
}

/** Whether a member or service account may act. */
export function ActiveBadge({ active }: { active: boolean }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${active ? 'badge-active' : 'badge-disabled'}`}>
      {active ? t('sa.active') : t('sa.inactive')}
    </span>
  );
}
