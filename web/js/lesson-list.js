// The student's schedule: every upcoming lesson (GET /status "lessons") with its state and
// one button that acts on THAT lesson — its lesson_id always goes with the request.
import { t } from './i18n.js';
import { formatLongDay, formatTime, formatDateTime } from './format.js';
import { h, replaceChildren } from './dom.js';

/** What the button of a lesson does now: 'register' | 'cancel' | 'leave' | null. */
export function actionFor(lesson, nowMs) {
  const open = lesson.registration_open && nowMs < Date.parse(lesson.registration_closes_at);
  if (lesson.waitlisted) return nowMs < Date.parse(lesson.starts_at) ? 'leave' : null;
  if (!open) return null;
  return lesson.registered ? 'cancel' : 'register';
}

function stateText(lesson, nowMs) {
  if (lesson.registered) return t('lRegistered');
  if (lesson.waitlisted) return t('lWaitlisted', { n: lesson.waitlist_position || 1 });
  if (!lesson.registration_open || nowMs >= Date.parse(lesson.registration_closes_at)) return t('lClosed');
  if (lesson.spots_left === 0) return t('lFull');
  if (lesson.spots_left !== null && lesson.spots_left !== undefined) return t('lSpots', { n: lesson.spots_left });
  return t('lOpen');
}

function buttonLabel(action, lesson) {
  if (action === 'register') return lesson.spots_left === 0 ? t('lJoinWaitlist') : t('lBook');
  if (action === 'cancel') return t('lCancel');
  return t('lLeaveWaitlist');
}

function lessonItem(lesson, { nowMs, disabled, busy, onAction }) {
  const action = actionFor(lesson, nowMs);
  const when = `${formatLongDay(lesson.starts_at)} ${formatTime(lesson.starts_at)}`;
  const yes = lesson.registered ? ' is-yes' : lesson.waitlisted ? ' is-waiting' : '';
  return h('li', { class: `lesson-row${yes}`, 'data-lesson-id': lesson.id },
    h('div', { class: 'lesson-row-text' },
      h('strong', { class: 'lesson-row-when' }, when),
      lesson.title ? h('span', { class: 'lesson-row-title' }, lesson.title) : null,
      h('span', { class: 'lesson-row-state' }, stateText(lesson, nowMs)),
      action === 'register' || action === 'cancel'
        ? h('small', { class: 'muted' }, t('lUntil', { date: formatDateTime(lesson.registration_closes_at) }))
        : null),
    action ? h('button', {
      type: 'button',
      class: `btn ${action === 'register' ? 'btn-primary' : 'btn-secondary'} btn-small`,
      disabled: disabled || undefined,
      'aria-label': `${buttonLabel(action, lesson)} — ${when}`,
      onclick: () => onAction(action, lesson),
    }, busy === lesson.id ? t('working') : buttonLabel(action, lesson)) : null);
}

/**
 * Fills listEl with status.lessons. view: {nowMs, disabled, busy (lesson id in flight),
 * onAction(action, lesson)}.
 */
export function renderLessonList(listEl, lessons, view) {
  if (!lessons || !lessons.length) {
    replaceChildren(listEl, h('li', { class: 'lesson-row is-empty' }, t('lNone')));
    return;
  }
  replaceChildren(listEl, lessons.map((lesson) => lessonItem(lesson, view)));
}

/** The message after an answer, naming the lesson the server answered for. */
export function answerMessage(action, answer, lesson) {
  const date = formatDateTime(lesson.starts_at);
  if (answer.waitlisted) return t('lWaitlistedOk', { date, n: answer.position });
  if (action === 'leave') return t('lLeftOk', { date });
  if (answer.registered) return t('registeredOk', { date });
  return t('lCancelledOk', { date });
}
