// Draws the student's pass from a /status answer. Pure view: no requests, no timers.
import { t } from './i18n.js';
import { formatCutoff, formatDay, formatLongDay, formatTime, formatDateTime } from './format.js';
import { h, replaceChildren, byId } from './dom.js';
import { renderHistory } from './render-history.js';

/** True while the registration window of status.next_lesson is open at server time nowMs. */
export function windowOpen(status, nowMs) {
  const lesson = status.next_lesson;
  return Boolean(lesson && status.registration_open && nowMs < Date.parse(lesson.registration_closes_at));
}

const DAY_MS = 24 * 3600 * 1000;
export const SOON_DAYS = 14;
export const FEW_LESSONS = 2;

/** "expires in 6 days" when a lot ends within SOON_DAYS of nowMs, else null. */
export function expiryFlag(expiresAt, nowMs) {
  const days = Math.floor((Date.parse(expiresAt) - nowMs) / DAY_MS);
  if (days >= SOON_DAYS) return null;
  return days < 1 ? t('expiresToday') : t('expiresInDays', { n: days });
}

/** "2 lessons left" when a balance is low but not zero, else null. */
export function fewFlag(credits) {
  return credits > 0 && credits <= FEW_LESSONS ? t('lessonsLeftFlag', { n: credits }) : null;
}

function flag(text) {
  return text ? h('span', { class: 'flag' }, text) : null;
}

function renderCredits(status, nowMs) {
  const n = status.credits_available;
  byId('credit-number').textContent = String(n);
  byId('credit-label').textContent = t('creditsLabel', { n });
  byId('no-credits').hidden = n > 0;
  const flags = byId('credit-flags');
  replaceChildren(flags, flag(fewFlag(n)));
  flags.hidden = !flags.childElementCount;
  replaceChildren(byId('lots'), (status.lots || []).map((lot) => h('li', {},
    t('lotUntil', { n: lot.credits_remaining, date: formatCutoff(lot.expires_at) }), ' ',
    flag(expiryFlag(lot.expires_at, nowMs)),
    lot.note ? h('span', { class: 'lot-note' }, ` — ${lot.note}`) : null)));
}

/** Passes used up or expired in the last year, with when: nothing vanishes silently. */
function renderPastLots(status) {
  const past = status.past_lots || [];
  byId('past-section').hidden = !past.length;
  replaceChildren(byId('past-lots'), past.map((lot) => {
    // An expired pass closed at its cut-off; a used one at the moment of its last lesson.
    const date = lot.status === 'used' ? formatDateTime(lot.closed_at) : formatCutoff(lot.closed_at);
    let text;
    if (lot.status === 'used') text = t('pastUsed', { n: lot.credits_total, date });
    else if (lot.credits_expired > 0) text = t('pastExpired', { n: lot.credits_expired, date });
    else text = t('pastExpiredAllUsed', { n: lot.credits_total, date });
    return h('li', { class: `past-lot is-${lot.status}` }, text,
      lot.note ? h('span', { class: 'lot-note' }, ` — ${lot.note}`) : null);
  }));
}

/** The lesson's own window in hours (it was fixed when the lesson was set). */
export function windowHours(lesson) {
  return Math.round((Date.parse(lesson.starts_at) - Date.parse(lesson.registration_closes_at)) / 3600000);
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
  byId('window-rule').textContent = t('windowRule', { hours: t('hoursN', { n: windowHours(lesson) }) });
  const register = byId('register-btn');
  const cancel = byId('cancel-btn');
  // No big Register button for a student with no lesson left: the hint says what to do.
  register.hidden = !open || status.registered || status.credits_available < 1;
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
  renderCredits(status, view.nowMs);
  renderPastLots(status);
  renderLesson(status, { ...view, disabled: Boolean(view.offline || view.busyAction) });
  const lots = new Map([...(status.past_lots || []), ...(status.lots || [])].map((lot) => [lot.id, lot]));
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
