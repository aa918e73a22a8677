"""Schemathesis fuzzes the live server from its own /openapi.json.

No 500s, every answer matches the documented schema and status codes, and the
ledger invariants hold afterwards.
"""

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings

from tangopass.api.openapi import build_document
from tests.support.api import ADMIN_TOKEN
from tests.support.invariants import (
    assert_rebuild_matches,
    check_lessons_match_registrations,
    check_ledger_invariants,
)
from tests.support.server import running_server

pytestmark = pytest.mark.slow

STUDENT_PATHS = {"/status", "/register", "/cancel", "/calendar.ics", "/manifest.webmanifest"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    db_path = str(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    with running_server(db_path, workers=2) as server:
        ana = server.admin("addStudent", {"name": "Ana"}).body
        server.admin("addPurchase", {"student_id": ana["id"], "credits": 50, "validity_months": 3})
        starts = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        server.admin("setNextLesson", {"starts_at": starts})
        yield server, db_path, ana
        log = server.log()
    assert "Traceback" not in log


# The operations come from the same document the server serves (checked equal below);
# each one is a test case, fuzzed by hypothesis against the live server.
SCHEMA = schemathesis.openapi.from_dict(build_document())
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_answers_every_generated_request_as_documented(label, live):
    server, _, ana = live
    operation = OPERATIONS[label]
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def call(case):
        if case.path in STUDENT_PATHS:
            case.query = {**(case.query or {}), "t": ana["token"]}
        # Every check but one: rules that depend on the clock ("starts_at in the future",
        # "purchased_at not in the future") cannot be written in JSON Schema, so a
        # schema-valid body may still be a 400. Invalid bodies must always be refused.
        case.call_and_validate(base_url=server.url, headers=headers,
                               excluded_checks=[positive_data_acceptance])

    call()


def test_the_fuzzed_document_is_the_one_the_server_serves(live):
    server, _, _ = live
    assert server.request("GET", "/openapi.json").body == build_document()


def test_the_ledger_holds_after_fuzzing(live, tmp_path):
    _, db_path, _ = live
    check_ledger_invariants(db_path)
    check_lessons_match_registrations(db_path)
    assert_rebuild_matches(db_path, tmp_path)
