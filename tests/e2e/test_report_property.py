"""Random histories: every month's report equals what the ledger entries add up to."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from falcon import testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.clock import ManualClock

ZONE = ZoneInfo("Europe/Madrid")  # months in the studio zone, across a DST change
START = datetime(2026, 9, 28, 21, 30, tzinfo=UTC)
STUDENTS = 3

student = st.integers(0, STUDENTS - 1)
operation = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 20), st.integers(0, 23)),
    st.tuples(st.just("buy"), student, st.integers(1, 4), st.sampled_from([1, 3]),
              st.integers(0, 70), st.one_of(st.none(), st.decimals("0", "300", places=2))),
    st.tuples(st.just("adjust"), student, st.sampled_from([-2, -1, 1, 2])),
    st.tuples(st.just("lesson"), st.integers(3, 240)),
    st.tuples(st.just("register"), student, st.integers(0, 3)),
    st.tuples(st.just("cancel"), student, st.integers(0, 3)),
    st.tuples(st.just("cancel_lesson"), st.integers(0, 3)),
    st.tuples(st.just("clear")),
    st.tuples(st.just("extend"), st.integers(1, 20)),
)


def month_of(ts: str) -> str:
    local = datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(ZONE)
    return f"{local.year:04d}-{local.month:02d}"


def play(api: Api, clock: ManualClock, ops: list[tuple]) -> list[dict]:
    people = [api.add_student(f"S{i}") for i in range(STUDENTS)]
    lessons: list[int] = []
    for op in ops:
        kind, args = op[0], op[1:]
        if kind == "advance":
            clock.advance(days=args[0], hours=args[1])
        elif kind == "buy":
            who, credits, months, back, price = args
            body = {"student_id": people[who]["id"], "credits": credits, "validity_months": months,
                    "purchased_at": (clock.now - timedelta(days=back)).isoformat()}
            if price is not None:
                body["price"] = str(price)
            assert api.admin("addPurchase", body).status_code == 201
        elif kind == "adjust":
            api.admin("adjust", {"student_id": people[args[0]]["id"], "delta": args[1], "reason": "r"})
        elif kind == "lesson":
            starts = clock.now + timedelta(hours=args[0])
            lessons.append(api.lesson(starts.isoformat())["id"])
        elif kind in ("register", "cancel") and lessons:
            move = api.register if kind == "register" else api.cancel
            move(people[args[0]]["token"], {"lesson_id": lessons[args[1] % len(lessons)]})
        elif kind == "cancel_lesson" and lessons:
            api.admin("cancelLesson", {"lesson_id": lessons[args[0] % len(lessons)]})
        elif kind == "clear":
            api.admin("clearRegistrations", {})
        elif kind == "extend":
            api.admin("extendValidity", {"days": args[0]})
    return people


def from_the_ledger(api: Api, people: list[dict]) -> dict[str, dict]:
    """Each month's figures, added up from the ledger entries alone (and the lots' prices)."""
    months: dict[str, Counter] = defaultdict(Counter)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    entries, standing = [], Counter()
    for person in people:
        page = api.admin_get(f"/admin/student?student_id={person['id']}").json
        prices = {lot["id"]: lot["price"] for lot in page["lots"]}
        for e in page["ledger"]:
            month, kind, delta = month_of(e["ts"]), e["type"], e["delta_credits"]
            entries.append((e["ts"], delta))
            if kind == "PURCHASE":
                months[month].update(passes_sold=1, credits_sold=delta)
                if prices[e["ref_lot_id"]] is not None:
                    revenue[month] += Decimal(prices[e["ref_lot_id"]]["amount"])
            elif kind == "ADJUST":
                months[month]["credits_adjusted"] += delta
            elif kind in ("REGISTER", "CANCEL"):
                months[month]["credits_booked"] -= delta
                standing[(person["id"], e["ref_lesson_id"], e["lesson_starts_at"])] -= delta
            elif kind == "EXPIRE":
                months[month]["credits_expired"] -= delta
    return {"months": months, "revenue": revenue, "entries": entries, "standing": standing}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=40))
def test_every_months_report_follows_from_the_ledger(tmp_path_factory, ops):
    clock = ManualClock(START)
    db = str(tmp_path_factory.mktemp("report") / "t.db")
    ctx = open_context(Settings(db_path=db, admin_token=ADMIN_TOKEN, tz=ZONE), clock=clock)
    try:
        api = Api(testing.TestClient(create_app(ctx)))
        people = play(api, clock, ops)
        clock.advance(days=1)
        now = clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert api.admin_get("/admin/list").status_code == 200  # settles everyone's expiry
        ledger = from_the_ledger(api, people)
        outstanding_before = 0
        for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"):
            report = api.admin_get(f"/admin/report?month={month}").json
            added = ledger["months"][month]
            for name in ("passes_sold", "credits_sold", "credits_adjusted", "credits_booked",
                         "credits_expired"):
                assert report[name] == added[name], (month, name, report, added)
            assert report["revenue"]["amount"] == str(ledger["revenue"][month].quantize(Decimal("0.01")))
            end = report_end(month)
            assert report["credits_outstanding"] == sum(d for ts, d in ledger["entries"] if ts < end)
            assert report["credits_outstanding"] == (
                outstanding_before + report["credits_sold"] + report["credits_adjusted"]
                - report["credits_booked"] - report["credits_expired"])
            outstanding_before = report["credits_outstanding"]
            used = sum(n for (_, _, starts), n in ledger["standing"].items()
                       if starts is not None and starts <= now and month_of(starts) == month)
            assert report["credits_used"] == used == report["attendances"]
    finally:
        ctx.ledger.close()
        ctx.queries.close()


def report_end(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ZONE)
    return following.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
