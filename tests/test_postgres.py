"""The ticket store, its migrations, the outbox and the desk on a real PostgreSQL server
(started by .ci/services.sh: SUPPORTBOT_TEST_POSTGRES_URL), and the migrations on SQLite.

Without that variable these tests skip, except under CI=true, where they fail."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text, update

import shared.accounts  # noqa: F401 - the models of every table, for the comparison
import shared.outbox  # noqa: F401
from shared import migrations
from shared.accounts import Accounts
from shared.desk import DeskConfig, create_app
from shared.outbox import Outbox, OutboxRow
from shared.settings import Settings
from shared.tickets import Base, TicketStore
from tests.conftest import DESK_PASSWORD
from tests.test_desk import csrf_of, login
from tests.test_outbox import check_a_lease_taken_over_is_left_alone, check_leases_order_and_retries

# The core's ticket tests (tests/test_tickets.py), run again here on PostgreSQL: the module's
# `db_url` fixture is replaced by the one below.
from tests.test_tickets import (  # noqa: F401
    test_a_closed_ticket_lets_a_new_one_open,
    test_by_token_finds_the_ticket_only_with_the_exact_token,
    test_concurrent_opens_from_two_processes_give_one_ticket,
    test_each_platform_conversation_and_user_gets_its_own_ticket,
    test_feedback_rows_are_stored,
    test_messages_come_back_in_order_transcript_first,
    test_opening_twice_for_the_same_member_gives_the_same_ticket,
    test_ticket_keeps_its_fields,
    test_ticket_url_is_the_public_url_and_the_token,
    test_tickets_can_be_filtered_by_status_newest_first,
    test_tickets_survive_a_new_store_on_the_same_file,
    test_token_carries_at_least_128_random_bits,
)


@pytest.fixture
def db_url(postgres_url):
    return postgres_url


@pytest.fixture
def store(db_url):
    """As in tests/test_tickets.py, on PostgreSQL."""
    tickets = TicketStore(db_url, "https://support.example/")
    yield tickets
    tickets.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def test_the_server_is_postgresql(db_url):
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.dialect.name == "postgresql"
        assert "PostgreSQL" in connection.execute(text("select version()")).scalar()
    engine.dispose()


def test_migrations_give_exactly_the_models_schema(any_url):
    db = TicketStore(any_url)
    try:
        with db.engine.connect() as connection:
            assert migrations.current(connection) == (migrations.head(),)
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("tickets")}
        assert {"one_open_ticket", "ix_tickets_token"} <= indexes
    finally:
        db.dispose()


def test_a_database_made_by_create_all_is_adopted(any_url):
    engine = create_engine(any_url)
    migrations.upgrade(engine, "0001")  # the tables the core made before migrations
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tickets (token, platform, conversation_id, user_id, user_name, "
                "language, reason, status, created_at, updated_at) VALUES ('tok-old-ticket-123', "
                "'telegram', '1', '1', '', 'en', 'requested', 'open', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    db = TicketStore(any_url)
    try:
        old = db.by_token("tok-old-ticket-123")
        assert old is not None and old.claimed_by is None and old.rating is None
        assert db.reply(old.id, "mod", "still works")
    finally:
        db.dispose()


def test_processes_starting_together_migrate_once(any_url):
    with ThreadPoolExecutor(4) as pool:
        dbs = list(pool.map(lambda _: TicketStore(any_url), range(4)))
    try:
        ticket, created = dbs[0].open_ticket(platform="discord", conversation_id="c", user_id="u")
        assert created and dbs[3].get(ticket.id).id == ticket.id
    finally:
        for one in dbs:
            one.dispose()


def test_outbox_on_postgresql(db_url):
    db = TicketStore(db_url, "https://desk.example")
    try:
        check_leases_order_and_retries(db)
        check_a_lease_taken_over_is_left_alone(db)
    finally:
        db.dispose()


def test_outbox_leases_follow_the_database_clock(db_url, monkeypatch):
    """Bots on machines whose clocks disagree share one PostgreSQL server: a bot running ten
    minutes fast must neither take a row another bot leased a moment ago nor find a retry
    pause over early. Leases and pauses are timed by the server's clock."""
    db = TicketStore(db_url, "https://desk.example")
    try:
        honest, fast = Outbox(db), Outbox(db)
        opened = db.open_ticket(platform="discord", conversation_id="31", user_id="31")[0]
        db.reply(opened.id, "mod", "hello")

        def due(bot: Outbox) -> list:  # this ticket's rows (other tests share the server)
            return [i for i in bot.due("discord") if i.ticket_id == opened.id]

        taken = due(honest)
        assert sorted(i.kind for i in taken) == ["announce", "reply"]
        reply = next(i for i in taken if i.kind == "reply")
        with db.sessions() as session:  # the seventh failure pauses the row for 128 s
            session.execute(update(OutboxRow).where(OutboxRow.id == reply.id).values(attempts=6))
            session.commit()
        honest.failed(reply.id, "NetworkError")  # by the honest bot's clock
        ahead = datetime.now(UTC) + timedelta(minutes=10)
        monkeypatch.setattr(shared.outbox, "_now", lambda: ahead)
        assert due(fast) == []  # the announcement is leased, the reply paused
        honest.delivered(next(i for i in taken if i.kind == "announce").id)
        assert due(fast) == []  # the reply alone: its pause is not over
    finally:
        db.dispose()


def test_desk_on_postgresql(db_url, tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=db_url, public_url="https://desk.example")
    db = TicketStore(settings.sqlalchemy_url, settings.public_url)
    try:
        ticket, _ = db.open_ticket(
            platform="telegram",
            conversation_id="42",
            user_id="42",
            language="zh",
            transcript=[("user", "我的提现没到账")],
        )
        Accounts(db).add("mod", DESK_PASSWORD)
        app = create_app(settings, store=db, config=DeskConfig(idle_hours=None))
        with TestClient(app, base_url="https://desk.example") as client:
            page = client.get(f"/t/{ticket.token}")
            assert page.status_code == 200 and "我的提现没到账" in page.text
            assert client.get(f"/t/{ticket.token[:-1]}").status_code == 404
            assert login(client).status_code == 303
            moderator = client.get(f"/queue/{ticket.id}")
            client.post(
                f"/queue/{ticket.id}/reply",
                data={"text": "请稍等", "csrf": csrf_of(moderator.text)},
            )
            client.post(f"/queue/{ticket.id}/close", data={"csrf": csrf_of(moderator.text)})
        kinds = [(r["kind"], r["status"]) for r in Outbox(db).rows(ticket_id=ticket.id)]
        assert kinds == [("announce", "pending"), ("reply", "pending"), ("rating", "pending")]
        assert "请稍等" in Outbox(db).rows(ticket_id=ticket.id)[1]["text"]
        assert db.get(ticket.id).status == "closed"
    finally:
        db.dispose()
