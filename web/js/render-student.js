// Draws the student's pass from a /status answer. Pure view: no requests, no timers.
import { t } from './i18n.js';
import { formatDay, formatLongDay, formatTime, formatDateTime } from './format.js';
import { h, replaceChildren, byId } from './dom.js';
import { renderHistory } from './render-history.js';

/** True while the registration window of status.next_lesson is open at server time nowMs. */
export function windowOpen(status, nowMs) {
  const lesson = status.next_lesson;
  return Boolean(lesson && status.registration_open && nowMs < Date.parse(lesson.registration_closes_at));
}

function renderCredits(status) {
  const n = status.credits_available;
  byId('credit-number').textContent = String(n);
  byId('credit-label').textContent = t('creditsLabel', { n });
  byId('no-credits').hidden = n > 0;
  replaceChildren(byId('lots'), (status.lots || []).map((lot) =>
    h('li', {}, t('lotLine', { n: lot.credits_remaining, date: formatDay(lot.expires_at) }))));
}

function renderLesson(status, { nowMs, disabled, busyAction, calendarUrl }) {
  const lesson = status.next_lesson;
  byId('no-lesson').hidden = Boolean(lesson);
  byId('lesson-details').hidden = !lesson;
  if (!lesson) return;
  const open = windowOpen(status, nowMs);
  byId('lesson-day').textContent = formatLongDay(lesson.starts_at);
  byId('lesson-time').textContent = formatTime(lesson.starts_at);
  const state = byId('reg-state');
  state.textContent = status.registered ? t('registered') : t('notRegistered');
  state.classList.toggle('is-yes', status.registered);
  byId('window-line').hidden = !open;
  const closes = formatDateTime(lesson.registration_closes_at);
  byId('window-detail').textContent = open ? t('windowOpenUntil', { date: closes })
    : status.registered ? t('windowClosedRegistered') : t('windowClosed', { date: closes });
  const register = byId('register-btn');
  const cancel = byId('cancel-btn');
  register.hidden = !open || status.registered;
  cancel.hidden = !open || !status.registered;
  register.disabled = cancel.disabled = disabled;
  register.textContent = busyAction === 'register' ? t('working') : t('register');
  cancel.textContent = busyAction === 'cancel' ? t('working') : t('cancel');
  byId('calendar-line').hidden = !status.registered;
  byId('calendar-link').href = calendarUrl;
}

/**
 * Renders status. view: {nowMs (server time), offline, savedAt, busyAction, lessons (Map),
 * calendarUrl}. Buttons are disabled while offline or while a request is in flight.
 */
export function renderPass(status, view) {
  byId('loading').hidden = true;
  byId('no-token').hidden = true;
  byId('pass').hidden = false;
  byId('title').textContent = t('greeting', { name: status.student?.name ?? '' });
  const banner = byId('offline-banner');
  banner.hidden = !view.offline;
  banner.textContent = view.offline ? t('offlineBanner', { date: formatDateTime(view.savedAt) }) : '';
  renderCredits(status);
  renderLesson(status, { ...view, disabled: Boolean(view.offline || view.busyAction) });
  const lots = new Map((status.lots || []).map((lot) => [lot.id, lot]));
  renderHistory(byId('history'), status.ledger || [], { lots, lessons: view.lessons });
  byId('updated').textContent = t('updatedAt', { date: formatDateTime(view.savedAt) });
  byId('refresh-btn').disabled = Boolean(view.busyAction);
}

/** Shows the "open your personal link" card instead of a pass. */
export function renderNoToken() {
  byId('loading').hidden = true;
  byId('pass').hidden = true;
  byId('offline-banner').hidden = true;
  byId('no-token').hidden = false;
  byId('title').textContent = t('studentTitle');
}
