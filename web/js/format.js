// Dates and durations for people, in the page's language and the studio's time zone (both pages
// call useTimeZone with the zone the API names; until then, the device's own).
import { locale, t } from './i18n.js';

let zone; // undefined: the device's own zone, until a page sets the studio's
let dayFmt;
let dayYearFmt;
let longDayFmt;
let timeFmt;

function buildFormats() {
  const z = zone ? { timeZone: zone } : {};
  dayFmt = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', ...z });
  dayYearFmt = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', ...z });
  longDayFmt = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', ...z });
  timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', ...z });
}
buildFormats();

/** The device's own IANA zone ("America/Argentina/Buenos_Aires"). */
export function deviceZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Shows every date and time from now on in zone (the console uses the studio's). */
export function useTimeZone(name) {
  zone = name;
  buildFormats();
}

/** "2026-11" for the month of iso in the zone in use. */
export function monthOf(iso) {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', ...(zone ? { timeZone: zone } : {}) })
    .formatToParts(new Date(iso));
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

/** "2026-11-24": the date of iso in the zone in use (the studio's, in the console). */
export function dateOf(iso) {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(zone ? { timeZone: zone } : {}) })
    .formatToParts(new Date(iso));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function sameYear(date) {
  return date.getFullYear() === new Date().getFullYear();
}

/** "Tue 24 Nov" (the year is added when it is not this year). */
export function formatDay(iso) {
  const date = new Date(iso);
  return (sameYear(date) ? dayFmt : dayYearFmt).format(date);
}

/** "Tuesday 24 November". */
export function formatLongDay(iso) {
  return longDayFmt.format(new Date(iso));
}

/** "19:00" (or "7:00 PM", as the language writes it). */
export function formatTime(iso) {
  return timeFmt.format(new Date(iso));
}

/** "Tue 24 Nov, 19:00". */
export function formatDateTime(iso) {
  return `${formatDay(iso)}, ${formatTime(iso)}`;
}

/** [hour, minute, second] of date on the wall clock of the zone in use. */
function wallClock(date) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', ...(zone ? { timeZone: zone } : {}),
  }).formatToParts(date);
  return ['hour', 'minute', 'second'].map((type) => Number(parts.find((p) => p.type === type).value));
}

/**
 * When a pass stops being valid. A cut-off at the very end of a day (midnight after it, or
 * 23:59) shows that last day alone: "Mon 30 Nov". Any other cut-off ends part-way through a
 * day, so its time is shown too: "Mon 30 Nov, 12:32" (a student must not read "until Mon 30
 * Nov" and come at 20:00). In the page's language and the zone in use.
 */
export function formatCutoff(iso) {
  const date = new Date(iso);
  const [hour, minute, second] = wallClock(date);
  if (hour === 0 && minute === 0 && second === 0) return formatDay(new Date(date.getTime() - 1000).toISOString());
  if (hour === 23 && minute === 59) return formatDay(iso);
  return formatDateTime(iso);
}

/** A live countdown: "2 days 3 h", "3 h 05 min", "4 min 12 s". */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (days > 0) return `${t('cdDays', { n: days })} ${t('cdHours', { n: hours })}`;
  if (hours > 0) return `${t('cdHours', { n: hours })} ${t('cdMinutes', { n: two(minutes) })}`;
  return `${t('cdMinutes', { n: minutes })} ${t('cdSeconds', { n: two(seconds) })}`;
}

/** "+2" / "−1" / "0", with a real minus sign. */
export function formatDelta(delta) {
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `\u2212${Math.abs(delta)}`;
  return '0';
}

/** ISO 8601 with the browser's own offset: "2026-11-24T19:00:00+01:00". */
export function isoWithOffset(date) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** The value a datetime-local input wants for date on the wall clock of the zone in use: "2026-11-24T19:00". */
export function wallInputValue(date) {
  const [hour, minute] = wallClock(date);
  const pad = (n) => String(n).padStart(2, '0');
  return `${dateOf(date.toISOString())}T${pad(hour)}:${pad(minute)}`;
}
