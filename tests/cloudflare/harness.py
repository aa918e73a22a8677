"""Drive the Worker (Pyodide in Node, on miniflare's local D1) from pytest.

:class:`WorkerHarness` stages the Worker as a deploy would (cloudflare/stage.py),
creates the D1 tables with ``wrangler d1 migrations apply --local``, and starts
tests/cloudflare/harness.mjs with two isolates. :class:`WorkerClient` speaks
enough of ``falcon.testing.TestClient`` for the contract tests' ``Api`` driver,
and fails any request that costs more than the free plan allows per invocation
(50 D1 queries, 100 bound parameters in one statement).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from falcon.util import CaseInsensitiveDict

from tangopass.projections.schema import schema_files, statements

ROOT = Path(__file__).resolve().parent.parent.parent
NODE = ROOT / "node_modules" / ".bin" / "node"
WRANGLER = ROOT / "node_modules" / "wrangler" / "bin" / "wrangler.js"
SDK_DIR = ROOT / ".cache" / "harness-sdk"
FREE_QUERIES_PER_INVOCATION = 50
FREE_PARAMS_PER_STATEMENT = 100
ORIGIN = "https://studio.test"


def stage_worker() -> None:
    """What a deploy uploads, plus the Workers SDK the runtime would provide."""
    subprocess.run([sys.executable, str(ROOT / "cloudflare" / "stage.py")], check=True)
    if not (SDK_DIR / "workers" / "wsgi.py").exists():
        wheels = ROOT / ".cache" / "harness-wheels"
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "-d", str(wheels),
             "-r", str(ROOT / "cloudflare" / "harness-requirements.txt")],
            check=True,
        )
        import zipfile

        for wheel in wheels.glob("workers_runtime_sdk-*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(SDK_DIR)


def wrangler(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NODE), str(WRANGLER), *args], cwd=cwd, capture_output=True, text=True,
        env={"PATH": f"{NODE.parent}:/usr/bin:/bin", "WRANGLER_SEND_METRICS": "false",
             "HOME": str(ROOT / ".cache"), "CI": "true"},
        timeout=300,
    )


def local_state() -> Path:
    """wrangler's own local state of this project (.wrangler/state), emptied of D1 data.

    The harness uses wrangler's default place, not a temporary folder, because
    `wrangler d1 export --local` reads only there (it has no --persist-to).
    """
    state = ROOT / ".wrangler" / "state"
    shutil.rmtree(state / "v3" / "d1", ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    return state


def migrate(persist_dir: Path) -> str:
    """``wrangler d1 migrations apply --local``: the schema/ files onto local D1."""
    done = wrangler("d1", "migrations", "apply", "tangopass", "--local",
                    "--persist-to", str(persist_dir))
    if done.returncode != 0:
        raise RuntimeError(f"wrangler d1 migrations apply failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Cost:
    round_trips: int
    statements: int
    max_params: int
    rows_read: int
    rows_written: int
    d1_wait_cpu_ms: float  # Node's CPU inside D1 calls (the harness's proxy to workerd)
    cpu_ms: float  # the rest: Pyodide running the Worker's Python, and the SDK's adapter
    refused_batches: int  # batches D1 refused (a conflict rolls the whole batch back)
    retries: int  # times the command runner ran the command again after a VersionConflict


class WorkerHarness:
    """One Node process: miniflare's D1 and N Pyodide isolates running the Worker."""

    def __init__(self, persist_dir: Path, isolates: int = 2):
        self.persist_dir = persist_dir
        # The isolates' stderr (Python tracebacks, logs): kept after the run.
        self.log_path = ROOT / ".cache" / "harness.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [str(NODE), str(Path(__file__).with_name("harness.mjs")), str(persist_dir),
                 str(isolates)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
            )
        first = self.process.stdout.readline()
        if not first or not json.loads(first).get("ready"):
            raise RuntimeError(f"the harness did not start:\n{self.log_path.read_text()[-4000:]}")
        self._next = 0
        self.settings_vars: dict[str, str] = {}
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            answer = json.loads(line)
            future = self._waiting.pop(answer.get("id"), None)
            if future is not None:
                future.set_result(answer)
        for future in list(self._waiting.values()):
            future.set_exception(RuntimeError(f"the harness stopped:\n{self.log_path.read_text()[-4000:]}"))

    def send(self, message: dict) -> Future:
        future: Future = Future()
        with self._lock:
            self._next += 1
            self._waiting[self._next] = future
            self.process.stdin.write(json.dumps({**message, "id": self._next}) + "\n")
            self.process.stdin.flush()
        return future

    def call(self, **message: Any) -> dict:
        answer = self.send(message).result(timeout=120)
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer

    def sql(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return self.call(op="sql", sql=sql, params=list(params))["results"]

    def held(self, gate: str) -> list[str] | None:
        """Wait until the request at ``gate`` holds a batch: its SQL, unsent; None once it finished."""
        return self.call(op="held", gate=gate)["sql"]

    def release(self, gate: str) -> None:
        """Send the batch held at ``gate`` to D1."""
        self.call(op="release", gate=gate)

    def reset(self, settings_vars: dict[str, str]) -> None:
        """Empty D1 (drop every table, create them again from schema/) and rebuild the apps."""
        tables = [row["name"] for row in self.sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'"
            " ORDER BY rowid DESC"  # children before parents: foreign keys are on
        )]
        batch = [[f"DROP TABLE IF EXISTS {name}", []] for name in tables]
        for path in schema_files():
            batch += [[statement, []] for statement in statements(path.read_text())]
        self.call(op="sql", batch=batch)
        self.settings_vars = settings_vars
        self.cold()

    def cold(self) -> None:
        """Build every isolate's app afresh: empty aggregate caches, as a new isolate has."""
        self.call(op="rebuild", url=ORIGIN, vars=self.settings_vars)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class WorkerResult:
    """What the contract tests read from ``falcon.testing.Result``."""

    status_code: int
    headers: CaseInsensitiveDict
    content: bytes
    cost: Cost

    @property
    def status(self) -> str:
        return str(self.status_code)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def json(self) -> Any:
        return json.loads(self.content) if self.content else None


@dataclass
class WorkerClient:
    """``simulate_*`` through the Worker's fetch entry; the test's clock goes with each request."""

    harness: WorkerHarness
    clock: Any = None
    isolate: int = 0
    costs: list[tuple[str, str, Cost]] = field(default_factory=list)

    def message(self, method: str, path: str, *, query_string: str | None = None,
                params: dict | None = None, body: str | bytes | None = None,
                json_body: Any = None, headers: dict | None = None, isolate: int | None = None,
                gate: str | None = None, hold: int = 1) -> dict:
        url = ORIGIN + path
        query = query_string or (urlencode(params, doseq=True) if params else "")
        if query:
            url += "?" + query
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        data = body.encode() if isinstance(body, str) else body
        message = {"op": "request", "method": method, "url": url, "headers": headers,
                   "isolate": self.isolate if isolate is None else isolate}
        if data is not None and method not in ("GET", "HEAD"):
            message["body_b64"] = base64.b64encode(data).decode()
        if gate is not None:  # its first ``hold`` batches wait there (see WorkerHarness.held)
            message.update(gate=gate, hold=hold)
        if self.clock is not None:
            now: datetime = self.clock()
            message["now"] = now.isoformat()
        return message

    def result(self, message: dict, answer: dict) -> WorkerResult:
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        cost = Cost(**answer["cost"])
        self.costs.append((message["method"], message["url"].split("?")[0], cost))
        assert cost.round_trips <= FREE_QUERIES_PER_INVOCATION, (
            f"{message['method']} {message['url']}: {cost.round_trips} D1 queries, over the free plan's "
            f"{FREE_QUERIES_PER_INVOCATION} per invocation"
        )
        assert cost.max_params <= FREE_PARAMS_PER_STATEMENT, (
            f"{message['method']} {message['url']}: {cost.max_params} bound parameters in one statement"
        )
        return WorkerResult(
            answer["status"], CaseInsensitiveDict(dict(answer["headers"])),
            base64.b64decode(answer["body_b64"]), cost,
        )

    def simulate_request(self, method: str = "GET", path: str = "/", **kwargs: Any) -> WorkerResult:
        if "json" in kwargs:
            kwargs["json_body"] = kwargs.pop("json")
        message = self.message(method, path, **kwargs)
        return self.result(message, self.harness.send(message).result(timeout=120))

    def concurrently(self, requests: list[tuple[str, str, dict]]) -> list[WorkerResult]:
        """Send several requests at once (each may name its isolate); answers in order."""
        messages = [self.message(method, path, **kwargs) for method, path, kwargs in requests]
        futures = [self.harness.send(message) for message in messages]
        return [self.result(m, f.result(timeout=120)) for m, f in zip(messages, futures)]

    def simulate_get(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("GET", path, **kwargs)

    def simulate_post(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("POST", path, **kwargs)

    def simulate_head(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("HEAD", path, **kwargs)

    def simulate_options(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("OPTIONS", path, **kwargs)

    def simulate_put(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("PUT", path, **kwargs)

    def simulate_delete(self, path: str = "/", **kwargs: Any) -> WorkerResult:
        return self.simulate_request("DELETE", path, **kwargs)
