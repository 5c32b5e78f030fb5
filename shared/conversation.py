"""What the bot remembers about a conversation between two messages: the last answer (for
"that didn't help") and the recent, already redacted lines (the context a ticket carries).

Kept in memory on purpose: it is short-lived chat state. Tickets live in the database.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

HISTORY_LINES = 20


@dataclass
class PreviousMessage:
    """A member's last message as written, for the guard's look across two messages
    (shared.guard_split): kept in memory only, for ``guard_split.WINDOW_S`` seconds, and
    only when the guard found nothing in it."""

    text: str  # as written
    stored: str  # as remembered and stored (the guard's copy of it)
    msg: Any  # the Incoming, to delete it where the bot may
    at: float  # time.monotonic()


@dataclass
class ConversationState:
    history: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=HISTORY_LINES))
    last_question: str = ""  # redacted
    last_answer_id: str | None = None
    alternatives: list[str] = field(default_factory=list)  # entry ids, best first
    language: str | None = None
    # entries already answered here: "that didn't help" does not offer them again
    answered: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY_LINES))
    previous: PreviousMessage | None = None


class Conversations:
    """A bounded map of (platform, conversation, user) -> state; the oldest are forgotten."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._states: OrderedDict[tuple[str, str, str], ConversationState] = OrderedDict()
        self._rooms: OrderedDict[tuple[str, str], deque[tuple[str, str]]] = OrderedDict()

    def state(self, platform: str, conversation_id: str, user_id: str) -> ConversationState:
        key = (platform, conversation_id, user_id)
        state = self._states.pop(key, None) or ConversationState()
        self._states[key] = state
        while len(self._states) > self.limit:
            self._states.popitem(last=False)
        return state

    def room(self, platform: str, conversation_id: str) -> deque[tuple[str, str]]:
        """Recent redacted lines of a whole chat, for a moderator's escalation."""
        key = (platform, conversation_id)
        lines = self._rooms.pop(key, None) or deque(maxlen=HISTORY_LINES)
        self._rooms[key] = lines
        while len(self._rooms) > self.limit:
            self._rooms.popitem(last=False)
        return lines


class Turns:
    """One lock per member in a conversation: their messages are handled in order (a question
    and the "talk to a human" right after it must not race to the ticket), different members'
    at once. A lock nobody holds or waits for is dropped."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def of(self, platform: str, conversation_id: str, user_id: str) -> asyncio.Lock:
        key = (platform, conversation_id, user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock
