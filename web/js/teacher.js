// The teacher console: sign in with the admin token, then students, passes and lessons.
import { t, applyStaticText } from './i18n.js';
import { byId } from './dom.js';
import { formatDateTime } from './format.js';
import { announce, announceError } from './messages.js';
import { createAdminApi } from './admin-api.js';
import { getAdminToken, setAdminToken, forgetAdminToken } from './teacher-token.js';
import { onSubmit, whileBusy } from './forms.js';
import { confirmDialog } from './dialog.js';
import { knownLessons, rememberLesson } from './offline.js';
import { renderStudents } from './render-students.js';
import { renderLessons, setupLessonPanel } from './lesson-panel.js';
import { linkBox } from './link-box.js';
import { registerServiceWorker } from './sw-register.js';

let candidateToken = '';
const api = createAdminApi(() => candidateToken || getAdminToken());
const pageMessage = byId('page-message');

function showLogin(message) {
  byId('console').hidden = true;
  byId('forget-btn').hidden = true;
  byId('login').hidden = false;
  if (message) announce(pageMessage, message, 'error');
}

function showConsole() {
  byId('login').hidden = true;
  byId('console').hidden = false;
  byId('forget-btn').hidden = false;
}

function handleAuthError(err) {
  if (err.code !== 'UNAUTHORIZED') return false;
  forgetAdminToken();
  showLogin(t('tokenRejected'));
  return true;
}

const ctx = { api, lessons: knownLessons, reload };

/** Loads /admin/list and redraws lessons and students. */
async function reload() {
  try {
    const list = await api.list();
    rememberLesson(list.next_lesson);
    renderLessons(list, { ...ctx, message: byId('lessons-message') });
    renderStudents(byId('student-list'), byId('students-count'), list.students, ctx);
    byId('updated').textContent = t('updatedAt', { date: formatDateTime(new Date().toISOString()) });
    return list;
  } catch (err) {
    if (!handleAuthError(err)) announceError(pageMessage, err);
    return null;
  }
}

function setupLogin() {
  onSubmit(byId('login-form'), async (form) => {
    candidateToken = form.elements.token.value.trim();
    try {
      await api.list();
      setAdminToken(candidateToken);
      form.reset();
      announce(pageMessage, '', 'info');
      showConsole();
      await reload();
    } catch (err) {
      if (err.code === 'UNAUTHORIZED') announce(pageMessage, t('tokenRejected'), 'error');
      else announceError(pageMessage, err);
    } finally {
      candidateToken = '';
    }
  });
  byId('forget-btn').addEventListener('click', () => {
    forgetAdminToken();
    byId('new-student').hidden = true;
    showLogin();
    announce(pageMessage, t('tokenForgotten'), 'info');
    byId('admin-token').focus();
  });
}

function setupStudents() {
  const message = byId('students-message');
  onSubmit(byId('student-form'), async (form) => {
    try {
      const student = await api.addStudent(form.elements.name.value.trim());
      form.reset();
      const box = byId('new-student');
      const link = linkBox(student, { api, message, onRotated: reload }, { showQr: true, rotate: false });
      box.replaceChildren(link.el);
      box.hidden = false;
      announce(message, t('studentAdded', { name: student.name }), 'ok');
      await reload();
    } catch (err) {
      if (!handleAuthError(err)) announceError(message, err);
    }
  });
}

function setupPasses() {
  const message = byId('passes-message');
  onSubmit(byId('extend-form'), async (form) => {
    const days = Number(form.elements.days.value);
    if (!await confirmDialog({ title: t('extendTitle', { n: days }), text: t('extendText') })) return;
    try {
      const answer = await api.extendValidity(days);
      announce(message, t('extended', { n: answer.extended_lots }), 'ok');
      await reload();
    } catch (err) {
      if (!handleAuthError(err)) announceError(message, err);
    }
  });
}

function start() {
  applyStaticText();
  registerServiceWorker();
  setupLogin();
  setupStudents();
  setupPasses();
  setupLessonPanel({ ...ctx, message: byId('lessons-message') });
  const reloadBtn = byId('reload-btn');
  reloadBtn.addEventListener('click', () => whileBusy(reloadBtn, reload));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && getAdminToken()) reload();
  });
  if (getAdminToken()) {
    showConsole();
    reload();
  } else {
    showLogin();
  }
}

start();
