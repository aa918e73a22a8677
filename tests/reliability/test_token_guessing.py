"""Guessing student tokens is slowed per address, without locking out real students."""

from tangopass.api.throttle import GuessLimit


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_a_burst_of_unknown_tokens_then_429():
    limit = GuessLimit(burst=5, refill_seconds=60, clock=Ticks())
    answers = [limit.admit("10.0.0.9", None) for _ in range(7)]
    assert answers == [True] * 5 + [False] * 2


def test_a_blocked_address_learns_nothing_from_a_valid_new_token():
    limit = GuessLimit(burst=2, refill_seconds=60, clock=Ticks())
    for _ in range(3):
        limit.admit("10.0.0.9", None)
    assert limit.admit("10.0.0.9", 42) is False  # same answer as a wrong guess


def test_students_who_used_their_link_before_keep_working_during_an_attack():
    limit = GuessLimit(burst=2, refill_seconds=60, clock=Ticks())
    assert limit.admit("studio-wifi", 7)
    for _ in range(10):
        limit.admit("studio-wifi", None)
    assert limit.admit("studio-wifi", 7) is True


def test_other_addresses_are_not_affected():
    limit = GuessLimit(burst=2, refill_seconds=60, clock=Ticks())
    for _ in range(10):
        limit.admit("attacker", None)
    assert limit.admit("elsewhere", 7) is True


def test_the_allowance_refills_with_time():
    ticks = Ticks()
    limit = GuessLimit(burst=2, refill_seconds=60, clock=ticks)
    for _ in range(3):
        limit.admit("10.0.0.9", None)
    ticks.now += 31  # one guess back (2 per 60 s)
    assert limit.admit("10.0.0.9", None) is True
    assert limit.admit("10.0.0.9", None) is False


def test_memory_is_bounded_by_the_number_of_addresses():
    limit = GuessLimit(burst=2, max_addresses=100, clock=Ticks())
    for i in range(1000):
        limit.admit(f"10.0.{i // 256}.{i % 256}", None)
    assert len(limit._by_address) == 100


def test_over_http_the_limit_answers_429_with_retry_after(api):
    ana = api.add_student("Ana")
    assert api.status(ana["token"]).status_code == 200
    answers = [api.status(f"guess-{i}").status_code for i in range(25)]
    assert answers[:20] == [401] * 20 and set(answers[20:]) == {429}
    refused = api.status("guess-x")
    assert refused.json["error"] == "TOO_MANY_REQUESTS" and int(refused.headers["retry-after"]) >= 1
    assert api.status(ana["token"]).status_code == 200  # she had used her link before
