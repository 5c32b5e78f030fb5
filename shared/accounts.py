"""Moderator accounts of the desk: scrypt password hashes, server-side sessions, and the
failed-login record the rate limit reads. All in the bot's database, next to the tickets.

Accounts are made by an administrator on the command line (``supportbot desk add-moderator
NAME``, the password read from a prompt or stdin); there is no sign-up page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from shared.tickets import Base, TicketStore

# scrypt parameters (OWASP: N=2^17, r=8, p=1 is ~128 MiB; 2^15 keeps a login near 50 ms).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SESSION_HOURS = 12
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5  # per name and address within the window; then 429
NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # the login reads no more than this


def _now() -> datetime:
    return datetime.now(UTC)


class ModeratorRow(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SessionRow(Base):
    __tablename__ = "desk_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(cookie value)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginFailureRow(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # a keyed hash of the name typed
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (Index("ix_login_failures_key", "name", "address", "at"),)


class DeskKeyRow(Base):
    __tablename__ = "desk_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


# --- passwords ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a new 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=256 * 1024 * 1024,
        dklen=32,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _new_hash(password: str) -> str:
    """The hash of a password being set; too short a one is refused."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    return hash_password(password)


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """Checked against when the name is unknown, so a login takes as long either way."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# --- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moderator:
    id: int
    name: str


class AccountError(ValueError):
    pass


class Accounts:
    """Moderators, sessions and login failures. Blocking: call from threads."""

    def __init__(self, store: TicketStore) -> None:
        self.store = store
        self._login_key: bytes | None = None

    def add(self, name: str, password: str, *, replace: bool = False) -> Moderator:
        """A new moderator (or, with ``replace``, a new password for an existing one)."""
        if not NAME.match(name):
            raise AccountError("a name has 2-64 letters, digits, '.', '_' or '-'")
        hashed = _new_hash(password)
        with self.store.sessions() as session:
            row = session.scalars(select(ModeratorRow).where(ModeratorRow.name == name)).first()
            if row is not None:
                if not replace:
                    raise AccountError(f"moderator {name!r} exists (use --reset to change it)")
                row.password_hash, row.active = hashed, True
                session.execute(delete(SessionRow).where(SessionRow.moderator_id == row.id))
            else:
                row = ModeratorRow(name=name, password_hash=hashed, active=True)
                session.add(row)
            try:
                session.commit()
            except IntegrityError as exc:
                raise AccountError(f"moderator {name!r} exists") from exc
            return Moderator(row.id, row.name)

    def change_password(self, name: str, password: str) -> Moderator | None:
        """A moderator's own new password (the desk): ends all their sessions. None when the
        account is gone or disabled meanwhile (a disabled account is never woken up here)."""
        hashed = _new_hash(password)
        with self.store.sessions() as session:
            row = session.scalars(
                select(ModeratorRow).where(ModeratorRow.name == name, ModeratorRow.active)
            ).first()
            if row is None:
                return None
            row.password_hash = hashed
            session.execute(delete(SessionRow).where(SessionRow.moderator_id == row.id))
            session.commit()
            return Moderator(row.id, row.name)

    def disable(self, name: str) -> bool:
        with self.store.sessions() as session:
            row = session.scalars(select(ModeratorRow).where(ModeratorRow.name == name)).first()
            if row is None:
                return False
            row.active = False
            session.execute(delete(SessionRow).where(SessionRow.moderator_id == row.id))
            session.commit()
            return True

    def names(self) -> list[tuple[str, bool]]:
        with self.store.sessions() as session:
            rows = session.scalars(select(ModeratorRow).order_by(ModeratorRow.name))
            return [(r.name, r.active) for r in rows]

    def authenticate(self, name: str, password: str) -> Moderator | None:
        with self.store.sessions() as session:
            row = session.scalars(select(ModeratorRow).where(ModeratorRow.name == name)).first()
        if row is None or not row.active:
            verify_password(password, _dummy_hash())
            return None
        if not verify_password(password, row.password_hash):
            return None
        return Moderator(row.id, row.name)

    # --- the login rate limit -------------------------------------------------------------

    def _name_key(self, name: str) -> str:
        """What a failed login records of the name typed: a keyed hash, since people type
        their password into the name field by mistake."""
        if self._login_key is None:
            self._login_key = self.key("login-names")
        return hmac.new(self._login_key, name.encode(), hashlib.sha256).hexdigest()

    def recent_failures(self, name: str, address: str) -> int:
        since = _now() - LOGIN_WINDOW
        with self.store.sessions() as session:
            return session.scalar(
                select(func.count()).where(
                    LoginFailureRow.name == self._name_key(name),
                    LoginFailureRow.address == address[:64],
                    LoginFailureRow.at > since,
                )
            )

    def record_failure(self, name: str, address: str) -> None:
        with self.store.sessions() as session:
            session.add(LoginFailureRow(name=self._name_key(name), address=address[:64]))
            session.execute(
                delete(LoginFailureRow).where(LoginFailureRow.at < _now() - LOGIN_WINDOW)
            )
            session.commit()

    def clear_failures(self, name: str, address: str) -> None:
        with self.store.sessions() as session:
            session.execute(
                delete(LoginFailureRow).where(
                    LoginFailureRow.name == self._name_key(name),
                    LoginFailureRow.address == address[:64],
                )
            )
            session.commit()

    # --- sessions ---------------------------------------------------------------------------

    def start_session(self, moderator: Moderator) -> str:
        """A new session; returns the cookie value (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        with self.store.sessions() as session:
            session.add(
                SessionRow(
                    id=_digest(token),
                    moderator_id=moderator.id,
                    expires_at=_now() + timedelta(hours=SESSION_HOURS),
                )
            )
            session.execute(delete(SessionRow).where(SessionRow.expires_at < _now()))
            session.commit()
        return token

    def session_moderator(self, token: str | None) -> Moderator | None:
        if not token or len(token) > 128:
            return None
        with self.store.sessions() as session:
            found = session.execute(
                select(SessionRow, ModeratorRow)
                .join(ModeratorRow, ModeratorRow.id == SessionRow.moderator_id)
                .where(SessionRow.id == _digest(token))
            ).first()
        if found is None:
            return None
        row, moderator = found
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires < _now() or not moderator.active:
            return None
        return Moderator(moderator.id, moderator.name)

    def end_session(self, token: str | None) -> None:
        if not token:
            return
        with self.store.sessions() as session:
            session.execute(delete(SessionRow).where(SessionRow.id == _digest(token)))
            session.commit()

    # --- the desk's own secret --------------------------------------------------------------

    def key(self, name: str = "csrf") -> bytes:
        """A random key kept in the database (made once), shared by every desk process."""
        with self.store.sessions() as session:
            row = session.get(DeskKeyRow, name)
            if row is None:
                session.add(DeskKeyRow(name=name, value=secrets.token_hex(32)))
                try:
                    session.commit()
                except IntegrityError:  # another process made it first
                    session.rollback()
                row = session.get(DeskKeyRow, name)
            return bytes.fromhex(row.value)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
