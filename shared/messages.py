"""The messages that flow between a front-end and the core.

An incoming message carries its own reply target (``channel``), so the core never
asks which platform it is on (the Rasa channel idea). A front-end is only a
translator: platform event -> :class:`Incoming`, :class:`Reply` -> platform call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """A choice under a reply. ``payload`` comes back as ``Incoming.payload`` when pressed."""

    label: str
    payload: str


@dataclass
class Reply:
    """What the core wants said. ``kind`` lets a front-end style it (e.g. a warning)."""

    text: str
    kind: str = "answer"  # answer | suggest | escalate | warn | info | error
    buttons: list[Button] = field(default_factory=list)
    private: bool = False  # say it in a private chat with the user, not in the group
    # What to say in the group instead when a private reply cannot be delivered (it must not
    # carry what made the reply private, e.g. a ticket link). None: say the text itself.
    fallback: str | None = None
    # A short acknowledgement that may vanish once read (nothing to keep, no link): a
    # front-end may show it as a passing notice to the one who pressed a button.
    notice: bool = False


class OutputChannel(Protocol):
    """Where the replies to one incoming message go. Implemented by each front-end."""

    async def send(self, reply: Reply) -> None:
        """Deliver a reply (split, retried and rate-limited by the front-end as needed)."""

    async def delete_incoming(self) -> bool:
        """Remove the incoming message; return False when the bot may not."""

    async def clear_buttons(self) -> None:
        """Take the buttons off the message whose button was pressed: a choice that is made
        once, such as a rating. A front-end that cannot does nothing."""


@dataclass
class Incoming:
    """One message (or button press, or command) from a user, already in the core's terms."""

    text: str
    channel: OutputChannel
    platform: str = "console"  # console | cli | telegram | discord | ...
    conversation_id: str = "console"  # a chat, a channel or a thread
    thread_id: str | None = None  # a topic inside the chat (Telegram forums), where it was said
    user_id: str = "user"
    user_name: str = ""
    message_id: str | None = None
    is_private: bool = True  # a one-to-one chat with the bot
    addressed: bool = True  # a DM, a mention, a reply to the bot, a command, a button
    edited: bool = False  # an edit of an earlier message (scammers edit later)
    command: str | None = None  # "start", "help", "faq", "ticket", ... without the slash
    payload: str | None = None  # the payload of a pressed button
    language: str | None = None  # the platform's language hint (often missing)
    is_moderator: bool = False  # may escalate others' messages, reload knowledge
    # addresses of links whose text hides them (Telegram's text links): checked for phishing
    hidden_links: tuple[str, ...] = ()


class CollectingChannel:
    """An output channel that keeps what it is given: for tests, the CLI and the console."""

    def __init__(self, *, can_delete: bool = False) -> None:
        self.replies: list[Reply] = []
        self.can_delete = can_delete
        self.deleted = False
        self.buttons_cleared = False

    async def send(self, reply: Reply) -> None:
        self.replies.append(reply)

    async def delete_incoming(self) -> bool:
        if self.can_delete:
            self.deleted = True
        return self.can_delete

    async def clear_buttons(self) -> None:
        self.buttons_cleared = True

    def pop(self) -> Reply:
        """Take the oldest reply not yet taken (errbot's push/pop style)."""
        return self.replies.pop(0)
