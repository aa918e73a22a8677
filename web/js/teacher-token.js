// The admin token lives in this device's localStorage only: never in a URL or a cookie.

const KEY = 'tangopass:admin-token';

export function getAdminToken() {
  try {
    return localStorage.getItem(KEY) || '';
  } catch {
    return '';
  }
}

export function setAdminToken(token) {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the console still works until the page is closed.
  }
}

export function forgetAdminToken() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
