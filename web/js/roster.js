// The teacher's last known roster, kept on this device (localStorage) so the console stays
// readable offline. It holds what the console showed (names, balances, links): the admin
// token is kept on this device already; "Forget token" clears both.
const KEY = 'tangopass:roster';

/** Saves the last /admin/list answer with the settings it was shown with. */
export function saveRoster(list, settings) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ savedAt: new Date().toISOString(), list, settings }));
  } catch {
    // Storage full or disabled: the console still works online.
  }
}

/** {savedAt, list, settings} or null. */
export function loadRoster() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    return saved && saved.list ? saved : null;
  } catch {
    return null;
  }
}

/** Forgets the roster (with the admin token). */
export function forgetRoster() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
