// The lessons section's forms: add a lesson (once, or every week), close the studio for
// some dates, and the "clear after class" button for the lesson that has begun.
import { t } from './i18n.js';
import { byId } from './dom.js';
import { formatDateTime, dateOf } from './format.js';
import { announce, announceError } from './messages.js';
import { confirmDialog } from './dialog.js';
import { onSubmit, whileBusy } from './forms.js';
import { rememberLesson } from './offline.js';
import { lessonName } from './week-actions.js';

export { renderWeek } from './week-panel.js';

/** The studio's date YYYY-MM-DD of an instant (the console shows the studio's zone). */
export const localDate = dateOf;

function optional(form) {
  const body = {};
  const title = form.elements.title.value.trim();
  if (title) body.title = title;
  if (form.elements.capacity.value) body.capacity = Number(form.elements.capacity.value);
  if (form.elements.role_balance.value) body.role_balance = Number(form.elements.role_balance.value);
  return body;
}

async function addLesson(form, ctx) {
  // YYYY-MM-DDTHH:MM, a wall time the server reads in the studio's zone, wherever this device is.
  const value = byId('lesson-start').value;
  if (form.elements.weekly.checked) {
    const day = new Date(`${value.slice(0, 10)}T00:00:00Z`).getUTCDay(); // of the date as typed
    const answer = await ctx.api.addSeries({
      weekday: ((day + 6) % 7) + 1, time: value.slice(11, 16), starts_on: value.slice(0, 10),
      ...optional(form),
    });
    answer.lessons.forEach(rememberLesson);
    announce(ctx.message, t('seriesAdded', { n: answer.lessons.length }), 'ok');
    return;
  }
  const answer = await ctx.api.addLesson({ starts_at: `${value}:00`, ...optional(form) });
  rememberLesson(answer.lesson);
  announce(ctx.message, t('lessonAdded', { date: formatDateTime(answer.lesson.starts_at) }), 'ok');
}

/**
 * The lesson "clear after class" is about, of the week on screen: the latest that has begun
 * (at nowMs) and is neither cleared nor cancelled; null when none has begun.
 */
export function lessonToClear(lessons, nowMs) {
  const begun = lessons.filter((l) => l.status === 'scheduled' && Date.parse(l.starts_at) <= nowMs);
  return begun.reduce((latest, l) => (!latest || Date.parse(l.starts_at) >= Date.parse(latest.starts_at) ? l : latest), null);
}

async function clearBegunLesson(ctx) {
  const lesson = lessonToClear(ctx.week(), Date.now());
  if (!lesson) {
    announceError(ctx.message, { code: 'LESSON_NOT_STARTED' });
    return;
  }
  if (!await confirmDialog({ title: t('clearLessonTitle', { date: lessonName(lesson) }), text: t('clearText') })) return;
  // The no-shows ticked in that lesson's group count here too.
  const noShows = [...document.querySelectorAll(`#lesson-${lesson.id} .no-show-box:checked`)].map((b) => Number(b.value));
  try {
    const answer = await ctx.api.clearRegistrations(lesson.id, noShows);
    announce(ctx.message, t('cleared', { n: answer.cleared }), 'ok');
  } catch (err) {
    announceError(ctx.message, err);
  }
  await ctx.reload();
}

function setupClosure(ctx) {
  onSubmit(byId('closure-form'), async (form) => {
    const body = {
      from: form.elements.from.value, to: form.elements.to.value || form.elements.from.value,
      reason: form.elements.reason.value.trim(), extend_passes: form.elements.extend.checked,
    };
    if (!await confirmDialog({ title: t('closureTitle', { from: body.from, to: body.to }), text: t('closureText') })) return;
    try {
      const answer = await ctx.api.addClosure(body);
      announce(ctx.message, t('closureAdded', { n: answer.cancelled_lessons, r: answer.refunded, k: answer.extended_lots }), 'ok');
      form.reset();
    } catch (err) {
      announceError(ctx.message, err);
    }
    await ctx.reload();
  });
}

/** Wires the add-lesson form, the closure form and the clear button once. */
export function setupLessonPanel(ctx) {
  const form = byId('lesson-form');
  onSubmit(form, async () => {
    try {
      await addLesson(form, ctx);
      form.reset();
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  setupClosure(ctx);
  const clearBtn = byId('clear-btn');
  clearBtn.addEventListener('click', () => whileBusy(clearBtn, () => clearBegunLesson(ctx)));
}
