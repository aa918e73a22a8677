// Registers the service worker (app shell cache) where the browser allows it.

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const go = () => navigator.serviceWorker.register('/service-worker.js', { scope: '/' }).catch(() => {
    // Not fatal: the page works without offline support (e.g. plain http on a LAN address).
  });
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go, { once: true });
}
