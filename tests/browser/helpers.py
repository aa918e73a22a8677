"""Helpers for the browser tests: arrange data through the real HTTP API, sign in."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Api:
    """Arranges test data through the real HTTP API (urllib, admin token)."""

    base_url: str
    admin_token: str

    def call(self, method: str, path: str, body: dict | None = None, admin: bool = True) -> dict:
        headers = {"Accept": "application/json"}
        if admin:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            payload = json.loads(err.read() or b"null")
            raise AssertionError(f"{method} {path} answered {err.code}: {payload}") from None

    def add_student(self, name: str, credits: int = 0, validity_months: int = 1) -> dict:
        student = self.call("POST", "/admin/addStudent", {"name": name})
        if credits:
            self.call("POST", "/admin/addPurchase",
                      {"student_id": student["id"], "credits": credits, "validity_months": validity_months})
        return student

    def set_lesson(self, starts_at: datetime | None = None) -> dict:
        starts_at = starts_at or datetime.now(timezone.utc) + timedelta(days=1)
        return self.call("POST", "/admin/setNextLesson", {"starts_at": iso(starts_at)})["lesson"]

    def status(self, token: str) -> dict:
        return self.call("GET", f"/status?t={token}", admin=False)

    def register(self, token: str) -> dict:
        return self.call("POST", f"/register?t={token}", admin=False)

    def admin_list(self) -> dict:
        return self.call("GET", "/admin/list")


@dataclass
class Server:
    base_url: str
    api: Api
    process: subprocess.Popen

    def link(self, student: dict) -> str:
        return f"{self.base_url}/?t={student['token']}"


def sign_in(page, server: Server) -> None:
    """Opens the teacher console and signs in with the admin token."""
    page.goto(server.base_url + "/teacher")
    page.get_by_label("Admin token").fill(server.api.admin_token)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#console").wait_for(state="visible")
