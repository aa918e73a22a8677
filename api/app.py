"""``create_app`` wires routes, middleware and error handlers; nothing runs at import."""

from __future__ import annotations

import falcon

from tangopass.api import errors
from tangopass.api.admin_routes import add_routes as add_admin_routes
from tangopass.api.context import Context, StudentGate
from tangopass.api.headers import SECURITY_HEADERS
from tangopass.api.manifest import StudentManifestResource
from tangopass.api.openapi import OpenApiResource
from tangopass.api.static_files import StaticFiles
from tangopass.api.student_routes import (
    RegisterResource,
    CalendarResource,
    MoveResource,
    StatusResource,
)



class SecurityHeaders:
    """Every answer: no Referer leaves a token page, a strict CSP, no sniffing."""

    def __init__(self, cors_origins: tuple[str, ...]):
        self.connect_src = " ".join(cors_origins)

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        for name, value in SECURITY_HEADERS.items():
            resp.set_header(name, value)
        resp.set_header("Vary", "Origin")
        if resp.get_header("Cache-Control") is None:
            # API answers carry tokens and balances: never store them.
            resp.set_header("Cache-Control", "no-store")


class TangoApp(falcon.App):
    """Falcon's app, where every route that answers GET answers HEAD the same way.

    Link checkers and calendar clients send HEAD; Falcon answers 405 unless the
    resource has ``on_head``. HEAD runs the GET responder itself (so it has no
    effect a GET would not have, refusals included) and Falcon sends no body.
    """

    def add_route(self, uri_template: str, resource: object, **kwargs) -> None:
        suffix = kwargs.get("suffix")
        get, head = ("on_get", "on_head") if not suffix else (f"on_get_{suffix}", f"on_head_{suffix}")
        if hasattr(resource, get) and not hasattr(resource, head):
            setattr(resource, head, getattr(resource, get))
        super().add_route(uri_template, resource, **kwargs)


class HealthResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"ok": True}


def create_app(ctx: Context) -> falcon.App:
    middleware: list = [SecurityHeaders(ctx.settings.cors_origins)]
    if ctx.settings.cors_origins:
        middleware.append(falcon.CORSMiddleware(allow_origins=list(ctx.settings.cors_origins)))
    app = TangoApp(middleware=middleware)
    app.req_options.keep_blank_qs_values = True  # "?ledger" and "&all" carry no value
    app.req_options.strip_url_path_trailing_slash = False
    errors.install(app)

    app.add_route("/health", HealthResource())
    app.add_route("/openapi.json", OpenApiResource())
    gate = StudentGate(ctx.queries)
    app.add_route("/status", StatusResource(gate, ctx.expiry, ctx.queries, ctx.clock, ctx.schedule,
                                            ctx.settings.tz.key))
    app.add_route("/register", RegisterResource(gate, ctx.schedule, ctx.ledger, ctx.clock))
    app.add_route("/cancel", MoveResource(gate, ctx.ledger.cancel, ctx.clock, ctx.schedule))
    app.add_route("/calendar.ics", CalendarResource(gate, ctx.queries, ctx.clock, ctx.schedule))
    app.add_route("/manifest.webmanifest", StudentManifestResource(gate))
    add_admin_routes(app, ctx)
    app.add_sink(StaticFiles(), prefix="/")
    return app
