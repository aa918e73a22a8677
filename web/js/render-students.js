// The students list: one <details> per student; its panel is built when first opened and
// kept across refreshes, so half-filled forms survive a reload of the list.
import { t } from './i18n.js';
import { h, replaceChildren } from './dom.js';
import { studentPanel } from './student-panel.js';
import { expiryFlag, fewFlag } from './render-student.js';

const items = new Map(); // student id → {li, summary, student, panel}

function summaryContent(student) {
  const soon = student.next_expiry ? expiryFlag(student.next_expiry, Date.now()) : null;
  const few = fewFlag(student.credits_available);
  return [
    h('span', { class: 'student-name' }, student.name),
    h('span', { class: `student-credits${student.credits_available ? '' : ' is-zero'}` },
      t('creditsShort', { n: student.credits_available })),
    h('span', { class: 'student-flags' },
      few ? h('span', { class: 'flag' }, few) : null,
      soon ? h('span', { class: 'flag' }, soon) : null,
      student.archived ? h('span', { class: 'flag' }, t('archivedBadge')) : null),
    student.registered_next ? h('span', { class: 'badge' }, t('registeredNext')) : null,
  ];
}

/** Lower case without accents: "José" is found by typing "jose". */
export function searchable(text) {
  return String(text).normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

/** Shows only the students whose name contains query (as you type); says when none does. */
export function filterStudents(listEl, query, emptyEl) {
  const q = searchable(query.trim());
  let shown = 0;
  for (const item of items.values()) {
    const match = !q || searchable(item.student.name).includes(q);
    item.li.hidden = !match;
    if (match) shown += 1;
  }
  emptyEl.hidden = !q || shown > 0 || !items.size;
  emptyEl.textContent = emptyEl.hidden ? '' : t('noMatches', { q: query.trim() });
}

function createItem(student, ctx) {
  const item = { student, panel: null };
  item.summary = h('summary', { class: 'student-summary' });
  const details = h('details', { class: 'student' }, item.summary);
  details.addEventListener('toggle', () => {
    if (!details.open) return;
    if (!item.panel) {
      item.panel = studentPanel(() => item.student, ctx);
      details.append(item.panel.el);
    } else {
      item.panel.refresh();
    }
  });
  item.li = h('li', { 'data-student-id': student.id }, details);
  return item;
}

/** Renders students (from /admin/list) into listEl, updating items that already exist. */
export function renderStudents(listEl, countEl, students, ctx) {
  const sorted = students.slice().sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  const seen = new Set();
  for (const student of sorted) {
    seen.add(student.id);
    let item = items.get(student.id);
    if (!item) {
      item = createItem(student, ctx);
      items.set(student.id, item);
    }
    item.student = student;
    replaceChildren(item.summary, summaryContent(student));
    if (item.panel && item.li.querySelector('details').open) item.panel.refresh();
  }
  for (const id of [...items.keys()]) if (!seen.has(id)) items.delete(id);
  countEl.textContent = t('studentsCount', { n: students.length });
  if (!sorted.length) {
    replaceChildren(listEl, h('li', { class: 'muted' }, t('noStudents')));
    return;
  }
  const wanted = sorted.map((s) => items.get(s.id).li);
  const same = wanted.length === listEl.children.length && wanted.every((li, i) => listEl.children[i] === li);
  // Moving a node drops the focus inside it: only touch the list when its order changed.
  if (!same) replaceChildren(listEl, wanted);
}
