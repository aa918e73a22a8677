// The student screen: shows the pass for the token in ?t=…, registers and cancels.
import { t, applyStaticText } from './i18n.js';
import { formatDateTime, useTimeZone, deviceZone } from './format.js';
import { byId } from './dom.js';
import { studentApi } from './api.js';
import { announce, announceError } from './messages.js';
import { saveStatus, loadStatus, forgetToken, rememberToken, lastToken, rememberLesson, knownLessons } from './offline.js';
import { renderPass, renderNoToken, windowOpen, windowHours } from './render-student.js';
import { startCountdown, stopCountdown } from './countdown.js';
import { registerServiceWorker } from './sw-register.js';
import { setupLanguageSwitch } from './lang-switch.js';
import { renderLessonList, answerMessage } from './lesson-list.js';

const REFRESH_EVERY_MS = 5 * 60 * 1000;

const state = {
  token: null,
  status: null,     // the last /status answer shown
  savedAt: null,    // when it was received
  skewMs: 0,        // server clock minus this device's clock
  offline: false,
  busyAction: null, // 'register' | 'cancel' while a request is in flight
  busyLesson: null, // the id of the lesson in the list whose request is in flight
  zone: null,       // the studio's IANA zone the page shows times in, once /status named it
};

function serverNow() {
  return Date.now() + state.skewMs;
}

/**
 * Times on this page are the studio's (a lesson happens there), named when this device is
 * elsewhere. An answer saved before /status named the zone keeps the device's.
 */
function applyZone(zone) {
  if (!zone || zone === state.zone) return;
  state.zone = zone;
  useTimeZone(zone);
  const note = byId('zone-note');
  note.hidden = zone === deviceZone();
  note.textContent = note.hidden ? '' : t('zoneNote', { zone });
}

function render() {
  if (!state.status) return;
  applyZone(state.status.time_zone);
  renderPass(state.status, {
    nowMs: serverNow(),
    offline: state.offline,
    savedAt: state.savedAt,
    busyAction: state.busyAction,
    lessons: knownLessons(),
    calendarUrl: studentApi.calendarUrl(state.token),
  });
  renderLessonList(byId('lesson-list'), state.status.lessons || [], {
    nowMs: serverNow(),
    disabled: Boolean(state.offline || state.busyAction || state.busyLesson),
    busy: state.busyLesson,
    onAction: actOn,
  });
  byId('subscribe-link').href = studentApi.webcalUrl(state.token);
  const lesson = state.status.next_lesson;
  if (lesson && windowOpen(state.status, serverNow())) {
    startCountdown(byId('countdown'), Date.parse(lesson.registration_closes_at), state.skewMs, () => refresh());
  } else {
    stopCountdown();
  }
}

function accept(status) {
  state.status = status;
  state.savedAt = new Date().toISOString();
  state.skewMs = Date.parse(status.now) - Date.now() || 0;
  state.offline = false;
  saveStatus(state.token, status);
  rememberLesson(status.next_lesson);
  byId('page-message').hidden = true;
}

function showInvalidLink() {
  forgetToken(state.token);
  state.status = null;
  stopCountdown();
  renderNoToken();
  byId('no-token').hidden = true;
  announce(byId('page-message'), t('linkInvalid'), 'error');
}

function showLoadError(err) {
  if (err.code === 'INVALID_TOKEN') return showInvalidLink();
  state.offline = err.code === 'NETWORK';
  if (!state.status) {
    byId('loading').hidden = true;
    if (state.offline) announce(byId('page-message'), t('offlineNoData'), 'error');
    else announceError(byId('page-message'), err);
    return;
  }
  render();
  if (!state.offline) announceError(byId('page-message'), err);
}

/** Fetches a fresh /status (with history); on failure shows the last known state. */
async function refresh() {
  try {
    accept(await studentApi.status(state.token));
    render();
  } catch (err) {
    showLoadError(err);
  }
}

function focusVisibleAction(wasFocused) {
  if (!wasFocused) return;
  const visible = [byId('register-btn'), byId('cancel-btn')].find((b) => !b.hidden);
  (visible || byId('reg-state')).focus();
}

/** The start of a lesson this page knows (shown now, or seen before), or null. */
function lessonStart(lessonId) {
  const shown = [state.status?.next_lesson, ...(state.status?.lessons || [])];
  const found = shown.find((lesson) => lesson?.id === lessonId);
  return found?.starts_at || knownLessons().get(lessonId) || null;
}

/** What to say after the server answered for answer.lesson_id (the page sent shownId). */
function actionMessage(answer, shownId) {
  const startsAt = lessonStart(answer.lesson_id);
  const date = startsAt ? formatDateTime(startsAt) : t('lessonNumber', { id: answer.lesson_id });
  if (answer.lesson_id !== shownId) return t('lessonChanged', { date });
  if (answer.registered) return t('registeredOk', { date });
  return t(answer.expired_on_return ? 'cancelledExpired' : 'cancelledOk', { date });
}

async function act(action) {
  if (state.busyAction || state.offline) return; // no double submit
  const shown = state.status?.next_lesson;
  if (!shown) return;
  const hadFocus = Boolean(document.activeElement?.closest('.actions'));
  const message = byId('action-message');
  state.busyAction = action;
  render();
  try {
    // The lesson on the screen, by id: never "whatever is next" by the time the tap arrives.
    const answer = await studentApi[action](state.token, shown.id);
    if (answer.lesson_id === shown.id) {
      state.status = { ...state.status, registered: answer.registered, credits_available: answer.credits_available };
    }
    if (answer.waitlisted) announce(message, answerMessage(action, answer, shown), 'ok');
    else announce(message, actionMessage(answer, shown.id), 'ok');
  } catch (err) {
    if (err.code === 'INVALID_TOKEN') {
      state.busyAction = null;
      return showInvalidLink();
    }
    const lesson = state.status?.next_lesson;
    announceError(message, err, lesson ? { hours: windowHours(lesson) } : {});
    if (err.code === 'NETWORK') state.offline = true;
  }
  state.busyAction = null;
  render();
  if (!state.offline) await refresh();
  focusVisibleAction(hadFocus);
}

/** Points the page's manifest at this student's own, so an installed app opens their pass. */
function linkManifest(token) {
  const link = document.querySelector('link[rel="manifest"]');
  if (link) link.href = studentApi.manifestUrl(token);
}

/** Book, cancel or leave the waitlist for one lesson of the list, naming its lesson_id. */
async function actOn(action, lesson) {
  if (state.busyAction || state.busyLesson || state.offline) return;
  const message = byId('list-message');
  state.busyLesson = lesson.id;
  render();
  try {
    const call = action === 'register' ? studentApi.register : studentApi.cancel;
    const answer = await call(state.token, lesson.id);
    state.status = { ...state.status, credits_available: answer.credits_available };
    announce(message, answerMessage(action, answer, lesson), 'ok');
  } catch (err) {
    if (err.code === 'INVALID_TOKEN') {
      state.busyLesson = null;
      return showInvalidLink();
    }
    announceError(message, err);
    if (err.code === 'NETWORK') state.offline = true;
  }
  state.busyLesson = null;
  render();
  if (!state.offline) await refresh();
  byId('lesson-list').querySelector(`[data-lesson-id="${lesson.id}"] button`)?.focus();
}

function start() {
  applyStaticText();
  setupLanguageSwitch();
  registerServiceWorker();
  const fromUrl = new URLSearchParams(location.search).get('t');
  state.token = fromUrl || lastToken();
  if (!state.token) {
    renderNoToken();
    return;
  }
  if (fromUrl) rememberToken(fromUrl);
  linkManifest(state.token);
  const saved = loadStatus(state.token);
  if (saved) {
    // Show the last known state at once; it is replaced as soon as the network answers.
    state.status = saved.status;
    state.savedAt = saved.savedAt;
    state.offline = !navigator.onLine;
    render();
  }
  byId('register-btn').addEventListener('click', () => act('register'));
  byId('cancel-btn').addEventListener('click', () => act('cancel'));
  byId('refresh-btn').addEventListener('click', () => refresh());
  window.addEventListener('online', () => refresh());
  window.addEventListener('offline', () => { state.offline = true; render(); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_EVERY_MS);
  refresh();
}

start();
