// Tango Pass service worker: keeps the app shell for offline use.
// - Pages: network first, cached copy when offline. Cache keys never hold the token
//   (the query string is dropped), and the stored copy is rebuilt without its URL.
// - Shell files (CSS, JS, icons, manifests): from the cache, refreshed in the background.
// - API answers (student and admin) never touch this cache: the student page keeps its own
//   last /status in localStorage and shows it as stale; admin answers are never stored.
// Bump VERSION when the shell changes so every phone picks up the new files.

const VERSION = 'v5';
const CACHE = `tangopass-shell-${VERSION}`;

const PAGES = ['/', '/teacher'];
const SHELL = [
  ...PAGES,
  '/manifest.json',
  '/teacher-manifest.json',
  '/css/base.css',
  '/css/student.css',
  '/css/teacher.css',
  '/js/api.js',
  '/js/admin-api.js',
  '/js/countdown.js',
  '/js/desk-panels.js',
  '/js/dialog.js',
  '/js/dom.js',
  '/js/forms.js',
  '/js/format.js',
  '/js/i18n.js',
  '/js/lang-switch.js',
  '/js/lang/en.js',
  '/js/lang/es.js',
  '/js/idempotency.js',
  '/js/lesson-panel.js',
  '/js/lesson-list.js',
  '/js/week-panel.js',
  '/js/week-actions.js',
  '/js/tell-students.js',
  '/js/link-box.js',
  '/js/messages.js',
  '/js/offline.js',
  '/js/passes-panel.js',
  '/js/render-history.js',
  '/js/render-student.js',
  '/js/render-students.js',
  '/js/roster.js',
  '/js/share.js',
  '/js/student-panel.js',
  '/js/student.js',
  '/js/sw-register.js',
  '/js/teacher-token.js',
  '/js/teacher.js',
  '/icons/favicon-32.png',
  '/icons/apple-touch-icon.png',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];

// The per-student manifest carries a token: like the API, never cached here.
const API_PATHS = ['/status', '/register', '/cancel', '/calendar.ics', '/health', '/openapi.json', '/manifest.webmanifest'];

function isApi(url) {
  return API_PATHS.includes(url.pathname) || url.pathname.startsWith('/admin/') || url.pathname === '/admin';
}

/** The cache key of a page: its path only, so "/?t=TOKEN" is stored as "/". */
function pageKey(url) {
  if (url.pathname === '/index.html') return '/';
  if (url.pathname === '/teacher.html') return '/teacher';
  return url.pathname;
}

/** A copy of a response that carries no URL (the original's URL may hold the token). */
async function anonymous(response) {
  const body = await response.clone().blob();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('tangopass-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function networkFirstPage(request, url) {
  const cache = await caches.open(CACHE);
  const key = pageKey(url);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(key, await anonymous(response));
    return response;
  } catch (err) {
    const cached = await cache.match(key) || (PAGES.includes(key) ? null : await cache.match('/'));
    if (cached) return cached;
    throw err;
  }
}

async function staleWhileRevalidate(event, url) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(url.pathname);
  // Revalidate past the HTTP cache, so a new release reaches the phone on its next visit.
  const update = fetch(url.pathname, { cache: 'no-cache' }).then(async (response) => {
    if (response.ok && response.type === 'basic') await cache.put(url.pathname, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(update.catch(() => {}));
    return cached;
  }
  return update;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url)) return; // straight to the network
  if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(request, url));
    return;
  }
  if (SHELL.includes(url.pathname) && !url.search) event.respondWith(staleWhileRevalidate(event, url));
});
