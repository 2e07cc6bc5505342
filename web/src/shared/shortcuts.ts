/** The id of the change list's search box (its own filter; "/" opens the global search instead). */
export const CHANGE_SEARCH_ID = 'change-search';

/** Whether a key press lands in something the person types into, where a shortcut must not fire. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
