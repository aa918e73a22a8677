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

# Pages and the service worker must revalidate so updates reach phones;
# the other static files may be cached for an hour.
FRESH_CACHE = "no-cache"
STATIC_CACHE = "public, max-age=3600"


def cache_control(file_name: str) -> str:
    """``Cache-Control`` of one static file of the PWA, by its name."""
    fresh = file_name.endswith(".html") or file_name == "service-worker.js"
    return FRESH_CACHE if fresh else STATIC_CACHE
