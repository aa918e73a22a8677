// The language switch on both screens: a small <select> in the top bar, remembered on the device.
import { lang, LANGUAGES, chooseLanguage, t } from './i18n.js';
import { h } from './dom.js';

/** Puts the switch into the element with id "lang-slot". */
export function setupLanguageSwitch() {
  const slot = document.getElementById('lang-slot');
  if (!slot) return;
  const select = h('select', { id: 'lang-switch', class: 'lang-switch', 'aria-label': t('languageLabel') },
    ...LANGUAGES.map(([code, name]) => h('option', { value: code, lang: code, selected: code === lang }, name)));
  select.addEventListener('change', () => chooseLanguage(select.value));
  slot.replaceChildren(select);
}
