// Picks the language from navigator.language and fills strings from lang/<code>.js.
import en from './lang/en.js';
import es from './lang/es.js';

const TABLES = { en, es };

/** The first supported language in the browser's preference list, else English. */
function pickLanguage(preferred) {
  for (const tag of preferred) {
    const base = String(tag || '').toLowerCase().split('-')[0];
    if (TABLES[base]) return base;
  }
  return 'en';
}

const CHOSEN = 'tangopass:lang';

/** The language picked with the switch on this device, if any. */
function chosenLanguage() {
  try {
    const code = localStorage.getItem(CHOSEN);
    return TABLES[code] ? code : null;
  } catch {
    return null;
  }
}

const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
const chosen = chosenLanguage();
const preferred = chosen ? [chosen, ...browser] : browser;
export const lang = pickLanguage(preferred);
/** The languages the switch offers, as [code, name in that language]. */
export const LANGUAGES = [['en', 'English'], ['es', 'Español']];

/** Remembers code on this device and reloads the page in it. */
export function chooseLanguage(code) {
  try {
    localStorage.setItem(CHOSEN, code);
  } catch {
    // Storage disabled: the switch still works for this page load.
  }
  location.reload();
}
/** The user's own variant of that language for dates ("en-GB" writes "Tue 24 Nov"). */
export const locale = browser.find((tag) => String(tag).toLowerCase().split('-')[0] === lang) || lang;
const table = TABLES[lang];
const plural = new Intl.PluralRules(lang);

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The string for key in the chosen language, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  let value = key.split('.').reduce((node, part) => node?.[part], table);
  if (value === undefined) value = key.split('.').reduce((node, part) => node?.[part], en);
  if (value && typeof value === 'object') value = value[plural.select(Number(params.n ?? 0))] ?? value.other;
  return fill(value ?? key, params);
}

/** Fills [data-i18n] text and [data-i18n-attr="attr:key;…"] attributes below root. */
export function applyStaticText(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
