// Everything the teacher can do for one student: passes, link, purchase, adjust, name, archive,
// registration, history. The panel loads /admin/student (every lot, the whole ledger).
import { t } from './i18n.js';
import { h } from './dom.js';
import { announce, announceError } from './messages.js';
import { onSubmit, whileBusy } from './forms.js';
import { renderHistory } from './render-history.js';
import { renderPasses } from './passes-panel.js';
import { linkBox } from './link-box.js';
import { confirmDialog } from './dialog.js';
import { cancelledKey, lessonName } from './week-actions.js';

function field(id, labelText, input, hint) {
  input.id = id;
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), input,
    hint ? h('p', { class: 'hint small', id: `${id}-hint` }, hint) : null);
}

/** "Paid on" date → that day at noon in the studio's zone (no offset: the server reads it there). */
function purchasedAt(dateValue) {
  return dateValue ? `${dateValue}T12:00:00` : undefined;
}

function validityChoices(options) {
  return options.map((months, i) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'validity', value: months, checked: i === 0 }), t('monthsN', { n: months })));
}

function purchaseForm(student, ctx, p) {
  const settings = ctx.settings();
  // The default as an attribute, so the form's reset after a purchase shows 10 again, not blank.
  const credits = h('input', { type: 'number', name: 'credits', min: 1, max: 100, step: 1, required: true, inputmode: 'numeric' });
  credits.defaultValue = '10';
  const form = h('form', { class: 'panel-form' },
    h('h3', {}, t('purchaseHeading')),
    h('div', { class: 'row' },
      h('div', { class: 'grow' }, field(`${p}-credits`, t('creditsField'), credits)),
      h('fieldset', { class: 'grow field' }, h('legend', {}, t('validityField')), validityChoices(settings.validity_options))),
    h('div', { class: 'row' },
      h('div', { class: 'grow' }, field(`${p}-price`, t('priceField', { currency: settings.currency }),
        h('input', { type: 'text', name: 'price', inputmode: 'decimal', pattern: '[0-9]{1,6}([.,][0-9]{1,2})?', autocomplete: 'off' }))),
      h('div', { class: 'grow' }, field(`${p}-paid`, t('purchaseDateField'), h('input', { type: 'date', name: 'paid' })))),
    field(`${p}-note`, t('noteField'), h('input', { type: 'text', name: 'note', maxlength: 200, autocomplete: 'off' }), t('noteVisible')),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('addPurchase')));
  onSubmit(form, async () => {
    const body = {
      student_id: student().id,
      credits: Number(form.elements.credits.value),
      validity_months: Number(form.elements.validity.value),
    };
    const at = purchasedAt(form.elements.paid.value);
    if (at) body.purchased_at = at;
    const note = form.elements.note.value.trim();
    if (note) body.note = note;
    const price = form.elements.price.value.trim().replace(',', '.');
    if (price) body.price = price;
    try {
      const answer = await ctx.api.addPurchase(body);
      announce(ctx.message, t('purchaseAdded', { name: student().name, n: answer.credits_available }), 'ok');
      form.reset();
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  return form;
}

function adjustForm(student, ctx, p) {
  const form = h('form', { class: 'panel-form' },
    h('h3', {}, t('adjustHeading')),
    h('div', { class: 'row' },
      h('div', { class: 'grow' }, field(`${p}-delta`, t('deltaField'),
        h('input', { type: 'number', name: 'delta', min: -100, max: 100, step: 1, required: true }))),
      h('div', { class: 'grow' }, field(`${p}-reason`, t('reasonField'),
        h('input', { type: 'text', name: 'reason', required: true, maxlength: 200, autocomplete: 'off' }), t('reasonVisible')))),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('adjust')));
  onSubmit(form, async () => {
    const body = { student_id: student().id, delta: Number(form.elements.delta.value), reason: form.elements.reason.value.trim() };
    try {
      const answer = await ctx.api.adjust(body);
      announce(ctx.message, t('adjusted', { name: student().name, n: answer.credits_available }), 'ok');
      form.reset();
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  return form;
}

function nameForm(student, ctx, p) {
  const input = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, autocomplete: 'off', value: student().name });
  const archive = h('button', { type: 'button', class: 'btn btn-secondary btn-small' });
  const form = h('form', { class: 'panel-form' }, h('h3', {}, t('renameHeading')),
    h('div', { class: 'row' }, h('div', { class: 'grow' }, field(`${p}-name`, t('fullNameField'), input)),
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('renameBtn'))),
    h('p', {}, archive));
  onSubmit(form, async () => {
    try {
      const answer = await ctx.api.renameStudent(student().id, input.value.trim());
      announce(ctx.message, t('renamed', { name: answer.name }), 'ok');
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  archive.addEventListener('click', () => whileBusy(archive, async () => {
    const name = student().name;
    const archiving = !student().archived;
    if (archiving && !await confirmDialog({ title: t('archiveTitle', { name }), text: t('archiveText') })) return;
    try {
      const answer = await ctx.api.archiveStudent(student().id, archiving);
      // The student leaves the list shown (active or archived): say it above the list.
      const where = document.getElementById('students-message') || ctx.message;
      const expired = answer.expired_on_return ? ` ${t('expiredOnReturn', { n: answer.expired_on_return })}` : '';
      announce(where, archiving ? t('archivedOk', { name, n: answer.refunded }) + expired : t('unarchivedOk', { name }), 'ok');
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  }));
  return { el: form, update: (s) => { archive.textContent = s.archived ? t('unarchiveBtn') : t('archiveBtn'); } };
}

function historyBlock(p) {
  const list = h('ol', { class: 'history-list' });
  const toggle = h('input', { type: 'checkbox', id: `${p}-all` });
  let ledger = [];
  let lots = new Map();
  const draw = () => renderHistory(list, ledger, { lots }, { showMarkers: toggle.checked });
  toggle.addEventListener('change', draw);
  return {
    el: h('section', { class: 'panel-history' }, h('h3', {}, t('historyHeading')),
      h('label', { class: 'choice', for: `${p}-all` }, toggle, t('historyShowAll')), list),
    show(page) {
      ledger = page.ledger;
      lots = new Map(page.lots.map((lot) => [lot.id, lot]));
      draw();
    },
  };
}

/**
 * Builds the panel for a student (a getter, so a refreshed list updates it in place).
 * ctx: {api, reload, settings()}. Returns {el, refresh()}.
 */
export function studentPanel(getStudent, baseCtx) {
  const p = `s${getStudent().id}`;
  const message = h('div', { class: 'message', role: 'status', 'aria-live': 'polite', hidden: true });
  const ctx = { ...baseCtx, message };
  const link = linkBox(getStudent(), { ...ctx, onRotated: () => ctx.reload() });
  const passes = h('div', { class: 'passes' });
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-danger btn-small' });
  let shownLesson = null; // the lesson the button names: the one it cancels, whatever is next by then
  cancelBtn.addEventListener('click', () => whileBusy(cancelBtn, async () => {
    if (!shownLesson) return;
    try {
      const answer = await ctx.api.cancelRegistration(getStudent().id, shownLesson.id);
      announce(message, t(cancelledKey(answer), { name: getStudent().name }), 'ok');
      await ctx.reload();
    } catch (err) {
      announceError(message, err);
    }
  }));
  const history = historyBlock(p);
  const name = nameForm(getStudent, ctx, p);
  const el = h('div', { class: 'student-panel' }, message,
    h('section', { class: 'panel-passes' }, h('h3', {}, t('passesAtGlance')), passes),
    link.el, h('p', { class: 'panel-registration' }, cancelBtn),
    purchaseForm(getStudent, ctx, p), adjustForm(getStudent, ctx, p), name.el, history.el);

  async function refresh() {
    const student = getStudent();
    link.update(student);
    name.update(student);
    shownLesson = student.registered_next ? ctx.nextLesson?.() || null : null;
    cancelBtn.hidden = !shownLesson;
    cancelBtn.textContent = shownLesson ? t('cancelRegFor', { lesson: lessonName(shownLesson) }) : '';
    if (ctx.offline?.()) return;
    try {
      const page = await ctx.api.student(student.id);
      renderPasses(passes, page.lots, ctx);
      history.show(page);
    } catch (err) {
      announceError(message, err);
    }
  }
  refresh();
  return { el, refresh };
}
