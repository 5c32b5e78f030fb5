"""Shared fixtures: a real pipeline (real model, real SQLite) on a throw-away data folder.

Models are loaded once per test session (shared.matching caches them), so a fresh
pipeline per test costs only the index build.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach a model hub

from shared.messages import CollectingChannel, Incoming  # noqa: E402
from shared.pipeline import Pipeline  # noqa: E402
from shared.settings import SHIPPED_KNOWLEDGE, Settings  # noqa: E402

DATA = Path(__file__).parent / "data"
MINI_KB = DATA / "mini_kb.yaml"


@pytest.fixture(autouse=True)
def quick_network_retries(monkeypatch):
    """The Telegram sender's pauses before trying a failed call again, shortened (the tests
    count the tries; they need not wait the real seconds)."""
    monkeypatch.setattr("bots.telegram_channel.NETWORK_RETRY_DELAYS", (0.05, 0.1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as a fresh install has them, with data under tmp_path."""
    return Settings(
        data_dir=tmp_path / "data",
        public_url="http://127.0.0.1:8080",
        knowledge_path=SHIPPED_KNOWLEDGE,
        watch_knowledge=False,
    )


@pytest.fixture
async def make_pipeline(settings: Settings):
    """make_pipeline(knowledge_path=None) -> a started Pipeline, closed after the test."""
    started: list[Pipeline] = []

    async def make(knowledge_path: Path | None = None, **kwargs) -> Pipeline:
        if knowledge_path is not None:
            settings.knowledge_path = Path(knowledge_path)
        pipeline = await Pipeline.start(settings, **kwargs)
        started.append(pipeline)
        return pipeline

    yield make
    for pipeline in started:
        await pipeline.close()


def message(text: str, **fields) -> Incoming:
    """An incoming private message with a collecting channel (push a message, pop a reply)."""
    fields.setdefault("channel", CollectingChannel())
    return Incoming(text=text, **fields)


# --- the desk (tests/test_desk*.py, tests/test_outbox*.py, tests/test_postgres*.py) ----------

DESK_PASSWORD = "correct-horse-battery-staple"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database on SUPPORTBOT_TEST_POSTGRES_URL's server (made by
    .ci/services.sh), dropped after the test. Skipped without that variable, except under
    CI=true, where a missing PostgreSQL fails the run."""
    import secrets as _secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("SUPPORTBOT_TEST_POSTGRES_URL", "").strip()
    if not base:
        if _in_ci():
            pytest.fail("CI=true but SUPPORTBOT_TEST_POSTGRES_URL is not set (.ci/services.sh)")
        pytest.skip("SUPPORTBOT_TEST_POSTGRES_URL is not set (see .ci/services.sh)")
    name = f"supportbot_t_{_secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def desk_store(settings: Settings):
    """A TicketStore on the test's data folder (what the bot and the desk share)."""
    from shared.tickets import TicketStore

    store = TicketStore(settings.sqlalchemy_url, settings.public_url)
    yield store
    store.dispose()


@pytest.fixture
def desk(settings: Settings, desk_store):
    """The desk app in-process (starlette's TestClient) with one moderator, "mod"."""
    from fastapi.testclient import TestClient

    from shared.accounts import Accounts
    from shared.desk import DeskConfig, create_app

    Accounts(desk_store).add("mod", DESK_PASSWORD)
    app = create_app(settings, store=desk_store, config=DeskConfig(idle_hours=None))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        client.store = desk_store
        yield client


# README's `pytest` (unlike `python -m pytest`) puts tests/ on sys.path, not the repository,
# and the test modules import their helpers as `tests.<module>`: put the repository first.
import sys  # noqa: E402

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
