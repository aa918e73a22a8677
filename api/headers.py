"""The security headers of every answer, in one place (no imports: the Worker's
build step reads this file to write the static assets' ``_headers``)."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# No Referer leaves a token page, a strict CSP, no sniffing, no framing.
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
}

# Pages are opened as ``/?t=TOKEN``: no HTTP cache may keep an entry under a URL that
# holds a token (the service worker keeps its own copy of the shell, without the query).
# The service worker must revalidate so updates reach phones; the other static files
# may be cached for an hour.
PAGE_CACHE = "no-store"
FRESH_CACHE = "no-cache"
STATIC_CACHE = "public, max-age=3600"


def cache_control(file_name: str) -> str:
    """``Cache-Control`` of one static file of the PWA, by its name."""
    if file_name.endswith(".html"):
        return PAGE_CACHE
    return FRESH_CACHE if file_name == "service-worker.js" else STATIC_CACHE
