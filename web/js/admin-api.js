// The teacher's API calls: Bearer admin token on each, Idempotency-Key on each POST.
import { request } from './api.js';
import { keyFor, settled } from './idempotency.js';

/** An admin client that reads the token with getToken() at each call. */
export function createAdminApi(getToken) {
  const auth = () => ({ Authorization: `Bearer ${getToken()}` });

  async function post(endpoint, body) {
    const headers = { ...auth(), 'Idempotency-Key': keyFor(endpoint, body) };
    try {
      const answer = await request(endpoint, { method: 'POST', body, headers });
      settled(endpoint, body);
      return answer;
    } catch (err) {
      if (err.code === 'IDEMPOTENCY_KEY_REUSED') settled(endpoint, body);
      throw err;
    }
  }

  return {
    list: () => request('/admin/list', { headers: auth() }),
    ledger: (studentId, all = false) =>
      request(`/admin/ledger?student_id=${encodeURIComponent(studentId)}${all ? '&all=1' : ''}`, { headers: auth() }),
    qr: (studentId) => request(`/admin/qr?student_id=${encodeURIComponent(studentId)}`, { headers: auth(), as: 'blob' }),
    addStudent: (name) => post('/admin/addStudent', { name }),
    rotateToken: (studentId) => post('/admin/rotateToken', { student_id: studentId }),
    addPurchase: (body) => post('/admin/addPurchase', body),
    setNextLesson: (startsAt) => post('/admin/setNextLesson', { starts_at: startsAt }),
    cancelLesson: (lessonId) => post('/admin/cancelLesson', { lesson_id: lessonId }),
    // Commands about one lesson always name it: "the next lesson" (or "the latest begun") on the
    // server may not be the one on the screen once another device added or cleared a lesson.
    cancelRegistration: (studentId, lessonId) =>
      post('/admin/cancelRegistration', { student_id: studentId, lesson_id: lessonId }),
    clearRegistrations: (lessonId, noShows = []) =>
      post('/admin/clearRegistrations', { lesson_id: lessonId, no_shows: noShows }),
    lessons: (from, to) => request(`/admin/lessons?from=${from}&to=${to}`, { headers: auth() }),
    addLesson: (body) => post('/admin/addLesson', body),
    addSeries: (body) => post('/admin/addSeries', body),
    endSeries: (seriesId, lastOn) => post('/admin/endSeries', { series_id: seriesId, last_on: lastOn }),
    setCapacity: (lessonId, capacity) => post('/admin/setCapacity', { lesson_id: lessonId, capacity }),
    registerStudent: (studentId, lessonId) =>
      post('/admin/registerStudent', { student_id: studentId, lesson_id: lessonId }),
    addClosure: (body) => post('/admin/addClosure', body),
    extendValidity: (days) => post('/admin/extendValidity', { days }),
    adjust: (body) => post('/admin/adjust', body),
    listArchived: () => request('/admin/list?archived', { headers: auth() }),
    student: (studentId) => request(`/admin/student?student_id=${encodeURIComponent(studentId)}`, { headers: auth() }),
    renameStudent: (studentId, name) => post('/admin/renameStudent', { student_id: studentId, name }),
    archiveStudent: (studentId, archived) => post('/admin/archiveStudent', { student_id: studentId, archived }),
    extendLot: (body) => post('/admin/extendLot', body),
    settings: () => request('/admin/settings', { headers: auth() }),
    saveSettings: (body) => post('/admin/settings', body),
    report: (month) => request(`/admin/report?month=${encodeURIComponent(month)}`, { headers: auth() }),
    reportCsv: (month) => request(`/admin/report?month=${encodeURIComponent(month)}&format=csv`, { headers: auth(), as: 'blob' }),
  };
}
