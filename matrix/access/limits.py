"""A limit on guessing: how many unknown workshop links one client may try before it must wait."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from matrix.access.roles import AccessError


class TooManyAttempts(AccessError):
    """A client tried too many unknown links in a short time; said with how long to wait."""


class AttemptLimiter:
    """At most ``attempts`` failures per client in any ``window`` seconds (one process; thread-safe).

    Only failures count: a participant who opens a good link as often as they like is never slowed.
    """

    def __init__(self, attempts: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Refuse (``TooManyAttempts``) while this client is over its limit."""
        with self._lock:
            now = self._clock()
            failures = self._recent(client, now)
            if len(failures) >= self.attempts:
                wait = max(1, round(failures[0] + self.window - now))
                raise TooManyAttempts(
                    f"too many unknown workshop links were tried from this device; wait {wait} seconds and check the link "
                    "with the facilitator"
                )

    def failed(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # forget clients whose failures have all expired
                for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[key]
