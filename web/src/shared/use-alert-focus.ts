import { useEffect } from 'react';

/** The newest element with role="alert" among `nodes` (themselves or inside them), if any. */
function newestAlert(nodes: Iterable<Node>): HTMLElement | null {
  let found: HTMLElement | null = null;
  for (const node of nodes) {
    if (!(node instanceof HTMLElement)) continue;
    if (node.getAttribute('role') === 'alert') found = node;
    const inner = node.querySelectorAll<HTMLElement>('[role="alert"]');
    if (inner.length > 0) found = inner[inner.length - 1]!;
  }
  return found;
}

/** Moves focus to an alert and brings it into view (scroll-margin in styles.css keeps it clear of the header). */
export function focusAlert(alert: HTMLElement): void {
  if (!alert.isConnected || alert.dataset.noFocus !== undefined) return;
  if (!alert.hasAttribute('tabindex')) alert.tabIndex = -1;
  alert.focus({ preventScroll: true });
  alert.scrollIntoView({ block: 'nearest' });
}

/**
 * Whenever a refusal or error alert (any element with role="alert": the shared ErrorAlert, the missing-fields,
 * pending-approvals and stale-version alerts, a dialog's refusal) appears anywhere in the document, focus
 * moves to it and it is scrolled into view, so that a keyboard or screen reader user lands on what went
 * wrong and a sighted one sees it even when the button that failed was far below. One observer serves the
 * whole app, so no page can forget it; an alert may opt out with `data-no-focus`.
 */
export function useAlertFocus(): void {
  useEffect(() => {
    const observer = new MutationObserver((records) => {
      const alert = newestAlert(records.flatMap((r) => [...r.addedNodes]));
      // After React has committed the rest of the update (an alert often comes with the form it belongs to).
      if (alert) requestAnimationFrame(() => focusAlert(alert));
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
}
