import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { formatDate } from '../format.ts';

type Notice = {
  kind: 'expiring' | 'idle';
  token_id: string;
  name: string;
  hint: string;
  at: string;
  days_left: number;
};

/**
 * Tokens expiring within their reminder window, or about to be revoked as idle. `mine` shows the
 * signed-in user's own (API Access); otherwise the project's (needs tokens:read).
 */
export function TokenNotices({ mine = false }: { mine?: boolean }) {
  const { t } = useTranslation();
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    let cancelled = false;
    api<{ data: Notice[] }>('GET', mine ? '/v1/me/reminders' : '/v1/reminders')
      .then((answer) => {
        if (!cancelled) setNotices(answer.data);
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [mine]);
  if (notices.length === 0) return null;
  return (
    <section className="notice" aria-label={t('notices.title')}>
      <h2>{t('notices.title')}</h2>
      <ul>
        {notices.map((n) => (
          <li key={`${n.kind}:${n.token_id}`}>
            {t(n.kind === 'expiring' ? 'notices.expiring' : 'notices.idle', {
              name: n.name,
              hint: n.hint,
              days: n.days_left,
              date: formatDate(n.at),
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}
