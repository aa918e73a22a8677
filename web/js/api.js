// The HTTP client for the Tango Pass API (see CONTRACT.md). Every failure becomes an ApiError
// whose code is the contract's error code, or BUSY (503) / NETWORK (no answer) / OTHER.

const TIMEOUT_MS = 15000;

/** The API base URL from <meta name="tangopass-api-base"> ("" = same origin). */
export const apiBase = (document.querySelector('meta[name="tangopass-api-base"]')?.content || '')
  .trim().replace(/\/+$/, '');

export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message || code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** The absolute URL of an API path ("/status?t=…"). */
export function apiUrl(path) {
  return apiBase + path;
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status alone.
  }
  // 503 is the contract's "busy, retry"; a proxy's 502/504 mean the same to a user.
  if ([502, 503, 504].includes(response.status)) return new ApiError('BUSY', body?.message, response.status);
  if (body && typeof body.error === 'string') return new ApiError(body.error, body.message, response.status);
  return new ApiError('OTHER', `HTTP ${response.status}`, response.status);
}

/**
 * Sends one request. options: method, body (sent as JSON), headers, as ('json' | 'blob').
 * Resolves with the parsed answer; rejects with an ApiError.
 */
export async function request(path, { method = 'GET', body, headers = {}, as = 'json' } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const init = {
    method,
    headers: { Accept: as === 'json' ? 'application/json' : '*/*', ...headers },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    signal: controller.signal,
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path), init);
  } catch {
    throw new ApiError('NETWORK', 'network', 0);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw await errorFrom(response);
  try {
    return as === 'blob' ? await response.blob() : await response.json();
  } catch {
    throw new ApiError('NETWORK', 'incomplete answer', response.status);
  }
}

const q = encodeURIComponent;

/** Student calls: the token travels in the query string, as the contract says. */
export const studentApi = {
  // The whole history: a student sees every credit, before the bookkeeping cut-off too.
  status: (token, ledger = true) => request(`/status?t=${q(token)}${ledger ? '&ledger=all' : ''}`),
  // Always the lesson the page shows, by id: "the next lesson" may have changed meanwhile.
  register: (token, lessonId) => request(`/register?t=${q(token)}`, { method: 'POST', body: { lesson_id: lessonId } }),
  cancel: (token, lessonId) => request(`/cancel?t=${q(token)}`, { method: 'POST', body: { lesson_id: lessonId } }),
  /** The installed app's manifest for this student (same origin as the page): start_url is their link. */
  manifestUrl: (token) => `/manifest.webmanifest?t=${q(token)}`,
  calendarUrl: (token) => apiUrl(`/calendar.ics?t=${q(token)}`),
  /** The same feed as a webcal: link, so calendar apps subscribe and pick up cancellations. */
  webcalUrl: (token) => new URL(apiUrl(`/calendar.ics?t=${q(token)}`), location.href).href.replace(/^https?:/, 'webcal:'),
};
