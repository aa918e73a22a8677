"""Slow down guessing of student tokens, per client address.

Each address may present a burst of unknown tokens, refilled slowly. Once an
address is over its allowance, it gets 429 for any token it has not used
successfully before (valid or not, so the answer tells a guesser nothing);
students who already opened their link from that address (the studio's wifi,
say) keep working. Tokens carry 192 random bits, so guessing is hopeless
anyway: this keeps a guesser from loading the server or filling the logs.

The state is per worker process, so the allowance is per worker.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Allowance:
    tokens: float
    stamp: float
    known: set[int] = field(default_factory=set)


class GuessLimit:
    def __init__(
        self, burst: int = 20, refill_seconds: float = 60.0, max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.burst = burst
        self.rate = burst / refill_seconds
        self.max_addresses = max_addresses
        self.clock = clock
        self._by_address: OrderedDict[str, _Allowance] = OrderedDict()
        self._lock = threading.Lock()

    def _allowance(self, address: str) -> _Allowance:
        now = self.clock()
        allowance = self._by_address.get(address)
        if allowance is None:
            allowance = _Allowance(float(self.burst), now)
            self._by_address[address] = allowance
            if len(self._by_address) > self.max_addresses:
                self._by_address.popitem(last=False)
        else:
            self._by_address.move_to_end(address)
            allowance.tokens = min(self.burst, allowance.tokens + (now - allowance.stamp) * self.rate)
            allowance.stamp = now
        return allowance

    def admit(self, address: str, student_id: int | None) -> bool:
        """Record one token lookup; False when the answer must be 429."""
        with self._lock:
            allowance = self._allowance(address)
            if student_id is not None and student_id in allowance.known:
                return True
            blocked = allowance.tokens < 1
            if student_id is None:
                allowance.tokens = max(0.0, allowance.tokens - 1)
                return not blocked
            if blocked:
                return False
            if len(allowance.known) < 64:
                allowance.known.add(student_id)
            return True

    def retry_after(self) -> int:
        return max(1, round(1 / self.rate))
