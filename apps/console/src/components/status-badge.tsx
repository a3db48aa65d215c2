import { useTranslation } from 'react-i18next';
import type { DisplayStatus } from '../format.ts';

export function StatusBadge({ status }: { status: DisplayStatus }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${status}`}>{t(`status.${status}`)}</span>;
}
