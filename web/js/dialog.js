// A real confirmation dialog (<dialog id="confirm-dialog"> in the page), as a promise.
import { t } from './i18n.js';
import { byId } from './dom.js';

/** Asks the question; resolves true only when the user presses the confirm button. */
export function confirmDialog({ title, text, confirmLabel = t('confirm') }) {
  const dialog = byId('confirm-dialog');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = confirmLabel;
  byId('confirm-cancel').textContent = t('dismiss');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    byId('confirm-cancel').focus(); // the safe choice has the focus
  });
}
