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
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

TOKEN_BYTES = 24  # 192 random bits in every ticket link


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

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
    )


class MessageRow(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # user | bot | moderator
    text: Mapped[str] = mapped_column(Text)  # redacted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[str] = mapped_column(String(128))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
    language: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


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


@dataclass(frozen=True)
class TicketMessage:
    author: str
    text: str
    created_at: datetime


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
        created_at=row.created_at,
    )


class TicketStore:
    """All ticket reads and writes. Blocking: call it through asyncio.to_thread."""

    def __init__(self, url: str, public_url: str = "http://127.0.0.1:8080") -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, future=True)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.public_url = public_url.rstrip("/")
        self._lock = threading.Lock()

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
    ) -> tuple[Ticket, bool]:
        """The member's open ticket in this conversation, or a new one with the transcript.

        Returns (ticket, created). Safe against double clicks and retried deliveries: the
        database allows one open ticket per member and conversation.
        """
        with self._lock, self.sessions() as session:
            existing = self._open_row(session, platform, conversation_id, user_id)
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
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:  # another process opened it first
                session.rollback()
                existing = self._open_row(session, platform, conversation_id, user_id)
                if existing is None:
                    raise
                return _ticket(existing), False
            for author, text in transcript:
                session.add(MessageRow(ticket_id=row.id, author=author, text=text))
            session.commit()
            return _ticket(row), True

    @staticmethod
    def _open_row(session: Session, platform: str, conversation_id: str, user_id: str):
        return session.scalars(
            select(TicketRow).where(
                TicketRow.platform == platform,
                TicketRow.conversation_id == conversation_id,
                TicketRow.user_id == user_id,
                TicketRow.status == "open",
            )
        ).first()

    def find_open(self, platform: str, conversation_id: str, user_id: str) -> Ticket | None:
        with self.sessions() as session:
            row = self._open_row(session, platform, conversation_id, user_id)
            return _ticket(row) if row else None

    def add_message(self, ticket_id: int, author: str, text: str) -> None:
        with self.sessions() as session:
            session.add(MessageRow(ticket_id=ticket_id, author=author, text=text))
            row = session.get(TicketRow, ticket_id)
            if row is not None:
                row.updated_at = _now()
            session.commit()

    def by_token(self, token: str) -> Ticket | None:
        """The ticket whose link carries ``token``; constant-time comparison of the token."""
        if not token or len(token) > 64:
            return None
        with self.sessions() as session:
            row = session.scalars(select(TicketRow).where(TicketRow.token == token)).first()
            if row is None or not hmac.compare_digest(row.token, token):
                return None
            return _ticket(row)

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        with self.sessions() as session:
            rows = session.scalars(
                select(MessageRow).where(MessageRow.ticket_id == ticket_id).order_by(MessageRow.id)
            )
            return [TicketMessage(r.author, r.text, r.created_at) for r in rows]

    def tickets(self, status: str | None = None) -> list[Ticket]:
        with self.sessions() as session:
            query = select(TicketRow).order_by(TicketRow.id.desc())
            if status:
                query = query.where(TicketRow.status == status)
            return [_ticket(r) for r in session.scalars(query)]

    def close(self, ticket_id: int) -> None:
        with self.sessions() as session:
            row = session.get(TicketRow, ticket_id)
            if row is not None:
                row.status = "closed"
                row.updated_at = _now()
                session.commit()

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
