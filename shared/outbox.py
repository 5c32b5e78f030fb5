"""The outbox: what the desk (or the store) wants said on a platform, until a bot has said it.

The desk never talks to Telegram or Discord itself. It writes a row here, in the same
transaction as the change it announces (a moderator's reply, a new ticket, a closed ticket),
and the running bot of that platform polls the table, makes the platform call, and marks the
row delivered only after the call succeeded. A bot that is down or restarting loses nothing:
the row waits. A failed call is tried again later (growing pauses); a row a bot has taken is
leased for a minute, so two bots of one platform do not send it twice: the bot takes the lease
again just before the call and keeps renewing it while the call runs (a rate-limited call can
wait for minutes), and a bot whose lease was taken over by another leaves the row to it.
Leases and retry pauses are timed by the database server's clock (see ``_clock``). A text too
long for one platform message goes in pieces; after each piece the row keeps only the rest
(``OutboxItem.save_rest``), so a retry after a failure half-way does not repeat what the
member has already read.

Kinds:
    reply     a moderator's answer, to the member (their chat or a private message)
    rating    the ticket was closed; asks the member to rate the help (buttons 1-5, and the
              link to the ticket page)
    announce  a new ticket, to the staff channel/group of the ticket's platform
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.messages import Button
from shared.tickets import Base, TicketStore

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # a taken row is another bot's again after this
RENEW_EVERY = LEASE / 3  # while a call runs, its lease is renewed this often
MAX_ATTEMPTS = 8  # then the row is given up ("failed") and shows so in the desk
BATCH = 20
# Platforms whose bots deliver from the outbox (others, like the CLI, get no rows).
BOT_PLATFORMS = ("telegram", "discord")
DEFAULT_IDLE_HOURS = 72.0

TEXTS = {
    "en": {
        "reply": "Support replied to your ticket #{id}:\n\n{text}\n\n{answer_here}{url}",
        "answer_here": "Answer here, or add details on your ticket page: ",
        # the same, said in a group (the member has no private chat with the bot)
        "answer_in_group": "Reply to this message to answer (the ticket page's link is only "
        "ever sent privately).",
        "rating": "Your ticket #{id} was closed{why}. How did we do? "
        "Tap a rating below (1 = poor, 5 = great), or rate the help on your ticket page: {url}",
        "why_idle": " after {hours} hours without an answer to our last message",
    },
    "zh": {
        "reply": "客服回复了您的工单 #{id}：\n\n{text}\n\n{answer_here}{url}",
        "answer_here": "可直接在此回复，或在工单页面补充详情：",
        "answer_in_group": "请直接回复本条消息作答（工单页面链接仅私下发送）。",
        "rating": "您的工单 #{id} 已关闭{why}。请点击下方按钮为本次服务评分（1 最差，5 最好），"
        "或在工单页面评分：{url}",
        "why_idle": "（{hours} 小时未收到您对客服消息的回复）",
    },
}


def idle_hours_from_env(env: dict[str, str] | None = None) -> float | None:
    """SUPPORTBOT_TICKET_IDLE_HOURS: close tickets idle that long (default 72; 0/off: never)."""
    env = os.environ if env is None else env
    value = env.get("SUPPORTBOT_TICKET_IDLE_HOURS", "").strip().lower()
    if value in ("0", "off", "never", "no"):
        return None
    try:
        hours = float(value) if value else DEFAULT_IDLE_HOURS
    except ValueError:
        log.warning("SUPPORTBOT_TICKET_IDLE_HOURS is not a number; using %g", DEFAULT_IDLE_HOURS)
        return DEFAULT_IDLE_HOURS
    return hours if hours > 0 else None


def interval_from_env(env: dict[str, str] | None = None) -> float:
    """SUPPORTBOT_OUTBOX_INTERVAL: seconds between two looks at the outbox (default 2)."""
    env = os.environ if env is None else env
    value = env.get("SUPPORTBOT_OUTBOX_INTERVAL", "").strip()
    try:
        return max(0.05, float(value)) if value else 2.0
    except ValueError:
        return 2.0


def text_for(language: str, key: str, **values) -> str:
    texts = TEXTS.get(language, TEXTS["en"])
    if key == "reply":
        values.setdefault("answer_here", texts["answer_here"])
    return texts.get(key, TEXTS["en"][key]).format(**values)


def _now() -> datetime:
    return datetime.now(UTC)


def _clock(session: Session) -> datetime:
    """The time leases and retries are measured in. Bots on several machines share a
    PostgreSQL server: its clock, so that theirs need not agree. SQLite is a file on one
    machine, so every bot using it reads the same clock already."""
    if session.get_bind().dialect.name == "postgresql":
        return _aware(session.execute(select(func.clock_timestamp())).scalar_one())
    return _now()


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reply | rating | announce
    platform: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)  # redacted, like everything stored
    status: Mapped[str] = mapped_column(String(16), default="pending")  # delivered|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(32), nullable=True)  # Outbox.owner
    thread_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the ticket's
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_outbox_pending", "platform", "status", "id"),)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    platform: str
    conversation_id: str | None
    user_id: str | None
    ticket_id: int | None
    text: str
    attempts: int
    thread_id: str | None = None  # the topic inside the chat where the ticket began
    # Set by the outbox for the bot's call: ``await item.save_rest(rest)`` after a piece of
    # a long text went out, with the text still to send.
    save_rest: Callable[[str], Awaitable[None]] | None = field(
        default=None, compare=False, repr=False
    )


def add(session: Session, *, kind: str, platform: str, text: str, **fields) -> None:
    """Queue a row in the caller's transaction (committed with the change it belongs to)."""
    session.add(OutboxRow(kind=kind, platform=platform, text=text, status="pending", **fields))


class Outbox:
    """The bots' side of the table. Blocking: call it through asyncio.to_thread."""

    def __init__(self, store: TicketStore) -> None:
        self.store = store
        self.owner = uuid.uuid4().hex  # this bot's name on the leases it takes

    def due(self, platform: str, limit: int = BATCH) -> list[OutboxItem]:
        """Take (lease) the rows of ``platform`` that are due, oldest first; at most one per
        conversation, and none behind an earlier row of it that waits for a retry, so a
        member reads replies in the order they were written."""
        with self.store.sessions() as session:
            now = _clock(session)
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.platform == platform, OutboxRow.status == "pending")
                .order_by(OutboxRow.id)
                .limit(500)
            ).all()
            seen: set[tuple] = set()
            taken: list[OutboxItem] = []
            for row in rows:
                key = (row.kind == "announce", row.conversation_id, row.user_id)
                if key in seen:
                    continue
                seen.add(key)
                if row.next_attempt_at and _aware(row.next_attempt_at) > now:
                    continue
                if row.locked_until and _aware(row.locked_until) > now:
                    continue
                leased = session.execute(
                    update(OutboxRow)
                    .where(
                        OutboxRow.id == row.id,
                        OutboxRow.status == "pending",
                        or_(OutboxRow.locked_until.is_(None), OutboxRow.locked_until <= now),
                    )
                    .values(locked_until=now + LEASE, lease_owner=self.owner)
                    # not re-checked in Python on the loaded rows: SQLite hands back naive
                    # datetimes, which cannot be compared with ``now``
                    .execution_options(synchronize_session=False)
                )
                if leased.rowcount == 1:
                    taken.append(_item(row))
                if len(taken) >= limit:
                    break
            session.commit()
            return taken

    def renew(self, item_id: int) -> bool:
        """Extend this bot's lease on a row; False when the row is no longer this bot's to
        deliver (another bot took it after the lease ran out, or it is done)."""
        with self.store.sessions() as session:
            now = _clock(session)
            renewed = session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == item_id,
                    OutboxRow.status == "pending",
                    OutboxRow.lease_owner == self.owner,
                )
                .values(locked_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return renewed.rowcount == 1

    def delivered(self, item_id: int, *, skipped: bool = False) -> None:
        """The platform accepted the call: the row is done (even when its lease had passed to
        another bot meanwhile: the message was sent, so the other bot must not send it)."""
        with self.store.sessions() as session:
            row = session.get(OutboxRow, item_id)
            if row is None or row.status != "pending":
                return
            if row.lease_owner != self.owner:
                log.warning("outbox: #%d delivered after its lease had run out", item_id)
            row.status = "skipped" if skipped else "delivered"
            row.delivered_at = _now()  # a record, not a lease: no query for the clock
            row.locked_until = row.lease_owner = None
            session.commit()

    def keep_rest(self, item_id: int, rest: str) -> None:
        """Part of a row's text went out: only ``rest`` is left to send (while this bot holds
        the row)."""
        with self.store.sessions() as session:
            session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == item_id,
                    OutboxRow.status == "pending",
                    OutboxRow.lease_owner == self.owner,
                )
                .values(text=rest)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def failed(self, item_id: int, error: str, *, permanent: bool = False) -> None:
        """A call that did not succeed: try again later (or never, when ``permanent``). Only
        while this bot holds the row: another bot that took it over decides its fate."""
        with self.store.sessions() as session:
            row = session.get(OutboxRow, item_id)
            if row is None or row.status != "pending" or row.lease_owner != self.owner:
                return
            row.attempts += 1
            row.last_error = error[:200]
            row.locked_until = row.lease_owner = None
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                pause = timedelta(seconds=min(2**row.attempts, 300))
                row.next_attempt_at = _clock(session) + pause
            session.commit()

    def release(self) -> None:
        """Give back the leases of rows this bot took but did not get to (it is stopping), so
        that a restarted or second bot need not wait for them to run out."""
        with self.store.sessions() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.lease_owner == self.owner, OutboxRow.status == "pending")
                .values(locked_until=None, lease_owner=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def rows(self, *, ticket_id: int | None = None, platform: str | None = None) -> list[dict]:
        """Every row (for the desk and for tests), oldest first."""
        with self.store.sessions() as session:
            query = select(OutboxRow).order_by(OutboxRow.id)
            if ticket_id is not None:
                query = query.where(OutboxRow.ticket_id == ticket_id)
            if platform is not None:
                query = query.where(OutboxRow.platform == platform)
            return [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "platform": r.platform,
                    "status": r.status,
                    "attempts": r.attempts,
                    "last_error": r.last_error,
                    "text": r.text,
                    "ticket_id": r.ticket_id,
                }
                for r in session.scalars(query)
            ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        platform=row.platform,
        conversation_id=row.conversation_id,
        user_id=row.user_id,
        ticket_id=row.ticket_id,
        text=row.text,
        attempts=row.attempts,
        thread_id=row.thread_id,
    )


class PermanentFailure(Exception):
    """A delivery that can never succeed (no such chat, the bot was removed...)."""


SKIPPED = "skipped"  # what a deliver function returns for a row it has nowhere to send


async def run_outbox(
    store: TicketStore,
    platform: str,
    deliver: Callable[[OutboxItem], Awaitable[str | None]],
    stop: asyncio.Event,
    *,
    interval: float = 2.0,
    idle_hours: float | None = None,
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Deliver ``platform``'s rows until ``stop``: take the due ones, make each call, mark it.

    ``deliver`` raises on failure (PermanentFailure: never again) and returns SKIPPED for a
    row it has nowhere to send (no staff channel set). Idle tickets are closed here too (the
    bot may run without the desk), when ``idle_hours`` is set.
    """
    outbox = Outbox(store)
    last_sweep = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            if idle_hours and loop.time() - last_sweep >= 60:
                last_sweep = loop.time()
                await asyncio.to_thread(store.close_idle, idle_hours)
            if ready():
                for item in await asyncio.to_thread(outbox.due, platform):
                    if stop.is_set():
                        break
                    await _deliver_one(outbox, item, deliver)
        except Exception as exc:  # the database was away: try again at the next round
            log.error("outbox (%s): %s", platform, type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass
    try:
        await asyncio.to_thread(outbox.release)
    except Exception as exc:  # the leases run out by themselves in a minute
        log.warning("outbox (%s): leases not released (%s)", platform, type(exc).__name__)


async def _deliver_one(outbox: Outbox, item: OutboxItem, deliver) -> None:
    # The rows were leased together; the earlier calls may have taken long enough for this
    # row's lease to run out and another bot to take it.
    if not await asyncio.to_thread(outbox.renew, item.id):
        log.info("outbox: %s #%d is another bot's now", item.kind, item.id)
        return

    async def save_rest(rest: str) -> None:
        try:
            await asyncio.to_thread(outbox.keep_rest, item.id, rest)
        except Exception as exc:  # the database was away: a retry may repeat the piece
            log.warning("outbox: progress of #%d not kept (%s)", item.id, type(exc).__name__)

    call = asyncio.ensure_future(deliver(replace(item, save_rest=save_rest)))
    keeper = asyncio.create_task(_keep_lease(outbox, item.id, call))
    try:
        try:
            result = await call
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
    except PermanentFailure as exc:
        log.warning("outbox: %s #%d cannot be delivered (%s)", item.kind, item.id, exc)
        await asyncio.to_thread(outbox.failed, item.id, str(exc), permanent=True)
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # the bot is stopping
        # the keeper stopped the call: the lease was lost, another bot may have the row
        log.warning("outbox: %s #%d stopped, its lease was lost", item.kind, item.id)
    except Exception as exc:  # only the type: a library's message may quote the text
        log.warning(
            "outbox: %s #%d failed (%s); will retry", item.kind, item.id, type(exc).__name__
        )
        await asyncio.to_thread(outbox.failed, item.id, type(exc).__name__)
    else:
        await asyncio.to_thread(outbox.delivered, item.id, skipped=result == SKIPPED)
        log.info("outbox: %s #%d %s", item.kind, item.id, result or "delivered")


async def _keep_lease(outbox: Outbox, item_id: int, call: asyncio.Future) -> None:
    """Renew a row's lease while its platform call runs. When the lease is lost (another bot
    took the row, or the database was away for about as long as a lease lasts) the call is
    stopped: better a retry than the same message sent by two bots."""
    loop = asyncio.get_running_loop()
    renewed_at = loop.time()
    limit = (LEASE - RENEW_EVERY).total_seconds()
    while True:
        await asyncio.sleep(RENEW_EVERY.total_seconds())
        try:
            if await asyncio.to_thread(outbox.renew, item_id):
                renewed_at = loop.time()
                continue
        except Exception as exc:  # the database was away: the next renewal may succeed
            log.warning("outbox: lease of #%d not renewed (%s)", item_id, type(exc).__name__)
            if loop.time() - renewed_at < limit:
                continue
        call.cancel()
        return


_TICKET_LINK = re.compile(r"https?://\S+?/t/[A-Za-z0-9_-]{16,}")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


class Unsent:
    """What is left of an item's text while a bot sends it piece by piece: a fallback (the
    member's group when their private chat refuses half-way) sends only that."""

    def __init__(self, item: OutboxItem) -> None:
        self.text = item.text
        self._item = item

    async def save_rest(self, rest: str) -> None:
        self.text = rest
        if self._item.save_rest is not None:
            await self._item.save_rest(rest)


def rest_after(text: str, pieces: list[str], sent: int) -> str:
    """What is left of ``text`` once its first ``sent`` pieces (as a platform's splitter cut
    them, each a stretch of ``text``) went out."""
    position = 0
    for piece in pieces[:sent]:
        position = text.index(piece, position) + len(piece)
    return text[position:].strip()


def buttons_for(item: OutboxItem) -> list[Button]:
    """The buttons under a row's message: 1 to 5 stars under a rating request. A press comes
    back to the core as ``rate:<ticket>:<stars>`` (``Pipeline`` checks who pressed it)."""
    if item.kind != "rating" or item.ticket_id is None:
        return []
    return [Button(f"{n} ★", f"rate:{item.ticket_id}:{n}") for n in range(1, 6)]


# A reply's last line with its link, in each language: said otherwise in a group.
_ANSWER_HERE = [
    (re.compile(re.escape(texts["answer_here"]) + _TICKET_LINK.pattern + r"\s*$"), language)
    for language, texts in TEXTS.items()
]


def without_ticket_links(text: str) -> str:
    """The text for a group or channel: a ticket link is the key to the ticket, so it only
    ever goes to the member privately. A reply's "answer here, or on your ticket page:
    <link>" becomes "reply to this message to answer": in a group the bot hears the member
    only when addressed."""
    for answer_here, language in _ANSWER_HERE:
        text = answer_here.sub(TEXTS[language]["answer_in_group"], text)
    # in the language most of the text is in (its template's: the moderator's words may mix)
    rest = _TICKET_LINK.sub("", text)
    chinese = len(_CJK_CHAR.findall(rest)) >= len(re.findall(r"[A-Za-z]{2,}", rest))
    placeholder = "[工单链接仅私下发送]" if chinese else "[ticket link: sent privately only]"
    return _TICKET_LINK.sub(placeholder, text)
