// The teacher console: sign in with the admin token, then students, passes and lessons.
import { t, applyStaticText } from './i18n.js';
import { byId } from './dom.js';
import { formatDateTime, useTimeZone, deviceZone, wallInputValue } from './format.js';
import { announce, announceError } from './messages.js';
import { createAdminApi } from './admin-api.js';
import { getAdminToken, setAdminToken, forgetAdminToken } from './teacher-token.js';
import { onSubmit, whileBusy } from './forms.js';
import { confirmDialog } from './dialog.js';
import { knownLessons, rememberLesson } from './offline.js';
import { renderStudents, filterStudents } from './render-students.js';
import { setupSettings, setupReport, showSettings } from './desk-panels.js';
import { saveRoster, loadRoster, forgetRoster } from './roster.js';
import { renderWeek, setupLessonPanel, localDate } from './lesson-panel.js';
import { linkBox } from './link-box.js';
import { registerServiceWorker } from './sw-register.js';
import { setupLanguageSwitch } from './lang-switch.js';

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

const DEFAULT_SETTINGS = { studio_name: 'Tango Pass', window_hours: 2, validity_options: [1, 3], currency: 'EUR', default_capacity: null };
let settings = DEFAULT_SETTINGS;
let offline = false;
let students = [];
let nextLesson = null; // the next lesson of the roster on screen
let week = [];         // the lessons of the week on screen
const ctx = {
  api, lessons: knownLessons, reload, settings: () => settings, offline: () => offline,
  students: () => students, studioDate: localDate, nextLesson: () => nextLesson, week: () => week,
  setSettings: (s) => { settings = s; }, onAuthError: (err) => handleAuthError(err),
};

/** Times in the console are the studio's: entered and shown there, the zone named if elsewhere. */
function applyZone(zone) {
  useTimeZone(zone);
  byId('lesson-start').min = wallInputValue(new Date()); // a lesson typed is at the studio's wall time
  const note = byId('zone-note');
  note.hidden = zone === deviceZone();
  note.textContent = note.hidden ? '' : t('zoneNote', { zone });
}

/** Offline: the last roster stays readable, marked stale, with every command disabled. */
function setOffline(savedAt) {
  offline = Boolean(savedAt);
  const banner = byId('offline-banner');
  banner.hidden = !offline;
  banner.textContent = offline ? t('offlineRoster', { date: formatDateTime(savedAt) }) : '';
  for (const el of byId('console').querySelectorAll('form button, form input, form select, .student-panel button, #clear-btn, .lesson-group button')) {
    el.disabled = offline;
  }
}

function draw(list) {
  rememberLesson(list.next_lesson);
  nextLesson = list.next_lesson || null;
  week = list.week || [];
  students = list.students;
  renderWeek(list.week || [], { ...ctx, message: byId('lessons-message') });
  renderStudents(byId('student-list'), byId('students-count'), list.students, ctx);
  filterStudents(byId('student-list'), byId('student-search').value, byId('no-matches'));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The past week and every lesson set for the next year (studio dates), for the week view. */
function weekLessons() {
  const now = Date.now();
  return api.lessons(localDate(new Date(now - 7 * DAY_MS).toISOString()),
    localDate(new Date(now + 365 * DAY_MS).toISOString()));
}

/** Loads the settings, /admin/list and the week (/admin/lessons) and redraws them. */
async function reload() {
  const archived = byId('show-archived').checked;
  try {
    settings = await api.settings();
    applyZone(settings.time_zone);
    showSettings(settings);
    const [list, week] = await Promise.all([archived ? api.listArchived() : api.list(), weekLessons()]);
    list.week = week.lessons; // kept with the roster, so the week reads offline too
    if (!archived) saveRoster(list, settings);
    setOffline(null);
    draw(list);
    byId('updated').textContent = t('updatedAt', { date: formatDateTime(new Date().toISOString()) });
    return list;
  } catch (err) {
    if (handleAuthError(err)) return null;
    const saved = err.code === 'NETWORK' ? loadRoster() : null;
    if (saved) {
      settings = saved.settings;
      applyZone(settings.time_zone);
      draw(saved.list);
      setOffline(saved.savedAt);
    } else {
      announceError(pageMessage, err);
    }
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
    forgetRoster();
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
  setupLanguageSwitch();
  registerServiceWorker();
  setupLogin();
  setupStudents();
  setupPasses();
  setupSettings(ctx);
  setupReport(ctx);
  byId('student-search').addEventListener('input', (e) => filterStudents(byId('student-list'), e.target.value, byId('no-matches')));
  byId('show-archived').addEventListener('change', () => reload());
  window.addEventListener('online', () => reload());
  window.addEventListener('offline', () => reload());
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
