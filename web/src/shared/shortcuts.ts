/** The id of the change list's search box; "/" anywhere in the app focuses it. */
export const CHANGE_SEARCH_ID = 'change-search';
