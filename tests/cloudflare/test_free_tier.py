"""What each command costs on D1 and in CPU under Pyodide: the README's free-tier figures.

Prints one line per command (run with ``-s``); the figures are measured, not
asserted (no timings in pass/fail tests). The WorkerClient fails any request
over the free plan's per-invocation limits, so this walk also proves that a
teacher's ordinary day stays within them.
"""

from __future__ import annotations

LESSON_AT = "2026-11-24T19:00:00Z"


def test_a_studios_ordinary_day_costs(api, clock):
    client = api.client
    ana = api.add_student("Ana")
    ben = api.add_student("Ben")
    api.buy(ana["id"], credits=10)
    api.buy(ben["id"], credits=10)
    lesson = api.lesson(LESSON_AT)
    assert api.status(ana["token"]).status_code == 200
    assert api.register(ana["token"]).status_code == 200
    assert api.register(ben["token"]).status_code == 200
    assert api.cancel(ben["token"]).status_code == 200
    assert api.status(ana["token"], "&ledger").status_code == 200
    assert api.admin_get("/admin/list").status_code == 200
    clock.set(clock.now.replace(day=24, hour=21))
    assert api.admin("clearRegistrations", {"lesson_id": lesson["id"]}).status_code == 200
    print("\ncommand                     D1 queries  statements  rows read  rows written  CPU ms")
    for method, url, cost in client.costs[-12:]:
        name = f"{method} {url.removeprefix('https://studio.test')}"
        print(f"{name:<28}{cost.round_trips:>10}{cost.statements:>12}{cost.rows_read:>11}"
              f"{cost.rows_written:>14}{cost.cpu_ms:>8.1f}")
