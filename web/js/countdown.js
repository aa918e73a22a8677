// A live "closes in 2 h 05 min" line that ticks every second and calls onEnd once at zero.
import { t } from './i18n.js';
import { formatCountdown } from './format.js';

let timer = null;

/** Stops the running countdown, if any. */
export function stopCountdown() {
  clearInterval(timer);
  timer = null;
}

/**
 * Counts down in el to targetMs, measured on the server's clock (skewMs = server - local).
 * Only the visible text changes; the role="timer" element is not announced every second.
 */
export function startCountdown(el, targetMs, skewMs, onEnd) {
  stopCountdown();
  const tick = () => {
    const left = targetMs - (Date.now() + skewMs);
    el.textContent = t('windowOpen', { countdown: formatCountdown(left) });
    if (left <= 0) {
      stopCountdown();
      onEnd();
    }
  };
  tick();
  if (targetMs - (Date.now() + skewMs) > 0) timer = setInterval(tick, 1000);
}
