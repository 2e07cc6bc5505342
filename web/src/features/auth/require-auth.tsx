import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { useMe } from './session';

/** Renders its children for a signed-in user; otherwise sends them to sign in and back here after. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoader label="Checking your session" />;
  if (me.isError && me.data === undefined) {
    return (
      <div style={{ maxWidth: 480, margin: '80px auto' }}>
        <ErrorAlert error={me.error} title="Cannot load your session" onRetry={() => void me.refetch()} />
      </div>
    );
  }
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}
