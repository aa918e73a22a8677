"""A thin driver for the HTTP contract through falcon.testing (no network)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from falcon import testing

ADMIN_TOKEN = "test-admin-token-0123456789"


@dataclass
class Api:
    client: testing.TestClient

    def admin(self, endpoint: str, body: Any = None, *, key: str | None = None,
              token: str = ADMIN_TOKEN) -> testing.Result:
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        if body is None:
            return self.client.simulate_post(f"/admin/{endpoint}", headers=headers)
        headers["Content-Type"] = "application/json"
        return self.client.simulate_post(
            f"/admin/{endpoint}", body=json.dumps(body), headers=headers
        )

    def admin_get(self, path: str, token: str = ADMIN_TOKEN) -> testing.Result:
        return self.client.simulate_get(path, headers={"Authorization": f"Bearer {token}"})

    def add_student(self, name: str = "Ana") -> dict:
        result = self.admin("addStudent", {"name": name})
        assert result.status_code == 201, result.text
        return result.json

    def buy(self, student_id: int, credits: int = 10, months: int = 1, **extra: Any) -> dict:
        body = {"student_id": student_id, "credits": credits, "validity_months": months, **extra}
        result = self.admin("addPurchase", body)
        assert result.status_code == 201, result.text
        return result.json

    def lesson(self, starts_at: str) -> dict:
        result = self.admin("setNextLesson", {"starts_at": starts_at})
        assert result.status_code == 201, result.text
        return result.json["lesson"]

    def status(self, token: str, query: str = "") -> testing.Result:
        return self.client.simulate_get("/status", query_string=f"t={token}{query}")

    def register(self, token: str, body: Any = None) -> testing.Result:
        return self._student_post("/register", token, body)

    def cancel(self, token: str, body: Any = None) -> testing.Result:
        return self._student_post("/cancel", token, body)

    def _student_post(self, path: str, token: str, body: Any) -> testing.Result:
        if body is None:
            return self.client.simulate_post(path, query_string=f"t={token}")
        return self.client.simulate_post(
            path, query_string=f"t={token}", body=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
