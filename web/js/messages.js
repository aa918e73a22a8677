// The page's one live region: success, info and error messages, read out by screen readers.
import { t } from './i18n.js';

const KNOWN = new Set(['NO_CREDITS', 'REGISTRATION_CLOSED', 'NO_UPCOMING_LESSON', 'INVALID_TOKEN',
  'UNAUTHORIZED', 'LESSON_CLEARED', 'LESSON_NOT_STARTED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE', 'BUSY', 'NETWORK', 'STUDENT_ARCHIVED', 'TOO_MANY_REQUESTS', 'CAPACITY_TOO_LOW']);

/** The fields a server's VALIDATION_ERROR names ("credits: …; price: …"), in this language. */
function fieldsOf(message) {
  const names = new Set();
  for (const part of String(message || '').split(';')) {
    const name = part.trim().match(/^([a-z_]+)/)?.[1];
    if (name && t(`fields.${name}`) !== `fields.${name}`) names.add(t(`fields.${name}`));
  }
  return [...names];
}

/** "2 hours" / "1 hora": a window's real length, for messages about it. */
export function windowLength(hours) {
  return t('hoursN', { n: hours });
}

/**
 * A sentence for a person, for any error thrown by the API client (or anything else).
 * context.hours: the lesson's window, for REGISTRATION_CLOSED.
 */
export function errorMessage(err, context = {}) {
  const code = err?.code || 'OTHER';
  // Never the server's English: the code (and the fields it names) say it in this language.
  if (code === 'VALIDATION_ERROR') {
    // Two rules of the settings have their own sentence; other refusals name their fields.
    const options = String(err.message || '').match(/^validity_months must be one of ([\d, ]+)$/);
    if (options) return t('errors.VALIDITY_NOT_OFFERED', { options: options[1] });
    if (String(err.message || '').startsWith('currency cannot change')) return t('errors.CURRENCY_LOCKED');
    const fields = fieldsOf(err.message);
    return fields.length ? t('errors.VALIDATION_FIELDS', { fields: fields.join(', ') }) : t('errors.VALIDATION_ERROR');
  }
  if (code === 'REGISTRATION_CLOSED' && Number.isFinite(context.hours)) {
    return t('errors.REGISTRATION_CLOSED_HOURS', { hours: windowLength(context.hours) });
  }
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
export function announceError(el, err, context = {}) {
  announce(el, errorMessage(err, context), 'error');
}
