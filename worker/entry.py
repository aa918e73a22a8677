"""The Cloudflare Worker's fetch entry (wrangler.toml ``main``, staged as ``.worker/entry.py``).

Static files of the PWA are served by Cloudflare's assets before the Worker
runs; every other request reaches the same Falcon app as ``tangopass serve``,
through the Workers SDK's WSGI adapter, on D1.
"""

from workers import WorkerEntrypoint
from workers.wsgi import fetch as wsgi_fetch

from tangopass.worker.app import app_for


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await wsgi_fetch(app_for(self.env, request.url), request, self.env)
