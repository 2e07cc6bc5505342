import { useCallback, useContext, useEffect, useRef } from 'react';
import { type Blocker, UNSAFE_DataRouterContext, useBlocker } from 'react-router';

export interface UnsavedChanges {
  /** The navigation waiting for an answer: `proceed()` leaves, `reset()` stays; null when none waits. */
  blocker: Blocker | null;
  /**
   * Lets the next navigation go without asking, at once (not on the next render): call it just before
   * navigating away after a save, while the form still counts as dirty.
   */
  release: () => void;
}

/**
 * Asks before leaving a form with unsaved edits: in-app navigation to another page waits on `blocker`
 * (the page shows UnsavedChangesDialog), and closing or reloading the tab brings up the browser's own prompt
 * (beforeunload). Moves within the page (its tabs, its query string) never ask.
 * NOTE: useBlocker needs a data router (app.tsx's createBrowserRouter, test/render.tsx's createMemoryRouter);
 * under a plain <MemoryRouter> (a few unit tests of other components) there is nothing to block with, so only
 * beforeunload applies. Whether a data router is present never changes while a component is mounted.
 */
export function useUnsavedChanges(dirty: boolean): UnsavedChanges {
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const released = useRef(false);
  if (!dirty) released.current = false;

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (released.current) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  const hasDataRouter = useContext(UNSAFE_DataRouterContext) !== null;
  const shouldBlock = useCallback(
    ({ currentLocation, nextLocation }: { currentLocation: { pathname: string }; nextLocation: { pathname: string } }) =>
      dirtyRef.current && !released.current && currentLocation.pathname !== nextLocation.pathname,
    [],
  );
  const blocker = hasDataRouter ? useBlocker(shouldBlock) : null;
  const release = useCallback(() => {
    released.current = true;
  }, []);
  return { blocker: blocker && blocker.state === 'blocked' ? blocker : null, release };
}
