// Ledger entries in plain words ("Bought 10 lessons, valid until 24 Feb"), newest first.
import { t } from './i18n.js';
import { formatCutoff, formatDay, formatDateTime, formatDelta } from './format.js';
import { h, replaceChildren } from './dom.js';

/** One entry as a sentence. context: {lots: Map id→lot, lessons: Map id→starts_at}. */
export function describeEntry(entry, { lots = new Map(), lessons = new Map() } = {}) {
  const n = Math.abs(entry.delta_credits);
  const lot = lots.get(entry.ref_lot_id);
  // The entry names its lesson's start (same on every device); older answers did not.
  const lessonAt = entry.lesson_starts_at || lessons.get(entry.ref_lesson_id);
  const withNote = (text) => (entry.note ? `${text} — ${entry.note}` : text);
  const byWhom = (text) => (entry.actor === 'teacher' ? `${text} ${t('byTeacher')}` : text);
  switch (entry.type) {
    case 'PURCHASE':
      return withNote(lot ? t('hPurchaseUntil', { n, date: formatCutoff(lot.expires_at) }) : t('hPurchase', { n }));
    case 'REGISTER':
      if (!lessonAt) return byWhom(t('hRegisterUnknown'));
      if (entry.actor === 'system') return t('hRegisterPromoted', { date: formatDateTime(lessonAt) });
      if (entry.actor === 'teacher') return t('hRegisterByTeacher', { date: formatDateTime(lessonAt) });
      return t('hRegister', { date: formatDateTime(lessonAt) });
    case 'CANCEL':
      if (!lessonAt) return withNote(byWhom(t('hCancelUnknown')));
      // Who acted, from the ledger entry: the teacher's cancel is not "you cancelled".
      return withNote(t(entry.actor === 'teacher' ? 'hCancelByTeacher' : 'hCancel', { date: formatDateTime(lessonAt) }));
    case 'EXPIRE':
      return t('hExpire', { n });
    case 'EXTEND':
      // The note says the days and the new date in English words; the reason comes first.
      if (entry.note && entry.note.includes(' (+')) return t('hExtendReason', { reason: entry.note.split(' (+')[0] });
      return lot ? t('hExtendUntil', { date: formatCutoff(lot.expires_at) }) : t('hExtend');
    case 'ADJUST':
      return entry.note
        ? t('hAdjust', { delta: formatDelta(entry.delta_credits), reason: entry.note })
        : t('hAdjustNoReason', { delta: formatDelta(entry.delta_credits) });
    case 'OLDEST':
      return t('hOldest');
    default:
      return t('hOther', { type: entry.type, delta: formatDelta(entry.delta_credits) });
  }
}

function entryItem(entry, context) {
  const marker = entry.type === 'OLDEST';
  return h('li', { class: `entry entry-${entry.type.toLowerCase()}${marker ? ' is-marker' : ''}` },
    h('time', { datetime: entry.ts, class: 'entry-date' }, formatDay(entry.ts)),
    h('span', { class: 'entry-text' }, describeEntry(entry, context)),
    marker ? null : h('span', { class: 'entry-delta' },
      h('strong', {}, formatDelta(entry.delta_credits)),
      h('small', {}, t('balanceAfter', { n: entry.balance_after }))));
}

/**
 * Fills listEl with entries, newest first. OLDEST markers are bookkeeping: left out unless
 * showMarkers (the teacher's "all history" view shows them, discreetly).
 */
export function renderHistory(listEl, entries, context = {}, { showMarkers = false } = {}) {
  const shown = entries.filter((e) => showMarkers || e.type !== 'OLDEST').slice().reverse();
  if (!shown.length) {
    replaceChildren(listEl, h('li', { class: 'entry is-empty' }, t('historyEmpty')));
    return;
  }
  replaceChildren(listEl, shown.map((e) => entryItem(e, context)));
}
