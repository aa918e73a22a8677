// What the teacher does to one lesson of the week: cancel it or a registration (then a
// ready message for the students), register a walk-in, set the capacity, clear it with
// no-shows, stop its weekly series.
import { t } from './i18n.js';
import { formatDateTime, formatDay } from './format.js';
import { announce, announceError } from './messages.js';
import { confirmDialog } from './dialog.js';
import { offerMessage } from './tell-students.js';

/** The lesson as people say it: "Thu 26 Nov 19:00 (Milonga class)". */
export function lessonName(lesson) {
  const when = formatDateTime(lesson.starts_at);
  return lesson.title ? `${when} (${lesson.title})` : when;
}

/** "Lesson cancelled. 2 lessons are usable again. 1 lesson … expired with it." */
export function refundText(answer) {
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

async function run(ctx, call, onAnswer) {
  try {
    onAnswer(await call());
  } catch (err) {
    announceError(ctx.message, err);
  }
  await ctx.reload();
}

export async function cancelRegistration(reg, lesson, ctx) {
  const ok = await confirmDialog({ title: t('cancelRegTitle', { name: reg.name }), text: t('cancelRegText', { name: reg.name }) });
  if (!ok) return;
  await run(ctx, () => ctx.api.cancelRegistration(reg.student_id, lesson.id), (answer) => {
    announce(ctx.message, t(cancelledKey(answer), { name: reg.name }), 'ok');
    if (answer.cancelled) offerMessage(t('tellRegistration', { name: reg.name, lesson: lessonName(lesson) }), ctx.message);
  });
}

export async function cancelLesson(lesson, ctx) {
  const ok = await confirmDialog({
    title: t('cancelLessonTitle', { date: lessonName(lesson) }),
    text: t('cancelLessonText', { n: lesson.registrations.length }),
  });
  if (!ok) return;
  await run(ctx, () => ctx.api.cancelLesson(lesson.id), (answer) => {
    announce(ctx.message, refundText(answer), 'ok');
    offerMessage(t('tellLesson', { lesson: lessonName(lesson) }), ctx.message);
  });
}

export async function registerWalkIn(studentId, name, lesson, ctx) {
  await run(ctx, () => ctx.api.registerStudent(studentId, lesson.id), () => {
    announce(ctx.message, t('walkInDone', { name, lesson: lessonName(lesson) }), 'ok');
  });
}

export async function setCapacity(lesson, capacity, ctx) {
  await run(ctx, () => ctx.api.setCapacity(lesson.id, capacity), (answer) => {
    announce(ctx.message, capacity === null ? t('capacityNone') : t('capacitySet', { n: answer.lesson.capacity }), 'ok');
  });
}

export async function clearLesson(lesson, noShows, ctx) {
  const ok = await confirmDialog({ title: t('clearLessonTitle', { date: lessonName(lesson) }), text: t('clearText') });
  if (!ok) return;
  await run(ctx, () => ctx.api.clearRegistrations(lesson.id, noShows), (answer) => {
    announce(ctx.message, t('clearedWithNoShows', { n: answer.attended, m: answer.no_shows }), 'ok');
  });
}

export async function endSeries(lesson, ctx) {
  const day = lesson.starts_at;
  const ok = await confirmDialog({ title: t('endSeriesTitle', { date: formatDay(day) }), text: t('endSeriesText') });
  if (!ok) return;
  await run(ctx, () => ctx.api.endSeries(lesson.series_id, ctx.studioDate(day)), (answer) => {
    announce(ctx.message, t('seriesEnded', { n: answer.cancelled }), 'ok');
  });
}
