import { useTranslation } from 'react-i18next';

type TableFooterProps = {
  /** How many rows are shown, as a sentence. */
  showing: string;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
};

/** Under a paged table: the row count and, while the API has more, a button that fetches the next page. */
export function TableFooter({ showing, hasMore, loading, onLoadMore }: TableFooterProps) {
  const { t } = useTranslation();
  return (
    <div className="table-footer">
      <output className="muted block">{showing}</output>
      {hasMore ? (
        <button type="button" className="button button-secondary" disabled={loading} onClick={onLoadMore}>
          {t('common.load-more')}
        </button>
      ) : null}
    </div>
  );
}
