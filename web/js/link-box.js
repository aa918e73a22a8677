// A student's personal link with Share, QR code and (optionally) "make a new link".
import { t } from './i18n.js';
import { h } from './dom.js';
import { announce, announceError } from './messages.js';
import { shareLink } from './share.js';
import { confirmDialog } from './dialog.js';
import { whileBusy } from './forms.js';

/**
 * Builds the box for student {id, name, link}. ctx: {api, message (live region), onRotated}.
 * With showQr the QR code is shown at once. Returns {el, update(student)}.
 */
export function linkBox(student, ctx, { showQr = false, rotate = true } = {}) {
  let current = student;
  let qrUrl = null;
  const inputId = `link-${student.id}-${Math.random().toString(36).slice(2, 8)}`;
  const label = h('label', { for: inputId }, t('linkFor', { name: student.name }));
  const input = h('input', { id: inputId, type: 'url', readonly: true, value: student.link, class: 'link-input' });
  const img = h('img', { class: 'qr', alt: t('qrAlt', { name: student.name }), width: 220, height: 220, hidden: true });
  // "Share" only where a share sheet exists; elsewhere the button copies, and says so.
  const canShare = Boolean(navigator.share) && (!navigator.canShare || navigator.canShare({ url: student.link }));
  const shareBtn = h('button', { type: 'button', class: 'btn btn-primary btn-small share-btn' },
    canShare ? t('shareLink') : t('copyLink'));
  const qrBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-expanded': 'false' }, t('showQr'));
  const rotateBtn = rotate ? h('button', { type: 'button', class: 'btn btn-danger btn-small' }, t('rotateLink')) : null;

  function hideQr() {
    img.hidden = true;
    if (qrUrl) URL.revokeObjectURL(qrUrl);
    qrUrl = null;
    qrBtn.textContent = t('showQr');
    qrBtn.setAttribute('aria-expanded', 'false');
  }

  async function loadQr() {
    try {
      const blob = await ctx.api.qr(current.id);
      hideQr();
      qrUrl = URL.createObjectURL(blob);
      img.src = qrUrl;
      img.hidden = false;
      qrBtn.textContent = t('hideQr');
      qrBtn.setAttribute('aria-expanded', 'true');
    } catch (err) {
      announceError(ctx.message, err);
    }
  }

  shareBtn.addEventListener('click', () => whileBusy(shareBtn, async () => {
    const outcome = await shareLink({ url: current.link, title: t('shareTitle'), text: t('shareText') }, input);
    if (outcome === 'copied') announce(ctx.message, t('linkCopied'), 'ok');
    else if (outcome === 'shared') announce(ctx.message, t('linkShared'), 'ok');
    else if (outcome === 'manual') announce(ctx.message, t('copyManually'), 'info');
  }));
  qrBtn.addEventListener('click', () => whileBusy(qrBtn, async () => {
    if (img.hidden) await loadQr();
    else hideQr();
  }));
  rotateBtn?.addEventListener('click', () => whileBusy(rotateBtn, async () => {
    const ok = await confirmDialog({ title: t('rotateTitle', { name: current.name }), text: t('rotateText', { name: current.name }) });
    if (!ok) return;
    try {
      const fresh = await ctx.api.rotateToken(current.id);
      update({ ...current, ...fresh });
      announce(ctx.message, t('rotated', { name: current.name }), 'ok');
      ctx.onRotated?.(current);
    } catch (err) {
      announceError(ctx.message, err);
    }
  }));

  function update(next) {
    const changed = next.link !== current.link;
    current = next;
    input.value = next.link;
    if (changed && !img.hidden) loadQr();
  }

  if (showQr) loadQr();
  const el = h('div', { class: 'link-box' },
    label, input,
    h('div', { class: 'row link-actions' }, shareBtn, qrBtn, rotateBtn),
    img);
  return { el, update };
}
