"""Tickets: the hand-off to humans, kept in a database (never in memory or channel topics).

SQLite under SUPPORTBOT_DATA_DIR by default; any SQLAlchemy URL through
SUPPORTBOT_DATABASE_URL. Only redacted text ever reaches these tables: the pipeline runs
the guard first.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from shared.ticket_holders import OpenTicketHolders

TOKEN_BYTES = 24  # 192 random bits in every ticket link


# The same reply by the same moderator again within this many seconds is a double click.
DOUBLE_SUBMIT_S = 10
REPEATED = "repeated"  # what ``reply(..., once=True)`` returns for a double click


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    platform: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    user_name: Mapped[str] = mapped_column(String(256), default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(32), default="requested")
    status: Mapped[str] = mapped_column(String(16), default="open")
    escalated_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # the topic inside the chat (a Telegram forum topic; migration 0005)
    thread_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # The desk (migration 0002): who works on it, how it ended, what the member thought.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        # One open ticket per member and conversation: escalating twice gives the same one.
        Index(
            "one_open_ticket",
            "platform",
            "conversation_id",
            "user_id",
            unique=True,
            sqlite_where=(status == "open"),
            postgresql_where=(status == "open"),
        ),
        Index("ix_tickets_status_updated", "status", "updated_at"),  # idle closing
        # A member's open tickets in any conversation (migration 0004; see find_open).
        Index(
            "ix_tickets_open_member",
            "platform",
            "user_id",
            sqlite_where=(status == "open"),
            postgresql_where=(status == "open"),
        ),
    )


class MessageRow(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # user | bot | moderator | note (staff only)
    text: Mapped[str] = mapped_column(Text)  # redacted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    author_name: Mapped[str | None] = mapped_column(String(128), nullable=True)  # moderators


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[str] = mapped_column(String(128))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
    language: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# Every member with an open ticket (shared/ticket_holders.py).
_OPEN_HOLDERS = (
    select(TicketRow.platform, TicketRow.user_id).where(TicketRow.status == "open").distinct()
)

# A member's open tickets on a platform, in any conversation, the latest first.
_MEMBER_OPEN = (
    select(TicketRow.id, TicketRow.conversation_id)
    .where(
        TicketRow.platform == bindparam("platform"),
        TicketRow.user_id == bindparam("user"),
        TicketRow.status == "open",
    )
    .order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
)


# The queue's orders: newest tickets first, last written in first, longest untouched first.
ORDERS = {
    "newest": (TicketRow.id.desc(),),
    "activity": (TicketRow.updated_at.desc(), TicketRow.id.desc()),
    "waiting": (TicketRow.updated_at.asc(), TicketRow.id.asc()),
}


@dataclass(frozen=True)
class Ticket:
    id: int
    token: str
    platform: str
    conversation_id: str
    user_id: str
    user_name: str
    language: str
    category: str | None
    reason: str
    status: str
    escalated_by: str | None
    created_at: datetime
    updated_at: datetime | None = None
    claimed_by: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    rating: int | None = None


@dataclass(frozen=True)
class TicketMessage:
    author: str
    text: str
    created_at: datetime
    author_name: str | None = None


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        token=row.token,
        platform=row.platform,
        conversation_id=row.conversation_id,
        user_id=row.user_id,
        user_name=row.user_name,
        language=row.language,
        category=row.category,
        reason=row.reason,
        status=row.status,
        escalated_by=row.escalated_by,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        claimed_by=row.claimed_by,
        closed_at=_utc(row.closed_at),
        close_reason=row.close_reason,
        rating=row.rating,
    )


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL (the bot and the desk share them).

    ``hide_parameters``: a database error's message would otherwise quote the statement's
    values (a member's words, a ticket's token) into whatever logs the exception."""
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, future=True, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        if url not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


class TicketStore:
    """All ticket reads and writes. Blocking: call it through asyncio.to_thread."""

    def __init__(self, url: str, public_url: str = "http://127.0.0.1:8080") -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(url)
        from shared.migrations import upgrade

        upgrade(self.engine)  # `alembic upgrade head`: the schema is the migrations'
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.public_url = public_url.rstrip("/")
        self._lock = threading.Lock()
        # members who may have an open ticket: the others are answered without a query
        self.holders = OpenTicketHolders(self._members_with_open_tickets)

    def _members_with_open_tickets(self) -> set[tuple[str, str]]:
        with self.engine.connect() as connection:
            return {(p, u) for p, u in connection.execute(_OPEN_HOLDERS)}

    def url_for(self, ticket: Ticket) -> str:
        return f"{self.public_url}/t/{ticket.token}"

    def open_ticket(
        self,
        *,
        platform: str,
        conversation_id: str,
        user_id: str,
        user_name: str = "",
        language: str = "en",
        category: str | None = None,
        reason: str = "requested",
        escalated_by: str | None = None,
        transcript: list[tuple[str, str]] = (),
        private: bool = False,
        thread_id: str | None = None,
    ) -> tuple[Ticket, bool]:
        """The member's open ticket in this conversation, or a new one with the transcript.
        ``private``: asked in the member's private chat, where their open ticket from a group
        counts too (see ``find_open``).

        Returns (ticket, created). Safe against double clicks and retried deliveries: the
        database allows one open ticket per member and conversation.
        """
        # Known before the ticket exists, and again once it is written (a re-read of the set
        # that began before the write would otherwise drop the member: ticket_holders.py).
        self.holders.add(platform, user_id)
        try:
            with self._lock, self.sessions() as session:
                existing = self._open_row(session, platform, conversation_id, user_id, private)
                if existing is not None:
                    return _ticket(existing), False
                row = TicketRow(
                    token=secrets.token_urlsafe(TOKEN_BYTES),
                    platform=platform,
                    conversation_id=conversation_id,
                    user_id=user_id,
                    user_name=user_name,
                    language=language,
                    category=category,
                    reason=reason,
                    escalated_by=escalated_by,
                    thread_id=thread_id,
                )
                session.add(row)
                try:
                    session.flush()
                except IntegrityError:  # another process opened it first
                    session.rollback()
                    existing = self._open_row(session, platform, conversation_id, user_id, private)
                    if existing is None:
                        raise
                    return _ticket(existing), False
                for author, text in transcript:
                    session.add(MessageRow(ticket_id=row.id, author=author, text=text))
                self._announce(session, row)
                session.commit()
                return _ticket(row), True
        finally:
            self.holders.add(platform, user_id)

    def desk_url_for(self, ticket_id: int) -> str:
        """The moderators' page of a ticket (behind the desk's login; no token in it)."""
        return f"{self.public_url}/queue/{ticket_id}"

    def _announce(self, session: Session, row: TicketRow) -> None:
        """A new ticket: an "announce" row for the staff channel of its platform."""
        from shared import outbox

        if row.platform not in outbox.BOT_PLATFORMS:
            return
        parts = [f"New ticket #{row.id} / 新工单", row.platform, row.language, row.reason]
        if row.category:
            parts.append(row.category)
        who = row.user_name or row.user_id
        text = f"{' · '.join(parts)}\n{who}\n{self.desk_url_for(row.id)}"
        outbox.add(session, kind="announce", platform=row.platform, text=text, ticket_id=row.id)

    def _open_row(
        self, session: Session, platform: str, conversation_id: str, user_id: str, private: bool
    ) -> TicketRow | None:
        """The member's open ticket row, as ``find_open`` finds it."""
        found = self._member_open_id(session, platform, conversation_id, user_id, private)
        return session.get(TicketRow, found) if found is not None else None

    def find_open(
        self, platform: str, conversation_id: str, user_id: str, private: bool = False
    ) -> Ticket | None:
        """The member's open ticket in this conversation. ``private``: the message came from
        the member's private chat, where every open ticket of theirs counts, and the one
        written in last (by staff or by them) wins: replies to a group ticket reach the
        member privately, and their answer must join the ticket they answer, even when they
        have another one open in the private chat itself.
        """
        # Asked for every question, and usually the answer is "none": first the members
        # known to hold open tickets (shared/ticket_holders.py), then an id query on a
        # pooled connection (0.06 ms against 0.2 for an ORM session; it runs beside the
        # encoder, which needs the interpreter lock too), the ticket only if there is one.
        self.holders.refresh_if_stale()
        if self.holders.surely_none(platform, user_id):
            return None
        with self.engine.connect() as connection:
            found = self._member_open_id(connection, platform, conversation_id, user_id, private)
        if found is None:
            return None
        with self.sessions() as session:
            row = session.get(TicketRow, found)
            return _ticket(row) if row is not None and row.status == "open" else None

    @staticmethod
    def _member_open_id(
        connection, platform: str, conversation_id: str, user_id: str, private: bool
    ) -> int | None:
        """The id of the open ticket in this conversation, or (``private``) the latest in
        any conversation; one indexed query either way."""
        rows = connection.execute(_MEMBER_OPEN, {"platform": platform, "user": user_id}).all()
        if private:
            return rows[0][0] if rows else None
        for ticket_id, conversation in rows:
            if conversation == conversation_id:
                return ticket_id
        return None

    def add_message(
        self, ticket_id: int, author: str, text: str, author_name: str | None = None
    ) -> bool:
        """Add to an open ticket. False, and nothing stored, when the ticket is closed (or
        gone): a message that arrives while a moderator closes the ticket must not end up
        where nobody reads it; the caller opens a new one or tells the member. The status
        check and the insert are one transaction, ordered against ``close`` by the row's
        update."""
        with self.sessions() as session:
            # a staff note is no turn in the conversation: the ticket's activity stays
            touched = session.execute(
                update(TicketRow)
                .where(TicketRow.id == ticket_id, TicketRow.status == "open")
                .values(updated_at=TicketRow.updated_at if author == "note" else _now())
            )
            if touched.rowcount != 1:
                session.rollback()
                return False
            session.add(
                MessageRow(ticket_id=ticket_id, author=author, text=text, author_name=author_name)
            )
            session.commit()
            return True

    def take_back(
        self, platform: str, user_id: str, old: str, redacted: str, since: datetime
    ) -> int:
        """A member's message turned out to hold part of a secret (shared.guard_split): in
        their tickets and in the feedback, ``old`` written ``since`` (when the message came)
        becomes ``redacted``. Returns how many rows changed."""
        # any of the member's tickets, open or closed since (rare: no shortcut wanted)
        tickets = select(TicketRow.id).where(
            TicketRow.platform == platform, TicketRow.user_id == user_id
        )
        with self.sessions() as session:
            changed = session.execute(
                update(MessageRow)
                .where(
                    MessageRow.ticket_id.in_(tickets),
                    MessageRow.author == "user",
                    MessageRow.text.in_([old, f"(edited) {old}"]),
                    MessageRow.created_at >= since,
                )
                .values(text=redacted)
                .execution_options(synchronize_session=False)
            ).rowcount
            changed += session.execute(
                update(FeedbackRow)
                .where(
                    FeedbackRow.platform == platform,
                    FeedbackRow.question == old,
                    FeedbackRow.created_at >= since,
                )
                .values(question=redacted)
                .execution_options(synchronize_session=False)
            ).rowcount
            session.commit()
            return changed

    def by_token(self, token: str) -> Ticket | None:
        """The ticket whose link carries ``token``; constant-time comparison of the token."""
        if not token or len(token) > 64:
            return None
        with self.sessions() as session:
            row = session.scalars(select(TicketRow).where(TicketRow.token == token)).first()
            if row is None or not hmac.compare_digest(row.token, token):
                return None
            return _ticket(row)

    def get(self, ticket_id: int) -> Ticket | None:
        with self.sessions() as session:
            row = session.get(TicketRow, ticket_id)
            return _ticket(row) if row else None

    def messages(self, ticket_id: int, *, notes: bool = True) -> list[TicketMessage]:
        """The ticket's conversation, oldest first; without ``notes`` (the member's page) the
        staff's notes (author "note": why a moderator escalated) are left out."""
        with self.sessions() as session:
            query = select(MessageRow).where(MessageRow.ticket_id == ticket_id)
            if not notes:
                query = query.where(MessageRow.author != "note")
            rows = session.scalars(query.order_by(MessageRow.id))
            return [
                TicketMessage(r.author, r.text, _utc(r.created_at), r.author_name) for r in rows
            ]

    def tickets(
        self,
        status: str | None = None,
        *,
        claimed_by: str | None = None,
        unclaimed: bool = False,
        platforms: tuple[str, ...] | None = None,
        platform: str | None = None,
        language: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str = "newest",
    ) -> list[Ticket]:
        """Tickets filtered by status, claim, platform and language, in ``order`` (see
        ORDERS); ``limit`` of them after the first ``offset`` (the desk's pages)."""
        with self.sessions() as session:
            query = select(TicketRow).order_by(*ORDERS.get(order, ORDERS["newest"]))
            if status:
                query = query.where(TicketRow.status == status)
            if claimed_by:
                query = query.where(TicketRow.claimed_by == claimed_by)
            if unclaimed:
                query = query.where(TicketRow.claimed_by.is_(None))
            if platforms is not None:
                query = query.where(TicketRow.platform.in_(platforms))
            if platform:
                query = query.where(TicketRow.platform == platform)
            if language:
                query = query.where(TicketRow.language == language)
            if limit:
                query = query.limit(limit)
            if offset:
                query = query.offset(offset)
            return [_ticket(r) for r in session.scalars(query)]

    def counts(self, platforms: tuple[str, ...] | None = None) -> dict[str, int]:
        """How many tickets per status."""
        with self.sessions() as session:
            query = select(TicketRow.status, func.count()).group_by(TicketRow.status)
            if platforms is not None:
                query = query.where(TicketRow.platform.in_(platforms))
            return {status: count for status, count in session.execute(query)}

    def last_messages(self, ticket_ids: list[int]) -> dict[int, TicketMessage]:
        """The newest message of each ticket that is not a staff note (the queue's preview
        column; idle closing: whose turn it is)."""
        if not ticket_ids:
            return {}
        with self.sessions() as session:
            newest = (
                select(func.max(MessageRow.id))
                .where(MessageRow.ticket_id.in_(ticket_ids), MessageRow.author != "note")
                .group_by(MessageRow.ticket_id)
            )
            rows = session.scalars(select(MessageRow).where(MessageRow.id.in_(newest)))
            return {
                r.ticket_id: TicketMessage(r.author, r.text, _utc(r.created_at), r.author_name)
                for r in rows
            }

    def claim(
        self, ticket_id: int, moderator: str, *, release: bool = False, take_over: bool = False
    ) -> bool:
        """``moderator`` takes an open ticket, or (``release``) gives back their own. Another
        moderator's claim is never replaced silently: only with ``take_over`` (the desk's
        "Take over" button, pressed knowing who has it). False when nothing changed: the
        ticket is not open, or someone else holds it."""
        conditions = [TicketRow.id == ticket_id, TicketRow.status == "open"]
        if not take_over:
            conditions.append(
                or_(TicketRow.claimed_by.is_(None), TicketRow.claimed_by == moderator)
            )
        with self.sessions() as session:
            done = session.execute(
                update(TicketRow)
                .where(*conditions)
                .values(claimed_by=None if release else moderator)
            )
            session.commit()
            return done.rowcount == 1

    def reply(self, ticket_id: int, moderator: str, text: str, *, once: bool = False) -> bool | str:
        """A moderator's (redacted) answer: kept in the ticket and queued for the member's
        platform in one transaction. Claims an unclaimed ticket. False, and nothing stored or
        sent, when the ticket is not open: the status check is the update itself, so a close
        that lands first wins (the member must not get "closed, rate us" and then a reply)."""
        from shared import outbox

        with self.sessions() as session:
            touched = session.execute(
                update(TicketRow)
                .where(TicketRow.id == ticket_id, TicketRow.status == "open")
                .values(
                    updated_at=_now(),
                    claimed_by=func.coalesce(TicketRow.claimed_by, moderator),
                )
            )
            if touched.rowcount != 1:
                session.rollback()
                return False
            row = session.get(TicketRow, ticket_id)  # read after the update: its values
            # after the row's update, so two clicks' transactions are one after the other
            if once and self._just_said(session, ticket_id, moderator, text):
                session.rollback()
                return REPEATED
            session.add(
                MessageRow(ticket_id=row.id, author="moderator", text=text, author_name=moderator)
            )
            if row.platform in outbox.BOT_PLATFORMS:
                message = outbox.text_for(
                    row.language, "reply", id=row.id, text=text, url=self.url_for(_ticket(row))
                )
                _to_member(session, row, "reply", message)
            session.commit()
            return True

    @staticmethod
    def _just_said(session: Session, ticket_id: int, moderator: str, text: str) -> bool:
        """The ticket's last message is this very reply by this moderator, seconds ago (a
        double click on "Send")."""
        last = session.scalars(
            select(MessageRow)
            .where(MessageRow.ticket_id == ticket_id, MessageRow.author != "note")
            .order_by(MessageRow.id.desc())
            .limit(1)
        ).first()
        return (
            last is not None
            and (last.author, last.author_name, last.text) == ("moderator", moderator, text)
            and _utc(last.created_at) > _now() - timedelta(seconds=DOUBLE_SUBMIT_S)
        )

    def close(
        self,
        ticket_id: int,
        *,
        reason: str = "moderator",
        ask_rating: bool = False,
        hours=None,
        before: datetime | None = None,
    ) -> bool:
        """Close a ticket; with ``ask_rating`` the member is asked to rate the help (outbox).
        False when it was not open (closing twice does nothing), or, with ``before``, when
        it changed since then (the member wrote while it was being closed as idle)."""
        conditions = [TicketRow.id == ticket_id, TicketRow.status == "open"]
        if before is not None:
            conditions.append(TicketRow.updated_at < before)
        with self.sessions() as session:
            now = _now()
            done = session.execute(
                update(TicketRow)
                .where(*conditions)
                .values(status="closed", updated_at=now, closed_at=now, close_reason=reason)
            )
            if done.rowcount != 1:
                session.rollback()
                return False
            row = session.get(TicketRow, ticket_id)
            if ask_rating and row is not None:
                self._ask_rating(session, row, hours)
            session.commit()
            return True

    def reopen(self, ticket_id: int) -> bool:
        """Open a closed ticket again (closed by mistake, or the member's matter came back).
        False when it is not closed, or the member has opened another ticket in the same
        conversation meanwhile (one open ticket per member and conversation: work that one)."""
        with self._lock, self.sessions() as session:
            row = session.get(TicketRow, ticket_id)
            if row is None or row.status != "closed":
                return False
            self.holders.add(row.platform, row.user_id)
            row.status, row.closed_at, row.close_reason = "open", None, None
            row.updated_at = _now()
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def _ask_rating(self, session: Session, row: TicketRow, hours) -> None:
        from shared import outbox

        if row.platform not in outbox.BOT_PLATFORMS:
            return
        why = ""
        if hours is not None:
            why = outbox.text_for(row.language, "why_idle", hours=f"{hours:g}")
        text = outbox.text_for(
            row.language, "rating", id=row.id, why=why, url=self.url_for(_ticket(row))
        )
        _to_member(session, row, "rating", text)

    def close_idle(self, hours: float) -> list[int]:
        """Close the open tickets that have waited ``hours`` for the member: the last word is
        a moderator's and nobody wrote since. A ticket whose member is waiting for staff (no
        reply yet, or the member wrote last) stays open however long it waits. Each member
        is asked for a rating. Safe to run from several processes: each ticket closes once."""
        cutoff = _now() - timedelta(hours=hours)
        with self.sessions() as session:
            ids = session.scalars(
                select(TicketRow.id).where(
                    TicketRow.status == "open", TicketRow.updated_at < cutoff
                )
            ).all()
        last = self.last_messages(list(ids))
        waiting_for_member = [i for i in ids if i in last and last[i].author == "moderator"]
        return [
            i
            for i in waiting_for_member
            if self.close(i, reason="idle", ask_rating=True, hours=hours, before=cutoff)
        ]

    def rate(
        self,
        ticket_id: int,
        stars: int,
        *,
        platform: str | None = None,
        user_id: str | None = None,
    ) -> bool:
        """The member's rating (1-5) of a closed ticket; once. From a chat (a rating button)
        ``platform`` and ``user_id`` say who pressed it: only the ticket's member may rate.
        The ticket page needs no such check: its secret link is the proof."""
        if not 1 <= stars <= 5:
            return False
        conditions = [
            TicketRow.id == ticket_id,
            TicketRow.status == "closed",
            TicketRow.rating.is_(None),
        ]
        if platform is not None or user_id is not None:
            conditions += [TicketRow.platform == platform, TicketRow.user_id == user_id]
        with self.sessions() as session:
            done = session.execute(update(TicketRow).where(*conditions).values(rating=stars))
            session.commit()
            return done.rowcount == 1

    def add_feedback(
        self, *, platform: str, entry_id: str, helpful: bool, question: str, language: str
    ) -> None:
        with self.sessions() as session:
            session.add(
                FeedbackRow(
                    platform=platform,
                    entry_id=entry_id,
                    helpful=helpful,
                    question=question,
                    language=language,
                )
            )
            session.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def _to_member(session: Session, row: TicketRow, kind: str, text: str) -> None:
    """Queue a message for the ticket's member, in the conversation the ticket came from."""
    from shared import outbox

    outbox.add(
        session,
        kind=kind,
        platform=row.platform,
        conversation_id=row.conversation_id,
        user_id=row.user_id,
        thread_id=row.thread_id,
        ticket_id=row.id,
        text=text,
    )
