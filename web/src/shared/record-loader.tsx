import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { ErrorAlert } from './error-alert';
import { PageLoader } from './loading';

/**
 * A record page's first moments: a loader, then "There is no such …" on a 404 (nothing to retry) or the
 * server's message with Try again, then the page itself. `what` names the record ("gate check").
 */
export function RecordLoader<T>({ query, what, children }: { query: UseQueryResult<T>; what: string; children: (data: T) => ReactNode }) {
  if (query.isPending) return <PageLoader label={`Loading the ${what}`} />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? `There is no such ${what}` : `Cannot load the ${what}`}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <>{children(query.data)}</>;
}
