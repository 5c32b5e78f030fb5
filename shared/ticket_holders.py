"""Who may have an open ticket, kept in memory, so that a message from a member with none
(nearly every member) costs no database query.

Every message asks for the member's open ticket, to add the message to it. The answer is
almost always "none", and asking cost about half a millisecond next to the model even on a
local SQLite file (a thread hop and the interpreter lock; with PostgreSQL it is a network
round trip). This set holds the members that may have one: everyone with an open ticket when
the set was last read from the database, plus everyone this process has opened a ticket for
since (added before the ticket is written, so there is no moment when the ticket exists and
the set does not know it, and again after: a re-read that began before the write did not see
it). A member outside the set, while the set is fresh, has no open ticket: no query. The set
is read again after ``REFRESH_SECONDS``, so a ticket opened by another process sharing the
database is known here within that time, and members whose tickets were closed leave the set.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

REFRESH_SECONDS = 5.0

Member = tuple[str, str]  # (platform, user id)


class OpenTicketHolders:
    def __init__(
        self,
        load: Callable[[], set[Member]],
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load  # reads every member with an open ticket (blocking)
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._members: set[Member] | None = None  # None: never read
        self._read_at = 0.0  # when the last read began
        self._added_during: set[Member] | None = None  # added while a read runs

    def _fresh(self) -> bool:
        return self._members is not None and self._clock() - self._read_at < self.refresh_seconds

    def surely_none(self, platform: str, user_id: str) -> bool:
        """True when the member has no open ticket, as far as this process can know: one
        opened by another process sharing the database is missed for up to
        ``refresh_seconds``. Memory only: safe to call on the event loop. False means "ask
        the database"."""
        with self._lock:
            return self._fresh() and (platform, user_id) not in self._members  # type: ignore[operator]

    def add(self, platform: str, user_id: str) -> None:
        """This process is about to open (or reuse) a ticket for the member."""
        with self._lock:
            if self._members is not None:
                self._members.add((platform, user_id))
            if self._added_during is not None:
                self._added_during.add((platform, user_id))

    def refresh_if_stale(self) -> None:
        """Read the set again when it is no longer fresh (blocking). One read at a time; a
        ticket opened meanwhile is kept (the read may have missed it)."""
        with self._lock:
            if self._fresh() or self._added_during is not None:
                return
            self._added_during = set()
            started = self._clock()
        try:
            members = self._load()
        except BaseException:
            with self._lock:
                self._added_during = None
            raise
        with self._lock:
            self._members = members | self._added_during
            self._added_during = None
            self._read_at = started
