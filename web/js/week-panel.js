// The teacher's week (GET /admin/lessons): the past week with who came, this week and the
// next ones with who is in and who waits; one tap to act on any lesson.
import { t } from './i18n.js';
import { h, replaceChildren, byId } from './dom.js';
import { formatDateTime } from './format.js';
import { whileBusy } from './forms.js';
import { rememberLesson } from './offline.js';
import { lessonName, cancelRegistration, cancelLesson, registerWalkIn, setCapacity, clearLesson, endSeries } from './week-actions.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function button(label, kind, onClick, attrs = {}) {
  const el = h('button', { type: 'button', class: `btn ${kind} btn-small`, ...attrs }, label);
  el.addEventListener('click', () => whileBusy(el, onClick));
  return el;
}

function roleText(role) {
  return role ? t(role === 'leader' ? 'roleLeader' : 'roleFollower') : null;
}

function regItem(reg, lesson, ctx, { started }) {
  const parts = [h('span', { class: 'reg-name' }, reg.name)];
  if (reg.role) parts.push(h('span', { class: 'muted small' }, roleText(reg.role)));
  if (reg.attendance) {
    parts.push(h('span', { class: `attendance is-${reg.attendance}` }, t(reg.attendance === 'attended' ? 'attended' : 'noShow')));
  } else if (lesson.status === 'scheduled' && started) {
    parts.push(h('label', { class: 'no-show' },
      h('input', { type: 'checkbox', class: 'no-show-box', value: reg.student_id }), t('noShowFor', { name: reg.name })));
  }
  if (lesson.status === 'scheduled') {
    parts.push(button(t('cancelRegistrationShort'), 'btn-secondary', () => cancelRegistration(reg, lesson, ctx),
      { 'aria-label': t('cancelRegistrationFor', { name: reg.name }) }));
  }
  return h('li', { class: 'reg' }, ...parts);
}

function waitItem(entry, lesson, ctx) {
  return h('li', { class: 'wait' }, h('span', { class: 'reg-name' }, entry.name),
    entry.role ? h('span', { class: 'muted small' }, ` ${roleText(entry.role)}`) : null,
    button(t('removeFromWaitlist'), 'btn-link', () => cancelRegistration(entry, lesson, ctx),
      { 'aria-label': t('removeFromWaitlistFor', { name: entry.name }) }));
}

function countLine(lesson) {
  const n = lesson.registered_count;
  if (lesson.capacity) return t('registeredOf', { n, cap: lesson.capacity });
  return n ? t('registeredCount', { n }) : t('nobodyRegistered');
}

function walkInForm(lesson, ctx) {
  const registered = new Set(lesson.registrations.map((r) => r.student_id));
  const choices = ctx.students().filter((s) => !registered.has(s.id));
  if (!choices.length) return null;
  const select = h('select', { class: 'walk-in-select', 'aria-label': t('walkInLabel', { lesson: lessonName(lesson) }) },
    choices.map((s) => h('option', { value: s.id }, s.name)));
  return h('div', { class: 'row lesson-tool' }, select,
    button(t('walkIn'), 'btn-secondary', () => registerWalkIn(Number(select.value),
      select.selectedOptions[0].textContent, lesson, ctx)));
}

function capacityForm(lesson, ctx) {
  const input = h('input', { type: 'number', min: 1, max: 500, class: 'capacity-input', value: lesson.capacity ?? '',
    'aria-label': t('capacityLabel', { lesson: lessonName(lesson) }), placeholder: t('noLimit') });
  return h('div', { class: 'row lesson-tool' }, input,
    button(t('setCapacity'), 'btn-secondary', () => setCapacity(lesson, input.value ? Number(input.value) : null, ctx)));
}

function tools(lesson, ctx, { started }) {
  if (lesson.status !== 'scheduled') return null;
  const clear = started ? button(t('clearLesson'), 'btn-primary', () => {
    const boxes = [...byId(`lesson-${lesson.id}`).querySelectorAll('.no-show-box:checked')];
    return clearLesson(lesson, boxes.map((b) => Number(b.value)), ctx);
  }) : null;
  return h('div', { class: 'lesson-tools' },
    walkInForm(lesson, ctx),
    started ? null : capacityForm(lesson, ctx),
    h('p', { class: 'row' }, clear,
      button(t('cancelLesson'), 'btn-danger', () => cancelLesson(lesson, ctx)),
      lesson.series_id && !started ? button(t('endSeries'), 'btn-link', () => endSeries(lesson, ctx)) : null));
}

function lessonView(lesson, ctx, { nowMs, nextId }) {
  const started = Date.parse(lesson.starts_at) <= nowMs;
  const regs = lesson.registrations.slice().sort((a, b) => a.name.localeCompare(b.name));
  const badges = [
    lesson.id === nextId ? h('span', { class: 'badge' }, t('nextBadge')) : null,
    lesson.status !== 'scheduled' ? h('span', { class: `badge is-${lesson.status}` }, t(`status_${lesson.status}`)) : null,
    lesson.series_id ? h('span', { class: 'badge is-weekly' }, t('weeklyBadge')) : null,
  ];
  return h('article', {
    class: `lesson-group is-${lesson.status}${lesson.id === nextId ? ' is-next' : ''}`,
    id: `lesson-${lesson.id}`, 'data-lesson-id': lesson.id,
  },
  h('h3', {}, formatDateTime(lesson.starts_at), lesson.title ? ` · ${lesson.title}` : '', ...badges),
  lesson.status === 'scheduled' && !started
    ? h('p', { class: 'muted small' }, t('closesAt', { date: formatDateTime(lesson.registration_closes_at) })) : null,
  lesson.status === 'cancelled' ? null : h('p', { class: 'reg-count' }, countLine(lesson)),
  regs.length ? h('ul', { class: 'reg-list' }, regs.map((r) => regItem(r, lesson, ctx, { started }))) : null,
  lesson.waitlist.length ? h('div', { class: 'waitlist' }, h('h4', {}, t('waitlistHeading', { n: lesson.waitlist.length })),
    h('ol', { class: 'wait-list' }, lesson.waitlist.map((w) => waitItem(w, lesson, ctx)))) : null,
  tools(lesson, ctx, { started }));
}

function section(title, lessons, ctx, view, { open = true, empty = null } = {}) {
  if (!lessons.length && !empty) return null;
  const body = lessons.length ? lessons.map((l) => lessonView(l, ctx, view)) : h('p', { class: 'muted' }, empty);
  return h('details', { class: 'week-section', open: open || undefined },
    h('summary', {}, h('h3', { class: 'week-title' }, title, h('span', { class: 'count' }, ` ${lessons.length}`))), body);
}

/** Draws the lessons of a GET /admin/lessons answer. ctx: {api, reload, students(), message}. */
export function renderWeek(lessons, ctx, nowMs = Date.now()) {
  lessons.forEach(rememberLesson);
  const upcoming = lessons.filter((l) => Date.parse(l.starts_at) > nowMs);
  const next = upcoming.find((l) => l.status === 'scheduled');
  const view = { nowMs, nextId: next?.id };
  const past = lessons.filter((l) => Date.parse(l.starts_at) <= nowMs).reverse();
  const thisWeek = upcoming.filter((l) => Date.parse(l.starts_at) < nowMs + 7 * DAY_MS);
  const later = upcoming.filter((l) => Date.parse(l.starts_at) >= nowMs + 7 * DAY_MS);
  replaceChildren(byId('lessons'),
    next ? null : h('p', { class: 'muted' }, t('noUpcomingLesson')),
    section(t('weekThis'), thisWeek, ctx, view),
    section(t('weekLater'), later, ctx, view),
    section(t('weekPast'), past, ctx, view, { open: past.some((l) => l.status === 'scheduled') }));
}
