"""Building big histories fast, and keeping them under /tmp for the next run.

The builders drive the real aggregates with the same calls, in the same order,
as the application's commands (settle first, guards, then the event methods),
and store the result with the application's own ``save`` - so the event store
writes the very events, projections and hash links a live server would.
Two shortcuts make millions of events affordable, and neither changes what is
stored:

* many commands go in one ``save`` (one transaction) instead of one each;
* the connections run with ``synchronous=OFF`` while building (the benchmark
  then reopens the copy with the product's own durability setting).

A built database is cached under ``$TANGOPASS_BENCH_CACHE`` (default
``/tmp/tangopass-bench``), keyed by a hash of ledger/, projections/, schema/
and this file: change any of them and the next run builds afresh. Delete the
folder to force it.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import common

UTC_ZONE = ZoneInfo("UTC")


class Studio:
    """In-memory aggregates, saved in batches through ``app.save``."""

    def __init__(self, app, clock: common.FakeClock):
        from tangopass.ledger.lesson import Lesson
        from tangopass.ledger.entries import STUDENT, TEACHER
        from tangopass.ledger.student import Student

        self.Student, self.Lesson = Student, Lesson
        self.STUDENT, self.TEACHER = STUDENT, TEACHER
        self.app = app
        self.clock = clock
        self.next_student = app.queries.next_student_id()
        self.next_lot = app.queries.next_lot_id()
        self.next_lesson = app.queries.next_lesson_id()
        self.students: dict[int, Any] = {}
        self.saved_events = 0

    def save(self, *aggregates) -> None:
        self.saved_events += len(self.app.save(*aggregates))

    # ------------------------------------------------------------ teacher's side

    def new_student(self, credits: int, months: int) -> Any:
        """``add_student`` then ``add_purchase`` (not saved yet)."""
        now = self.clock.now
        student = self.Student(
            number=self.next_student, name=f"Student {self.next_student}",
            token=self.app.new_token(), at=now, by=self.TEACHER,
        )
        self.next_student += 1
        self.purchase(student, credits, months)
        self.students[student.number] = student
        return student

    def purchase(self, student, credits: int, months: int) -> None:
        now = self.clock.now
        student.settle(now)
        student.purchase(
            lot_id=self.next_lot, credits=credits, validity_months=months, purchased_at=now,
            now=now, tz=UTC_ZONE, note=None,
        )
        self.next_lot += 1

    def add_students(self, count: int, credits: int = 100, months: int = 3,
                     batch: int = 500) -> list[int]:
        numbers = []
        for start in range(0, count, batch):
            made = [self.new_student(credits, months) for _ in range(min(batch, count - start))]
            self.save(*made)
            numbers.extend(s.number for s in made)
        return numbers

    def schedule(self, starts_at: datetime) -> Any:
        lesson = self.Lesson.schedule(self.next_lesson, starts_at, 2, self.clock.now)
        self.next_lesson += 1
        return lesson

    # ------------------------------------------------------------ student's side

    def register(self, student, lesson) -> None:
        now = self.clock.tick()
        student.settle(now)
        lesson.check_window_open(now)
        student.register(lesson.number, now, by=self.STUDENT)
        lesson.admit(student.number, now, self.STUDENT)

    def cancel(self, student, lesson) -> None:
        now = self.clock.tick()
        student.settle(now)
        if student.is_registered(lesson.number):
            lesson.check_window_open(now)
            student.cancel(lesson.number, now, by=self.STUDENT)
            lesson.release(student.number, now, self.STUDENT)

    def pairs(self, student, lesson, count: int, batch: int = 1000) -> None:
        """``count`` register+cancel pairs, ``batch`` pairs per transaction."""
        done = 0
        while done < count:
            step = min(batch, count - done)
            for _ in range(step):
                self.register(student, lesson)
                self.cancel(student, lesson)
            self.save(student, lesson)
            done += step


# ------------------------------------------------------------------------ cache


def cached(kind: str, params: dict, src: Path, build: Callable[[Path], dict],
           say: Callable[[str], None] = print) -> tuple[Path, dict]:
    """The cached database for ``kind``+``params``, built with ``build(path)`` if missing."""
    common.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    label = "-".join(f"{k}{v}" for k, v in params.items())
    fingerprint = common.source_fingerprint(src, json.dumps(params, sort_keys=True))
    stem = f"{kind}-{label}"
    path = common.CACHE_DIR / f"{stem}-{fingerprint}.db"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        say(f"using cached {path.name} (delete {common.CACHE_DIR} to rebuild)")
        return path, json.loads(meta_path.read_text())
    for old in common.CACHE_DIR.glob(f"{stem}-*"):  # stale builds of the same kind
        if ".building-" not in old.name:  # (another run may be building one right now)
            old.unlink()
    partial = path.with_name(path.name + f".building-{os.getpid()}")
    common.remove_db(partial)
    say(f"building {path.name} (cached for the next runs) ...")
    start = time.perf_counter()
    meta = build(partial)
    meta["build_seconds"] = round(time.perf_counter() - start, 1)
    common.checkpoint(partial)
    common.remove_db(f"{partial}-wal")
    os.replace(partial, path)
    common.remove_db(f"{partial}")
    meta_path.write_text(json.dumps(meta, indent=2, default=str))
    say(f"built {path.name}: {meta.get('events', '?')} events in {meta['build_seconds']} s")
    return path, meta


@contextmanager
def _opened(db: Path) -> Iterator[Any]:
    """The real application on ``db``, its connections without fsync while building."""
    import tangopass.projections.storage.sqlite as store

    previous = store.SYNCHRONOUS
    app = common.open_app(db, synchronous="OFF")
    try:
        yield app
    finally:
        common.close_app(app)
        store.SYNCHRONOUS = previous  # the benchmark's own connections keep the product's


# ------------------------------------------------------------------- history


def history_db(src: Path, sizes: list[int], students: int, say=print) -> tuple[Path, dict]:
    """``students`` students, plus one subject student per history size.

    A subject with history H has H events: Added, LotPurchased (100 credits,
    3 months) and (H-2)/2 register+cancel pairs on one far lesson.
    """

    def build(path: Path) -> dict:
        with _opened(path) as app:
            clock = common.FakeClock()
            studio = Studio(app, clock)
            studio.add_students(students, credits=10, months=3)
            lesson = studio.schedule(clock.now + timedelta(days=60))
            studio.save(lesson)
            subjects = {}
            for size in sizes:
                subject = studio.new_student(credits=100, months=3)
                studio.save(subject)
                studio.pairs(subject, lesson, max(0, (size - 2) // 2))
                subjects[str(size)] = {"id": subject.number, "events": subject.version}
            return {
                "subjects": subjects, "lesson_id": lesson.number,
                "lesson_events": lesson.version, "students": students + len(sizes),
                "now": clock.now.isoformat(), "events": studio.saved_events,
            }

    return cached("history", {"students": students, "sizes": "_".join(map(str, sizes))},
                  src, build, say)


# -------------------------------------------------------------------- studio


def studio_db(src: Path, events: int, say=print, seed: int = 6) -> tuple[Path, dict]:
    """A studio's life until at least ``events`` events: the realistic mix.

    A lesson every day; about 300 active students (some leave, new ones come),
    40 register each day, 1 in 5 of those cancels, the rest attend and the
    teacher clears the list; lots of 5-20 credits for 1 or 3 months, bought
    when a student has no credit left, so credits expire (EXPIRE entries) and
    OLDEST markers move; now and then a lesson is called off.
    """

    def build(path: Path) -> dict:
        rng = random.Random(seed)
        with _opened(path) as app:
            clock = common.FakeClock()
            studio = Studio(app, clock)
            active: list[int] = []
            for _ in range(300):
                active.append(studio.new_student(rng.choice((5, 10, 10, 20)), rng.choice((1, 3))).number)
            studio.save(*(studio.students[n] for n in active))
            day = 0
            last_report = time.perf_counter()
            counts: dict[str, int] = {}
            while studio.saved_events < events:
                day += 1
                morning = common.UTC_START.replace(hour=10) + timedelta(days=day)
                clock.now = morning
                touched: dict[int, Any] = {}
                if day % 30 == 0:  # churn: 10 leave, 10 join
                    for gone in rng.sample(active, 10):
                        active.remove(gone)
                        studio.students.pop(gone, None)
                    for _ in range(10):
                        student = studio.new_student(rng.choice((5, 10, 10, 20)), rng.choice((1, 3)))
                        active.append(student.number)
                        touched[student.number] = student
                lesson = studio.schedule(morning.replace(hour=19))
                coming = rng.sample(active, 40)
                for number in coming:
                    student = studio.students[number]
                    clock.tick(rng.randint(1, 60))
                    student.settle(clock.now)
                    # (register() moves the clock one second on: a lot may end meanwhile)
                    if student.usable_credits(clock.now + timedelta(seconds=1)) == 0:
                        studio.purchase(student, rng.choice((5, 10, 10, 20)), rng.choice((1, 3)))
                    studio.register(student, lesson)
                    touched[number] = student
                for number in rng.sample(coming, 8):
                    clock.tick(rng.randint(1, 60))
                    studio.cancel(studio.students[number], lesson)
                clock.now = lesson.starts_at + timedelta(hours=2)
                if day % 50 == 0:  # the teacher calls it off: every credit goes back
                    for number in list(lesson.attendees):
                        studio.students[number].settle(clock.now)
                    lesson.cancel(clock.now)
                    for number in list(lesson.attendees):
                        studio.students[number].cancel(lesson.number, clock.now, by=studio.TEACHER)
                else:
                    attendees = lesson.clear(clock.now)
                    for number in attendees:
                        studio.students[number].settle(clock.now)
                        studio.students[number].clear(lesson.number, clock.now)
                studio.save(lesson, *touched.values())
                if time.perf_counter() - last_report > 15:
                    say(f"  ... {studio.saved_events} events")
                    last_report = time.perf_counter()
            counts = _event_mix(path)
            return {
                "events": studio.saved_events, "days": day, "students": studio.next_student - 1,
                "lessons": studio.next_lesson - 1, "mix": counts, "now": clock.now.isoformat(),
            }

    return cached("studio", {"events": events, "seed": seed}, src, build, say)


def _event_mix(path: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(str(path))
    try:
        return dict(conn.execute(
            "SELECT topic, COUNT(*) FROM stored_events GROUP BY topic ORDER BY 2 DESC"
        ).fetchall())
    finally:
        conn.close()
