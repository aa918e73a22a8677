"""The journal for auditors and spreadsheets: CSV without formula injection, JSON lines."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tangopass.projections.export import COLUMNS, csv_cell
from tests.audit.helpers import cli


@pytest.fixture
def tricky(api, clock) -> list[dict]:
    """Names and notes that a spreadsheet would run as formulas."""
    names = ["=HYPERLINK(\"http://evil\")", "+1 555", "-minus", "@SUM(A1)", "\tTab", "\rCR", "Ana"]
    students = [api.add_student(name) for name in names]
    api.buy(students[0]["id"], credits=3, note="=2+3")
    api.buy(students[6]["id"], credits=2, note="cash; plain")
    api.lesson("2026-11-24T19:00:00Z")
    api.register(students[0]["token"])
    api.admin("adjust", {"student_id": students[6]["id"], "delta": -1, "reason": "-oops"})
    return students


def parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_cells_that_look_like_formulas_are_neutralised(tricky, db_path):
    result = cli("export", "--db", db_path, "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = parse(result.stdout)
    assert list(rows[0]) == list(COLUMNS)
    first = rows[0]
    assert first["student_name"] == "'=HYPERLINK(\"http://evil\")"
    assert first["note"] == "'=2+3"
    ana = [row for row in rows if row["student_name"] == "Ana"]
    assert [row["note"] for row in ana] == ["cash; plain", "'-oops"]
    # Numbers stay numbers: the negative delta is not quoted.
    assert [row["delta_credits"] for row in ana] == ["2", "-1"]
    for row in rows:
        for column in ("student_name", "note"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""), (-1, -1), (0, 0), (12, 12),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_jsonl_keeps_the_values_as_they_are(tricky, db_path):
    result = cli("export", "--db", db_path, "--format", "jsonl", "--student", tricky[0]["id"])

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["type"] for row in rows] == ["PURCHASE", "REGISTER"]
    assert rows[0]["student_name"] == "=HYPERLINK(\"http://evil\")"
    assert rows[0]["note"] == "=2+3"
    assert rows[1]["delta_credits"] == -1
    assert set(rows[0]) == set(COLUMNS)


def test_export_to_a_file(tricky, db_path, tmp_path):
    out = tmp_path / "ledger.csv"
    result = cli("export", "--db", db_path, "--out", out)

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "4 entries written" in result.stderr
    assert len(parse(out.read_text())) == 4


def test_export_of_an_unknown_student_or_missing_database(tricky, db_path, tmp_path):
    assert cli("export", "--db", db_path, "--student", 99).exit_code == 2
    missing = cli("export", "--db", tmp_path / "nope.db")
    assert missing.exit_code == 2
    assert "cannot open" in missing.stderr
    assert not (tmp_path / "nope.db").exists()


def test_the_admin_ledger_as_csv(api, tricky):
    student = tricky[6]["id"]
    result = api.admin_get(f"/admin/ledger?student_id={student}&format=csv&all")

    assert result.status_code == 200
    assert result.headers["content-type"].startswith("text/csv")
    assert "attachment" in result.headers["content-disposition"]
    assert f"tangopass-ledger-student-{student}.csv" in result.headers["content-disposition"]
    rows = parse(result.text)
    assert [(r["type"], r["delta_credits"], r["note"]) for r in rows] == [
        ("PURCHASE", "2", "cash; plain"), ("ADJUST", "-1", "'-oops"),
    ]
    json_rows = api.admin_get(f"/admin/ledger?student_id={student}&all").json["ledger"]
    assert [int(r["id"]) for r in rows] == [r["id"] for r in json_rows]


def test_the_admin_ledger_csv_follows_the_same_rules_as_json(api, tricky):
    assert api.admin_get("/admin/ledger?student_id=1&format=xml").status_code == 400
    assert api.admin_get("/admin/ledger?student_id=99&format=csv").status_code == 404
    assert api.admin_get("/admin/ledger?student_id=1&format=csv", token="wrong").status_code == 401
