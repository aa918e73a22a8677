"""What each command costs on D1 and in CPU under Pyodide: the README's free-tier figures.

    .venv/bin/python -m pytest -s -q tests/cloudflare/test_free_tier.py

prints one table per cache state (run with ``-s``); the figures are measured,
not asserted (no timings in pass/fail tests). ``cold`` rebuilds the isolates'
apps before each measured request (an empty aggregate cache, as a new isolate
has: every aggregate costs a snapshot read and an events read); ``warm`` keeps
the isolate that served the setup. The WorkerClient fails any request over the
free plan's per-invocation limits (50 D1 queries, 100 bound parameters), so
this walk also proves that a studio's ordinary week stays within them, and the
last tests find how many students the commands over every student fit.
"""

from __future__ import annotations

import pytest

THURSDAY = "2026-11-26T19:00:00Z"  # the clock starts on Monday 2026-11-23 10:00 UTC
HEADER = (f"{'command':<46}{'queries':>8}{'stmts':>7}{'params':>7}{'read':>7}"
          f"{'written':>8}{'CPU ms':>8}")


class Meter:
    """Runs requests and keeps what each cost, cold (apps rebuilt first) or warm."""

    def __init__(self, api, cold: bool):
        self.api = api
        self.cold = cold
        self.lines: list[str] = []

    def __call__(self, label: str, request):
        if self.cold:
            self.api.client.harness.cold()
        result = request()
        assert result.status_code < 300, (label, result.text)
        c = result.cost
        self.lines.append(f"{label:<46}{c.round_trips:>8}{c.statements:>7}{c.max_params:>7}"
                          f"{c.rows_read:>7}{c.rows_written:>8}{c.cpu_ms:>8.1f}")
        return result

    def print(self, title: str) -> None:
        print(f"\n{title}\n{HEADER}\n" + "\n".join(self.lines))


def people(api, n: int, credits: int = 10) -> list[dict]:
    students = []
    for i in range(n):
        student = api.add_student(f"S{i + 1}")
        api.buy(student["id"], credits=credits)
        students.append(student)
    return students


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_a_studios_week_costs(api, clock, cache):
    measure = Meter(api, cold=cache == "cold")
    ana, ben, cat = people(api, 3)
    measure("POST /admin/addStudent", lambda: api.admin("addStudent", {"name": "Dee"}))
    measure("POST /admin/addPurchase", lambda: api.admin(
        "addPurchase", {"student_id": ana["id"], "credits": 5, "validity_months": 1}))
    made = measure("POST /admin/addSeries (8 dates, capacity 2)", lambda: api.admin(
        "addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23", "capacity": 2}))
    first, second = (lesson["id"] for lesson in made.json["lessons"][:2])
    measure("GET /status", lambda: api.status(ana["token"]))
    measure("GET /status with the ledger", lambda: api.status(ana["token"], "&ledger"))
    measure("POST /register", lambda: api.register(ana["token"], {"lesson_id": first}))
    api.register(ben["token"], {"lesson_id": first})
    measure("POST /register (full: waitlisted)",
            lambda: api.register(cat["token"], {"lesson_id": first}))
    measure("POST /cancel (promotes the first in line)",
            lambda: api.cancel(ben["token"], {"lesson_id": first}))
    api.register(ben["token"], {"lesson_id": second})
    measure("POST /cancel", lambda: api.cancel(ben["token"], {"lesson_id": second}))
    measure("GET /admin/list", lambda: api.admin_get("/admin/list"))
    measure("POST /admin/extendValidity (4 students)",
            lambda: api.admin("extendValidity", {"days": 7}))
    measure("POST /admin/addClosure (1 date, extend, 4 st.)", lambda: api.admin(
        "addClosure", {"from": "2026-12-03", "to": "2026-12-03", "reason": "Holiday",
                       "extend_passes": True}))
    clock.set(clock.now.replace(day=26, hour=21))
    measure("POST /admin/clearRegistrations (2 students)",
            lambda: api.admin("clearRegistrations", {"lesson_id": first}))
    measure.print(f"a studio's week ({cache} aggregate cache)")


# The commands over every student load each student holding a valid lot: one D1
# query each (an uncached aggregate too: worker/d1_store.py's LoadingCursor), on
# top of a fixed few. These are the README's "up to how many students" figures:
# the first count fits the free plan's 50 queries per request, one more does not.
CLOSURE_FITS = 41  # addClosure with extend_passes, one series, one lesson on the closed date
EXTEND_ALL_FITS = 45  # extendValidity


def test_commands_over_every_student_fit_the_free_plan_up_to_a_count(api):
    harness = api.client.harness
    students = people(api, CLOSURE_FITS, credits=2)
    api.admin("addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23"})

    def close(day: str):
        harness.cold()  # the worst case: a new isolate, nothing cached
        return api.admin("addClosure", {"from": day, "to": day, "reason": "Holiday",
                                        "extend_passes": True})

    def extend_all():
        harness.cold()
        return api.admin("extendValidity", {"days": 7})

    fits = close("2026-12-03")
    assert fits.json["extended_lots"] == CLOSURE_FITS and fits.json["cancelled_lessons"] == 1
    students += people(api, 1, credits=2)
    with pytest.raises(AssertionError, match="D1 queries, over the free plan"):
        close("2026-12-10")

    students += people(api, EXTEND_ALL_FITS - len(students), credits=2)
    fits = extend_all()
    assert fits.json == {"extended_lots": EXTEND_ALL_FITS}
    students += people(api, 1, credits=2)
    with pytest.raises(AssertionError, match="D1 queries, over the free plan"):
        extend_all()
    print(f"\naddClosure (extend) fits {CLOSURE_FITS} students, extendValidity {EXTEND_ALL_FITS}"
          f"; at those counts: {fits.cost}")
