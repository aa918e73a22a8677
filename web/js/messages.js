// The page's one live region: success, info and error messages, read out by screen readers.
import { t } from './i18n.js';

const KNOWN = new Set(['NO_CREDITS', 'REGISTRATION_CLOSED', 'NO_UPCOMING_LESSON', 'INVALID_TOKEN',
  'UNAUTHORIZED', 'LESSON_CLEARED', 'LESSON_NOT_STARTED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE', 'BUSY', 'NETWORK']);

/** A sentence for a person, for any error thrown by the API client (or anything else). */
export function errorMessage(err) {
  const code = err?.code || 'OTHER';
  // The server's own message names the field or rule, which is what the user needs here.
  if (code === 'VALIDATION_ERROR' && err.message) return err.message;
  if (KNOWN.has(code)) return t(`errors.${code}`);
  return t('errors.OTHER', { code: code === 'OTHER' && err?.status ? `HTTP ${err.status}` : code });
}

const pending = new WeakMap();

/** Shows text in the live region el; kind is 'ok', 'info' or 'error'. */
export function announce(el, text, kind = 'info') {
  clearTimeout(pending.get(el));
  el.classList.remove('is-ok', 'is-info', 'is-error');
  el.classList.add(`is-${kind}`);
  el.hidden = !text;
  // Clearing first makes screen readers announce a repeated message again.
  el.textContent = '';
  if (text) pending.set(el, setTimeout(() => { el.textContent = text; }, 30));
}

/** Shows the message for err in el. */
export function announceError(el, err) {
  announce(el, errorMessage(err), 'error');
}
