"""Sending to Telegram: the OutputChannel of one incoming update, and the plumbing under it.

Telegram's rules live here, so that the core never hears of them:
- a text may hold at most 4,096 characters (counted in UTF-16 units): longer replies are
  split, preferably at a blank line, a line end or a space;
- a 429 (flood control) names the seconds to wait: python-telegram-bot does not retry by
  itself, so the same call is sent again after that time (nothing is lost);
- a network failure (Telegram or the connection away for a moment: a 502, a reset, a time-out)
  is tried twice more, after 1 and 2 seconds, so a member's answer is not lost to a blip; a
  time-out may come after Telegram took the message, so at worst the member sees it twice;
- ``callback_data`` holds at most 64 bytes: a longer button is dropped (and logged);
- a button press is answered once (answerCallbackQuery): a private notice (``Reply.notice``,
  such as "thank you for rating") to a press in a group becomes that answer, an alert only the
  presser sees, so it needs no private chat and adds nothing to the group;
- a reply that quotes a deleted message is rejected, so warnings are never replies, and
  nothing quotes a message after the bot deleted it. Quoting is by message id only: no
  text of the user's message ever goes back out (no forwarding, no copying, no quote text).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
    User,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from shared.messages import Button, Reply
from shared.outbox import rest_after

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message, in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
MAX_ALERT = 200  # characters in the answer to a button press
MAX_MENTION = 64  # characters of a member's name in a mention
MAX_ATTEMPTS = 6  # one call, then up to five retries after a 429
SHUTDOWN_PATIENCE = 5.0  # while stopping, wait out a 429 only if it is this short
NETWORK_RETRY_DELAYS = (1.0, 2.0)  # seconds before each new try after a network failure

T = TypeVar("T")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at paragraph, line or word ends when
    one lies in the second half of the piece. Empty text gives no pieces."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            pieces.append(rest)
            break
        cut, units = 0, 0
        for char in rest:
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                break
            cut += 1
        piece, tail = rest[:cut], rest[cut:]
        for separator in ("\n\n", "\n", " "):
            at = piece.rfind(separator)
            if at > cut // 2:
                piece, tail = rest[:at], rest[at + len(separator) :]
                break
        if piece.strip():
            pieces.append(piece.rstrip())
        rest = tail.lstrip()
    return pieces


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard: one choice per row; the yes/no feedback pair, and the
    rating stars, each on one row."""
    rows: list[list[InlineKeyboardButton]] = []
    feedback: list[InlineKeyboardButton] = []
    stars: list[InlineKeyboardButton] = []
    for button in buttons:
        size = len(button.payload.encode("utf-8"))
        if not button.payload or size > MAX_CALLBACK_DATA:
            log.warning("dropped a button: its payload has %d bytes (Telegram allows 64)", size)
            continue
        key = InlineKeyboardButton(button.label or button.payload, callback_data=button.payload)
        if button.payload.startswith("fb:"):
            feedback.append(key)
        elif button.payload.startswith("rate:"):
            stars.append(key)
        else:
            rows.append([key])
    rows += [row for row in (feedback, stars) if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # a timedelta; the public property warns about ints in 22.x
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


class Sender:
    """Makes Bot API calls, waiting out flood control. One per running bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.stopping = asyncio.Event()  # set when the bot shuts down

    async def call(self, make_call: Callable[[], Awaitable[T]]) -> T:
        """Make one call; after a 429 wait the time Telegram names and make it again; after a
        network failure try again shortly (BadRequest is a NetworkError in the library, but
        sending it again cannot help)."""
        attempt, network_failures = 1, 0
        while True:
            try:
                return await make_call()
            except RetryAfter as exc:
                delay = _seconds(exc)
                if attempt >= MAX_ATTEMPTS:
                    raise
                log.warning("flood control: calling again in %.1f s", delay)
                if not await self._wait(delay):
                    log.warning("flood control during shutdown: a call was given up")
                    raise
                attempt += 1
            except NetworkError as exc:
                if (
                    isinstance(exc, BadRequest)
                    or network_failures >= len(NETWORK_RETRY_DELAYS)
                    or self.stopping.is_set()  # shutting down: the outbox tries again later
                ):
                    raise
                delay = NETWORK_RETRY_DELAYS[network_failures]
                network_failures += 1
                # the type only: the library's message may quote what was sent
                log.warning(
                    "Telegram call failed (%s): trying again in %.0f s", type(exc).__name__, delay
                )
                await asyncio.sleep(delay)

    async def _wait(self, delay: float) -> bool:
        """Sleep ``delay`` seconds; False when a shutdown cuts a long wait short."""
        if delay <= SHUTDOWN_PATIENCE:
            await asyncio.sleep(delay)
            return True
        if self.stopping.is_set():
            return False
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=delay)
        except TimeoutError:
            return True
        return False

    async def send_text(
        self,
        chat_id: int | str,
        text: str,
        *,
        markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        save_rest: Callable[[str], Awaitable[None]] | None = None,
        mention: tuple[int, str] | None = None,
    ) -> None:
        """Send ``text`` in as many messages as it takes; the buttons go under the last one.
        ``save_rest(rest)`` is told what is left after each piece but the last (the outbox
        keeps it, so that a retry does not repeat what went out). ``mention``: (user id,
        name) of a member to notify, named at the start of the first piece (a text mention:
        it works without a username and without parse mode)."""
        entities = None
        if mention is not None:
            user_id, name = mention
            name = " ".join(name.split())[:MAX_MENTION] or "👤"
            text = f"{name} {text}"
            user = User(id=user_id, first_name=name, is_bot=False)
            entities = [MessageEntity(MessageEntity.TEXT_MENTION, 0, utf16_len(name), user=user)]
        pieces = split_text(text)
        if not pieces:
            if markup is None:
                return
            pieces = ["…"]  # Telegram needs some text under a keyboard
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            quote = (
                ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                if reply_to is not None and i == 0
                else None
            )
            await self.call(
                lambda piece=piece, last=last, quote=quote, first=i == 0: self.bot.send_message(
                    chat_id=chat_id,
                    message_thread_id=thread_id,
                    text=piece,
                    reply_markup=markup if last else None,
                    reply_parameters=quote,
                    entities=entities if first else None,
                )
            )
            if save_rest is not None and not last:
                await save_rest(rest_after(text, pieces, i + 1))


class TelegramChannel:
    """Where the replies to one update go (the core's OutputChannel).

    ``incoming_id`` is the user's message (the one ``delete_incoming`` removes); ``reply_to``
    is the message that answers in a group quote (None: plain messages); ``thread_id`` the
    topic of a forum group; ``pressed_id`` the bot's message whose button was pressed (the
    one ``clear_buttons`` edits), and ``press`` that button press until it is answered.
    """

    def __init__(
        self,
        sender: Sender,
        chat_id: int,
        *,
        is_private: bool,
        user_id: int | None = None,
        incoming_id: int | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        pressed_id: int | None = None,
        press: CallbackQuery | None = None,
    ) -> None:
        self.sender = sender
        self.pressed_id = pressed_id
        self.press = press
        self.chat_id = chat_id
        self.is_private = is_private
        self.user_id = user_id
        self.incoming_id = incoming_id
        self.reply_to = None if is_private else reply_to
        self.thread_id = thread_id  # the topic of a forum group: replies stay in it
        self.deleted = False

    async def answer_press(self, alert: str | None = None) -> bool:
        """Answer the button press, once: it stops the client's spinner, and with ``alert``
        shows that text to the presser alone. False when there is no press left to answer or
        Telegram refused (a press answered too late, say)."""
        press, self.press = self.press, None
        if press is None:
            return False
        try:  # not through Sender.call: after a flood-control wait the press is too old
            if alert is None:
                await press.answer()
            else:
                await press.answer(text=alert, show_alert=True)
        except TelegramError as exc:
            log.info("could not answer a button press: %s", type(exc).__name__)
            return False
        return True

    async def send(self, reply: Reply) -> None:
        markup = keyboard(reply.buttons)
        if self.press is not None:
            alert = (
                reply.notice
                and reply.private
                and not self.is_private
                and not reply.buttons
                and len(reply.text) <= MAX_ALERT
            )
            if await self.answer_press(reply.text if alert else None) and alert:
                return
        if reply.private and not self.is_private:
            if self.user_id is not None:
                try:
                    await self.sender.send_text(self.user_id, reply.text, markup=markup)
                    return
                except (Forbidden, BadRequest) as exc:  # the user never started the bot
                    log.info("private reply not possible (%s); answering in the group", exc.message)
            # no private chat: the user never started the bot, or the sender is a chat (a
            # channel, an anonymous administrator), which has none
            if reply.fallback is not None:
                await self.sender.send_text(self.chat_id, reply.fallback, thread_id=self.thread_id)
                return
        # A warning stands alone: its message may be gone, and it must not point at a secret.
        quote = None if reply.kind == "warn" or self.deleted else self.reply_to
        await self.sender.send_text(
            self.chat_id, reply.text, markup=markup, reply_to=quote, thread_id=self.thread_id
        )

    async def clear_buttons(self) -> None:
        message_id = self.pressed_id
        if message_id is None:
            return
        try:
            await self.sender.call(
                lambda: self.sender.bot.edit_message_reply_markup(
                    chat_id=self.chat_id, message_id=message_id, reply_markup=None
                )
            )
        except TelegramError as exc:  # too old, gone, or the network: the buttons do no harm
            log.info("could not take the buttons off a message: %s", type(exc).__name__)

    async def delete_incoming(self) -> bool:
        if self.incoming_id is None:
            return False
        message_id = self.incoming_id
        try:
            await self.sender.call(
                lambda: self.sender.bot.delete_message(chat_id=self.chat_id, message_id=message_id)
            )
        except BadRequest as exc:
            # "message to delete not found": gone already (a try that timed out had deleted
            # it, or the member did): what the warning must know is that it is not there
            if "message to delete not found" not in exc.message.lower():
                log.warning("could not delete a message in a Telegram chat: %s", exc.message)
                return False
        except (Forbidden, NetworkError) as exc:  # the member is still warned
            log.warning("could not delete a message in a Telegram chat: %s", type(exc).__name__)
            return False
        self.deleted = True
        return True
