// Idempotency-Key per admin submission: the same (endpoint, body) keeps its key until it
// succeeds, so a retry after a lost answer is answered once by the server, never done twice.

/** A random UUID v4; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const pending = new Map();

function fingerprint(endpoint, body) {
  return `${endpoint} ${JSON.stringify(body ?? null)}`;
}

/** The key for this submission: the one already used for the same submission, or a new one. */
export function keyFor(endpoint, body) {
  const id = fingerprint(endpoint, body);
  if (!pending.has(id)) pending.set(id, uuid());
  return pending.get(id);
}

/** Forgets the key once the submission succeeded (a later, deliberate repeat gets a new key). */
export function settled(endpoint, body) {
  pending.delete(fingerprint(endpoint, body));
}
