"""The outbox: rows are leased, delivered in order per conversation, marked delivered only
after the platform call succeeded, retried with growing pauses, given up when hopeless.
Run on SQLite here and on PostgreSQL in tests/test_postgres.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

import shared.outbox as outbox_module
from shared.outbox import (
    SKIPPED,
    Outbox,
    OutboxRow,
    PermanentFailure,
    _deliver_one,
    run_outbox,
    without_ticket_links,
)
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


def check_a_lease_taken_over_is_left_alone(store: TicketStore) -> None:
    """Two bots of one platform: when the first one's lease ran out (a long rate-limit wait)
    and the second took the row, the first may no longer renew it, the second may."""
    first_bot, second_bot = Outbox(store), Outbox(store)
    store.reply(ticket(store, "7").id, "mod", "hello")
    taken = first_bot.due("telegram")
    assert taken and second_bot.due("telegram") == []
    assert first_bot.renew(taken[0].id)
    with store.sessions() as session:  # the first bot's leases run out
        session.execute(update(OutboxRow).values(locked_until=datetime.now(UTC)))
        session.commit()
    retaken = second_bot.due("telegram")
    assert [i.id for i in retaken] == [i.id for i in taken]
    assert not first_bot.renew(taken[0].id)
    assert second_bot.renew(taken[0].id)
    # the first bot's late failure does not free the row (a third bot would send it too)
    first_bot.failed(taken[0].id, "RetryAfter")
    assert first_bot.due("telegram") == [] and second_bot.renew(taken[0].id)
    second_bot.delivered(taken[0].id)
    assert not second_bot.renew(taken[0].id)  # delivered: nobody's to deliver again
    first_bot.failed(taken[0].id, "Forbidden", permanent=True)  # nor does it undo that
    (row,) = [r for r in first_bot.rows() if r["id"] == taken[0].id]
    assert (row["status"], row["attempts"]) == ("delivered", 0)
    # a stopping bot gives back the leases of the rows it did not get to
    store.reply(ticket(store, "6").id, "mod", "hello again")
    left = first_bot.due("telegram")
    assert left and second_bot.due("telegram") == []
    first_bot.release()
    assert [i.id for i in second_bot.due("telegram")] == [i.id for i in left]


def test_leases_order_and_retries(store):
    check_leases_order_and_retries(store)


def test_a_lease_taken_over_is_left_alone(store):
    check_a_lease_taken_over_is_left_alone(store)


async def test_a_bot_whose_lease_was_taken_over_does_not_deliver(store):
    first_bot, second_bot = Outbox(store), Outbox(store)
    store.reply(ticket(store, "8").id, "mod", "hello")
    stale = first_bot.due("telegram")
    with store.sessions() as session:
        session.execute(update(OutboxRow).values(locked_until=datetime.now(UTC)))
        session.commit()
    assert second_bot.due("telegram")
    calls = []

    async def deliver(item):
        calls.append(item.id)

    for item in stale:
        await _deliver_one(first_bot, item, deliver)
    assert calls == []
    assert {r["status"] for r in first_bot.rows()} == {"pending"}  # the second bot's now


async def test_a_long_call_keeps_its_lease(store, monkeypatch):
    """A call that outlasts the lease (a rate-limited platform) keeps the row: another bot
    polling all the while never gets it, and it is delivered once."""
    monkeypatch.setattr(outbox_module, "LEASE", timedelta(seconds=2))
    monkeypatch.setattr(outbox_module, "RENEW_EVERY", timedelta(seconds=0.4))
    store.reply(ticket(store, "9").id, "mod", "hello")
    first_bot, second_bot = Outbox(store), Outbox(store)
    items = first_bot.due("telegram")
    reply = next(i for i in items if i.kind == "reply")
    stolen = []

    async def slow_deliver(item):
        for _ in range(15):  # 3 s, longer than the lease
            await asyncio.sleep(0.2)
            stolen.extend(await asyncio.to_thread(second_bot.due, "telegram"))

    await _deliver_one(first_bot, reply, slow_deliver)
    assert [i.id for i in stolen if i.id == reply.id] == []
    (row,) = [r for r in first_bot.rows() if r["id"] == reply.id]
    assert row["status"] == "delivered"


async def test_a_call_is_stopped_when_its_lease_is_lost(store, monkeypatch):
    """If the lease cannot be kept (here: the row was given to another bot while the
    database was unreachable), the call is stopped rather than finished twice."""
    monkeypatch.setattr(outbox_module, "LEASE", timedelta(seconds=2))
    monkeypatch.setattr(outbox_module, "RENEW_EVERY", timedelta(seconds=0.2))
    store.reply(ticket(store, "5").id, "mod", "hello")
    bot = Outbox(store)
    reply = next(i for i in bot.due("telegram") if i.kind == "reply")
    finished = []

    async def slow_deliver(item):
        with store.sessions() as session:  # another bot holds the row now
            session.execute(update(OutboxRow).values(lease_owner="another-bot"))
            session.commit()
        await asyncio.sleep(3)
        finished.append(item.id)

    await asyncio.wait_for(_deliver_one(bot, reply, slow_deliver), 2.5)
    assert finished == []
    (row,) = [r for r in bot.rows() if r["id"] == reply.id]
    assert (row["status"], row["attempts"]) == ("pending", 0)  # the other bot's to send


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


def test_ticket_links_are_replaced_in_the_texts_language():
    link = "https://desk.example/t/" + "A" * 32
    assert without_ticket_links(f"Rate it on your ticket page: {link}") == (
        "Rate it on your ticket page: [ticket link: sent privately only]"
    )
    assert (
        without_ticket_links(f"或在工单页面评分：{link}")
        == "或在工单页面评分：[工单链接仅私下发送]"
    )
    # a Chinese word in an English text does not switch the placeholder's language
    assert without_ticket_links(f"Your ticket about the 充值 page: {link}").endswith(
        "[ticket link: sent privately only]"
    )
