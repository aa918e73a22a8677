// The lessons section: upcoming lessons with who is registered, add a lesson, cancel a
// lesson or one registration, clear the list after class.
import { t } from './i18n.js';
import { h, replaceChildren, byId } from './dom.js';
import { formatDateTime, localInputValue } from './format.js';
import { announce, announceError } from './messages.js';
import { confirmDialog } from './dialog.js';
import { onSubmit, whileBusy } from './forms.js';
import { rememberLesson } from './offline.js';

/** Lessons to show: the next one plus every lesson that still has registrations. */
function lessonGroups(list, knownDates) {
  const groups = new Map();
  const group = (id) => {
    if (!groups.has(id)) groups.set(id, { id, startsAt: knownDates.get(id) || null, closesAt: null, regs: [] });
    return groups.get(id);
  };
  if (list.next_lesson) {
    const next = group(list.next_lesson.id);
    next.startsAt = list.next_lesson.starts_at;
    next.closesAt = list.next_lesson.registration_closes_at;
    next.isNext = true;
  }
  for (const reg of list.registrations || []) group(reg.lesson_id).regs.push(reg);
  return [...groups.values()].sort((a, b) =>
    (a.startsAt && b.startsAt ? Date.parse(a.startsAt) - Date.parse(b.startsAt) : (a.startsAt ? -1 : b.startsAt ? 1 : 0)) || a.id - b.id);
}

function lessonName(group) {
  return group.startsAt ? formatDateTime(group.startsAt) : t('lessonNumber', { id: group.id });
}

/** "Lesson cancelled. 2 lessons are usable again. 1 lesson … expired with it." */
function refundText(answer) {
  if (!answer.refunded) return t('lessonCancelledEmpty');
  const expired = answer.expired_on_return || 0;
  const usable = t('lessonCancelled', { n: answer.refunded - expired });
  return expired ? `${usable} ${t('expiredOnReturn', { n: expired })}` : usable;
}

/** The message key after cancelling one registration (the credit may have expired on return). */
export function cancelledKey(answer) {
  if (!answer.cancelled) return 'notRegisteredAnyMore';
  return answer.expired_on_return ? 'cancelledForExpired' : 'cancelledFor';
}

async function cancelRegistration(reg, group, ctx) {
  const ok = await confirmDialog({ title: t('cancelRegTitle', { name: reg.name }), text: t('cancelRegText', { name: reg.name }) });
  if (!ok) return;
  try {
    const answer = await ctx.api.cancelRegistration(reg.student_id, group.id);
    announce(ctx.message, t(cancelledKey(answer), { name: reg.name }), 'ok');
  } catch (err) {
    announceError(ctx.message, err);
  }
  await ctx.reload();
}

async function cancelLesson(group, ctx) {
  const ok = await confirmDialog({
    title: t('cancelLessonTitle', { date: lessonName(group) }),
    text: t('cancelLessonText', { n: group.regs.length }),
  });
  if (!ok) return;
  try {
    const answer = await ctx.api.cancelLesson(group.id);
    announce(ctx.message, refundText(answer), 'ok');
  } catch (err) {
    announceError(ctx.message, err);
  }
  await ctx.reload();
}

function regItem(reg, group, ctx) {
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-small',
    'aria-label': t('cancelRegistrationFor', { name: reg.name }) }, t('cancelRegistrationShort'));
  button.addEventListener('click', () => whileBusy(button, () => cancelRegistration(reg, group, ctx)));
  return h('li', { class: 'reg' }, h('span', { class: 'reg-name' }, reg.name), button);
}

function groupView(group, ctx) {
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, t('cancelLesson'));
  cancelBtn.addEventListener('click', () => whileBusy(cancelBtn, () => cancelLesson(group, ctx)));
  const regs = group.regs.slice().sort((a, b) => a.name.localeCompare(b.name));
  return h('article', { class: `lesson-group${group.isNext ? ' is-next' : ''}`, 'data-lesson-id': group.id },
    h('h3', {}, lessonName(group), group.isNext ? h('span', { class: 'badge' }, t('nextBadge')) : null),
    group.closesAt ? h('p', { class: 'muted small' }, t('closesAt', { date: formatDateTime(group.closesAt) })) : null,
    h('p', { class: 'reg-count' }, regs.length ? t('registeredCount', { n: regs.length }) : t('nobodyRegistered')),
    regs.length ? h('ul', { class: 'reg-list' }, regs.map((r) => regItem(r, group, ctx))) : null,
    h('p', {}, cancelBtn));
}

/** Draws the lessons of an /admin/list answer. ctx: {api, reload, lessons, message}. */
export function renderLessons(list, ctx) {
  const groups = lessonGroups(list, ctx.lessons());
  replaceChildren(byId('lessons'), groups.length ? groups.map((g) => groupView(g, ctx))
    : h('p', { class: 'muted' }, t('noUpcomingLesson')));
}

/** Wires the add-lesson form and the clear button once. */
export function setupLessonPanel(ctx) {
  const form = byId('lesson-form');
  const input = byId('lesson-start');
  input.min = localInputValue(new Date());
  onSubmit(form, async () => {
    // No offset: the server reads a wall time in the studio's zone, wherever this device is.
    const startsAt = `${input.value}:00`;
    try {
      const answer = await ctx.api.setNextLesson(startsAt);
      rememberLesson(answer.lesson);
      announce(ctx.message, t('lessonAdded', { date: formatDateTime(answer.lesson.starts_at) }), 'ok');
      form.reset();
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  const clearBtn = byId('clear-btn');
  clearBtn.addEventListener('click', () => whileBusy(clearBtn, async () => {
    if (!await confirmDialog({ title: t('clearTitle'), text: t('clearText') })) return;
    try {
      const answer = await ctx.api.clearRegistrations();
      announce(ctx.message, t('cleared', { n: answer.cleared }), 'ok');
    } catch (err) {
      announceError(ctx.message, err);
    }
    await ctx.reload();
  }));
}
