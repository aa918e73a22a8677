// Passes at a glance, for one student on the console: every lot with its status, credits left,
// expiry date and time, price and note; an active lot can be extended alone, with a reason.
import { t } from './i18n.js';
import { h, replaceChildren } from './dom.js';
import { formatCutoff, formatDateTime } from './format.js';
import { announce, announceError } from './messages.js';
import { onSubmit } from './forms.js';
import { expiryFlag } from './render-student.js';

function priceText(price) {
  return price ? `${price.amount} ${price.currency}` : '';
}

function extendForm(lot, ctx, p) {
  const days = h('input', { type: 'number', name: 'days', min: 1, max: 366, step: 1, value: 7, required: true, inputmode: 'numeric', id: `${p}-days` });
  const reason = h('input', { type: 'text', name: 'reason', required: true, maxlength: 200, autocomplete: 'off', id: `${p}-reason` });
  const form = h('form', { class: 'row extend-lot' },
    h('div', {}, h('label', { for: `${p}-days` }, t('extendLotDays')), days),
    h('div', { class: 'grow' }, h('label', { for: `${p}-reason` }, t('extendLotReason')), reason),
    h('button', { type: 'submit', class: 'btn btn-secondary btn-small' }, t('extendLotBtn')));
  onSubmit(form, async () => {
    try {
      const answer = await ctx.api.extendLot({ lot_id: lot.id, days: Number(days.value), reason: reason.value.trim() });
      announce(ctx.message, t('lotExtended', { date: formatCutoff(answer.lot.expires_at) }), 'ok');
      await ctx.reload();
    } catch (err) {
      announceError(ctx.message, err);
    }
  });
  return form;
}

function lotRow(lot, ctx, nowMs) {
  const when = lot.status === 'active'
    ? t('lotValidUntil', { date: formatCutoff(lot.expires_at) })
    : t('lotClosedOn', { date: lot.status === 'used' ? formatDateTime(lot.closed_at) : formatCutoff(lot.closed_at) });
  const flag = lot.status === 'active' ? expiryFlag(lot.expires_at, nowMs) : null;
  const details = h('details', { class: 'lot-extend' }, h('summary', {}, t('extendLotBtn')),
    extendForm(lot, ctx, `lot${lot.id}`));
  return h('tr', { class: `lot is-${lot.status}` },
    h('td', {}, h('span', { class: `lot-status is-${lot.status}` }, t(`lotStatus.${lot.status}`))),
    h('td', {}, t('lotLeft', { left: lot.credits_remaining, total: lot.credits_total })),
    h('td', {}, when, flag ? h('span', { class: 'flag' }, ` ${flag}`) : null),
    h('td', {}, priceText(lot.price)),
    h('td', { class: 'lot-note' }, lot.note || ''),
    h('td', {}, lot.status === 'active' ? details : null));
}

/** The header of each column of lotRow, in its order. */
const COLUMNS = ['lotColStatus', 'lotColLeft', 'lotColValidity', 'lotColPrice', 'lotColNote', 'lotColActions'];

/** A table of every lot (newest first). ctx: {api, reload, message}. */
export function renderPasses(el, lots, ctx, nowMs = Date.now()) {
  if (!lots.length) {
    replaceChildren(el, h('p', { class: 'muted' }, t('noPasses')));
    return;
  }
  const rows = lots.slice().reverse().map((lot) => lotRow(lot, ctx, nowMs));
  replaceChildren(el, h('div', { class: 'table-wrap' }, h('table', { class: 'lots-table' },
    h('caption', { class: 'visually-hidden' }, t('passesAtGlance')),
    h('thead', {}, h('tr', {}, COLUMNS.map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, rows))));
}
