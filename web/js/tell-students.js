// "Tell the students": after the teacher cancels a lesson or a registration, a ready
// message naming the lesson, to send with the phone's share sheet or copy on a laptop.
import { t } from './i18n.js';
import { h, replaceChildren, byId } from './dom.js';
import { announce } from './messages.js';
import { shareMessage } from './share.js';
import { whileBusy } from './forms.js';

/** Shows the message text in #tell-box with a Send/Copy button. */
export function offerMessage(text, message) {
  const box = byId('tell-box');
  const area = h('textarea', { class: 'tell-text', rows: 3, readonly: true, 'aria-label': t('tellLabel') });
  area.value = text;
  const send = h('button', { type: 'button', class: 'btn btn-primary btn-small' }, t('tellSend'));
  send.addEventListener('click', () => whileBusy(send, async () => {
    const outcome = await shareMessage({ title: t('appName'), text }, area);
    if (outcome === 'copied') announce(message, t('tellCopied'), 'ok');
    else if (outcome === 'shared') announce(message, t('tellShared'), 'ok');
    else if (outcome === 'manual') announce(message, t('copyManually'), 'info');
  }));
  const close = h('button', { type: 'button', class: 'btn btn-link btn-small' }, t('tellClose'));
  close.addEventListener('click', () => { box.hidden = true; });
  replaceChildren(box, h('p', { class: 'tell-title' }, t('tellHeading')), area,
    h('div', { class: 'row' }, send, close));
  box.hidden = false;
}
