// Sharing a student's link: the system share sheet where there is one, else the clipboard,
// else select the text so the teacher can copy it by hand.

async function copyText(text, fallbackInput) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or not focused: try the old way below.
    }
  }
  if (fallbackInput) {
    fallbackInput.focus();
    fallbackInput.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Shares url. Returns 'shared', 'copied', 'cancelled' (the user closed the share sheet)
 * or 'manual' (nothing worked: the link is selected in fallbackInput).
 */
export async function shareLink({ url, title, text }, fallbackInput) {
  if (navigator.share && (!navigator.canShare || navigator.canShare({ url }))) {
    try {
      await navigator.share({ title, text, url });
      return 'shared';
    } catch (err) {
      if (err?.name === 'AbortError') return 'cancelled';
      // Not allowed here (desktop without a share target): fall back to copying.
    }
  }
  if (await copyText(url, fallbackInput)) return 'copied';
  fallbackInput?.select();
  return 'manual';
}

/**
 * Shares a ready-made message (the share sheet on phones, else the clipboard; as a last
 * resort the text is selected in fallbackInput). Same outcomes as shareLink.
 */
export async function shareMessage({ title, text }, fallbackInput) {
  if (navigator.share && (!navigator.canShare || navigator.canShare({ text }))) {
    try {
      await navigator.share({ title, text });
      return 'shared';
    } catch (err) {
      if (err?.name === 'AbortError') return 'cancelled';
    }
  }
  if (await copyText(text, fallbackInput)) return 'copied';
  fallbackInput?.select();
  return 'manual';
}
