// Everything the teacher can do for one student: link, purchase, adjust, registration, history.
import { t } from './i18n.js';
import { h } from './dom.js';
import { isoWithOffset, localInputValue } from './format.js';
import { announce, announceError } from './messages.js';
import { onSubmit, whileBusy } from './forms.js';
import { renderHistory } from './render-history.js';
import { linkBox } from './link-box.js';

function field(id, labelText, input) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), input);
}

/** "Paid on" date → ISO at noon local that day (a fixed time, so a retry sends the same body). */
function purchasedAt(dateValue) {
  if (!dateValue || dateValue === localInputValue(new Date(), false)) return undefined;
  const [y, m, d] = dateValue.split('-').map(Number);
  return isoWithOffset(new Date(y, m - 1, d, 12, 0, 0));
}

function purchaseForm(student, ctx, p) {
  const today = localInputValue(new Date(), false);
  const form = h('form', { class: 'panel-form', novalidate: false },
    h('h3', {}, t('purchaseHeading')),
    h('div', { class: 'row' },
      h('div', { class: 'grow' }, field(`${p}-credits`, t('creditsField'),
        h('input', { type: 'number', name: 'credits', min: 1, max: 100, step: 1, value: 10, required: true, inputmode: 'numeric' }))),
      h('fieldset', { class: 'grow field' }, h('legend', {}, t('validityField')),
        h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'validity', value: 1, checked: true }), t('oneMonth')),
        h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'validity', value: 3 }), t('threeMonths')))),
    field(`${p}-paid`, t('purchaseDateField'), h('input', { type: 'date', name: 'paid', max: today })),
    field(`${p}-note`, t('noteField'), h('input', { type: 'text', name: 'note', maxlength: 200, autocomplete: 'off' })),
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
        h('input', { type: 'text', name: 'reason', required: true, maxlength: 200, autocomplete: 'off' })))),
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

function historyBlock(student, ctx, p) {
  const list = h('ol', { class: 'history-list' });
  const toggle = h('input', { type: 'checkbox', id: `${p}-all` });
  async function load() {
    try {
      const answer = await ctx.api.ledger(student().id, toggle.checked);
      renderHistory(list, answer.ledger, { lessons: ctx.lessons() }, { showMarkers: toggle.checked });
    } catch (err) {
      announceError(ctx.message, err);
    }
  }
  toggle.addEventListener('change', load);
  return { el: h('section', { class: 'panel-history' }, h('h3', {}, t('historyHeading')),
    h('label', { class: 'choice', for: `${p}-all` }, toggle, t('historyShowAll')), list), load };
}

/**
 * Builds the panel for a student (a getter, so a refreshed list updates it in place).
 * ctx: {api, reload, lessons}. Returns {el, refresh()}.
 */
export function studentPanel(getStudent, baseCtx) {
  const p = `s${getStudent().id}`;
  const message = h('div', { class: 'message', role: 'status', 'aria-live': 'polite', hidden: true });
  const ctx = { ...baseCtx, message };
  const link = linkBox(getStudent(), { ...ctx, onRotated: () => ctx.reload() });
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, t('cancel'));
  cancelBtn.addEventListener('click', () => whileBusy(cancelBtn, async () => {
    try {
      const answer = await ctx.api.cancelRegistration(getStudent().id);
      announce(message, t(answer.cancelled ? 'cancelledFor' : 'notRegisteredAnyMore', { name: getStudent().name }), 'ok');
      await ctx.reload();
    } catch (err) {
      announceError(message, err);
    }
  }));
  const history = historyBlock(getStudent, ctx, p);
  const el = h('div', { class: 'student-panel' }, message, link.el,
    h('p', { class: 'panel-registration' }, cancelBtn),
    purchaseForm(getStudent, ctx, p), adjustForm(getStudent, ctx, p), history.el);

  function refresh() {
    const student = getStudent();
    link.update(student);
    cancelBtn.hidden = !student.registered_next;
    history.load();
  }
  refresh();
  return { el, refresh };
}
