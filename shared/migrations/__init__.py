"""Schema migrations (alembic), run by the store at start instead of ``create_all``.

``upgrade(engine)`` brings any database to the newest revision: a new one from nothing, one
made by ``create_all`` before migrations existed (it has ``tickets`` but no
``alembic_version``) from revision 0001. Processes that start together (the bot and the desk)
take turns: an advisory lock on PostgreSQL, a lock file next to a SQLite database.

New revision: copy the newest file in ``versions/``, set ``down_revision`` to its id, write
``upgrade()`` with ``op.*`` calls, and add its tables or columns to the models.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).resolve().parent
FIRST = "0001"  # the tables the core made with create_all
_PG_LOCK_KEY = 0x5B0_7DE5  # any constant shared by every supportbot process

if logging.getLogger("alembic").level == logging.NOTSET:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per start is enough


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head() or FIRST


def current(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade head`` on ``engine``'s database (nothing to do: a quick check only)."""
    target = head() if revision == "head" else revision
    with _file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        revisions = current(connection)
        if revisions == (target,):
            return
        cfg = config(connection)
        if not revisions and inspect(connection).has_table("tickets"):
            command.stamp(cfg, FIRST)  # made by create_all: it has revision 0001's tables
        command.upgrade(cfg, revision)


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    path = Path(database + ".migrate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
