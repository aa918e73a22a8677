// What the student page keeps on this device (localStorage only): the last /status answer per
// token, shown as stale when offline; the last token, so the installed app (start_url "/")
// opens the right pass; and lesson dates seen, so history can name them.

const STATUS_PREFIX = 'tangopass:status:';
const LAST_TOKEN = 'tangopass:token';
const LESSONS = 'tangopass:lessons';
const MAX_LESSONS = 60;

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private browsing): the page still works online.
  }
}

/** Saves the last good /status answer for token, with the time it was received. */
export function saveStatus(token, status) {
  write(STATUS_PREFIX + token, { savedAt: new Date().toISOString(), status });
}

/** The last saved answer for token as {savedAt, status}, or null. */
export function loadStatus(token) {
  const saved = read(STATUS_PREFIX + token);
  return saved && saved.status ? saved : null;
}

/** Forgets everything kept for a token (used when the server says the link is no longer valid). */
export function forgetToken(token) {
  write(STATUS_PREFIX + token, null);
  if (read(LAST_TOKEN) === token) write(LAST_TOKEN, null);
}

export function rememberToken(token) {
  write(LAST_TOKEN, token);
}

export function lastToken() {
  const token = read(LAST_TOKEN);
  return typeof token === 'string' && token ? token : null;
}

/** Remembers the start time of a lesson by id. */
export function rememberLesson(lesson) {
  if (!lesson?.id || !lesson.starts_at) return;
  const lessons = read(LESSONS) || {};
  lessons[lesson.id] = lesson.starts_at;
  const ids = Object.keys(lessons).map(Number).sort((a, b) => b - a);
  for (const old of ids.slice(MAX_LESSONS)) delete lessons[old];
  write(LESSONS, lessons);
}

/** A Map lesson id → starts_at of every lesson seen on this device. */
export function knownLessons() {
  return new Map(Object.entries(read(LESSONS) || {}).map(([id, at]) => [Number(id), at]));
}
