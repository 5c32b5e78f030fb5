"""The outbox: rows are leased, delivered in order per conversation, marked delivered only
after the platform call succeeded, retried with growing pauses, given up when hopeless.
Run on SQLite here and on PostgreSQL in tests/test_postgres.py."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from shared.outbox import SKIPPED, Outbox, OutboxRow, PermanentFailure, run_outbox
from shared.tickets import TicketStore


@pytest.fixture
def store(tmp_path):
    store = TicketStore(f"sqlite:///{tmp_path / 'outbox.sqlite3'}", "https://desk.example")
    yield store
    store.dispose()


def ticket(store, user="1", platform="telegram"):
    return store.open_ticket(platform=platform, conversation_id=user, user_id=user)[0]


def check_leases_order_and_retries(store: TicketStore) -> None:
    outbox = Outbox(store)
    one, two = ticket(store, "1"), ticket(store, "2")
    store.reply(one.id, "mod", "first")
    store.reply(one.id, "mod", "second")
    store.reply(two.id, "mod", "other member")
    taken = outbox.due("telegram")
    kinds = [(i.kind, i.conversation_id) for i in taken]
    # one announce row at a time, and one row per member conversation: order is kept
    assert kinds == [("announce", None), ("reply", "1"), ("reply", "2")]
    assert "first" in taken[1].text
    assert outbox.due("telegram") == []  # leased: nobody else takes them
    outbox.failed(taken[1].id, "NetworkError")
    outbox.delivered(taken[0].id)
    outbox.delivered(taken[2].id)
    # the failed row waits for its retry, and "second" waits behind it
    later = outbox.due("telegram")
    assert [i.kind for i in later] == ["announce"]
    with store.sessions() as session:
        session.execute(update(OutboxRow).values(next_attempt_at=None))
        session.commit()
    outbox.delivered(later[0].id)
    retry = outbox.due("telegram")
    assert len(retry) == 1 and "first" in retry[0].text and retry[0].attempts == 1
    outbox.delivered(retry[0].id)
    last = outbox.due("telegram")
    assert len(last) == 1 and "second" in last[0].text
    outbox.failed(last[0].id, "Forbidden", permanent=True)
    statuses = [r["status"] for r in outbox.rows(ticket_id=one.id)]
    assert statuses == ["delivered", "delivered", "failed"]
    assert outbox.due("discord") == []


def test_leases_order_and_retries(store):
    check_leases_order_and_retries(store)


def test_platforms_without_a_bot_get_no_rows(store):
    cli = ticket(store, platform="cli")
    store.reply(cli.id, "mod", "hello")
    assert Outbox(store).rows() == []


async def test_rows_are_marked_delivered_only_after_the_call_succeeded(store):
    first = ticket(store, "1")
    store.reply(first.id, "mod", "hello")
    calls: list[str] = []
    fail = {"times": 1}

    async def deliver(item):
        calls.append(item.kind)
        if item.kind == "announce":
            return SKIPPED  # no staff channel set
        if fail["times"]:
            fail["times"] -= 1
            raise ConnectionError("platform down")
        return None

    stop = asyncio.Event()
    task = asyncio.create_task(run_outbox(store, "telegram", deliver, stop, interval=0.05))
    for _ in range(100):
        rows = await asyncio.to_thread(Outbox(store).rows, ticket_id=first.id)
        if rows[-1]["status"] == "pending" and rows[-1]["attempts"] == 1:
            break
        await asyncio.sleep(0.05)
    assert rows[-1]["status"] == "pending" and rows[-1]["last_error"] == "ConnectionError"
    assert rows[0]["status"] == "skipped"
    with store.sessions() as session:  # skip the back-off pause
        session.execute(update(OutboxRow).values(next_attempt_at=None))
        session.commit()
    for _ in range(100):
        rows = await asyncio.to_thread(Outbox(store).rows, ticket_id=first.id)
        if rows[-1]["status"] == "delivered":
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert rows[-1]["status"] == "delivered" and calls.count("reply") == 2


async def test_a_permanent_failure_is_not_retried(store):
    first = ticket(store, "1")

    async def deliver(item):
        raise PermanentFailure("chat not found")

    stop = asyncio.Event()
    task = asyncio.create_task(run_outbox(store, "telegram", deliver, stop, interval=0.05))
    for _ in range(100):
        rows = await asyncio.to_thread(Outbox(store).rows, ticket_id=first.id)
        if rows[0]["status"] == "failed":
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert rows[0]["status"] == "failed" and rows[0]["last_error"] == "chat not found"
