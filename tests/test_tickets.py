"""TicketStore on a real SQLite file: tokens, idempotent opening, messages, feedback."""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from shared.tickets import FeedbackRow, TicketStore

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'data' / 'tickets.sqlite3'}"


@pytest.fixture
def store(db_url):
    store = TicketStore(db_url, "https://support.example/")
    yield store
    store.dispose()


def open_for(store, user="u1", conversation="c1", platform="telegram", **fields):
    return store.open_ticket(
        platform=platform, conversation_id=conversation, user_id=user, **fields
    )


def test_the_database_file_and_its_folder_are_created(tmp_path, store):
    assert (tmp_path / "data" / "tickets.sqlite3").is_file()


def test_token_carries_at_least_128_random_bits(store):
    tokens = {open_for(store, user=f"u{i}")[0].token for i in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert URL_SAFE.match(token)
        assert len(token) * math.log2(64) >= 128
    # Random, not a counter or a hash of the ids: the characters are spread out.
    assert len(set("".join(tokens))) > 40


def test_ticket_url_is_the_public_url_and_the_token(store):
    ticket, _ = open_for(store)
    assert store.url_for(ticket) == f"https://support.example/t/{ticket.token}"


def test_by_token_finds_the_ticket_only_with_the_exact_token(store):
    ticket, _ = open_for(store)
    assert store.by_token(ticket.token).id == ticket.id
    altered = ticket.token[:-1] + ("A" if ticket.token[-1] != "A" else "B")
    for wrong in (
        altered,
        ticket.token.swapcase(),
        ticket.token[:-1],
        ticket.token + "x",
        "",
        "x" * 200,
        str(ticket.id),
    ):
        assert store.by_token(wrong) is None, wrong


def test_opening_twice_for_the_same_member_gives_the_same_ticket(store):
    first, created = open_for(store, transcript=[("user", "hello")])
    again, created_again = open_for(store, transcript=[("user", "hello again")])
    assert created and not created_again
    assert again.id == first.id and again.token == first.token
    assert [m.text for m in store.messages(first.id)] == ["hello"]


def test_each_platform_conversation_and_user_gets_its_own_ticket(store):
    base, _ = open_for(store)
    others = [
        open_for(store, user="u2")[0],
        open_for(store, conversation="c2")[0],
        open_for(store, platform="discord")[0],
    ]
    assert len({base.id, *(t.id for t in others)}) == 4


def test_concurrent_opens_from_two_processes_give_one_ticket(db_url):
    stores = [TicketStore(db_url), TicketStore(db_url)]
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: open_for(stores[i % 2]), range(16)))
        assert len({t.id for t, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        assert len(stores[0].tickets("open")) == 1
    finally:
        for s in stores:
            s.dispose()


def test_a_closed_ticket_lets_a_new_one_open(store):
    first, _ = open_for(store)
    store.close(first.id)
    assert store.find_open("telegram", "c1", "u1") is None
    second, created = open_for(store)
    assert created and second.id != first.id and second.token != first.token
    assert store.find_open("telegram", "c1", "u1").id == second.id
    assert store.by_token(first.token).status == "closed"


def test_ticket_keeps_its_fields(store):
    ticket, _ = open_for(
        store,
        user_name="Alice",
        language="zh",
        category="funds",
        reason="moderator",
        escalated_by="mod-7",
    )
    stored = store.by_token(ticket.token)
    assert (stored.user_name, stored.language, stored.category) == ("Alice", "zh", "funds")
    assert (stored.reason, stored.escalated_by, stored.status) == ("moderator", "mod-7", "open")
    assert stored.created_at is not None


def test_messages_come_back_in_order_transcript_first(store):
    ticket, _ = open_for(store, transcript=[("user", "one"), ("bot", "[answer x]")])
    store.add_message(ticket.id, "user", "three")
    store.add_message(ticket.id, "moderator", "four")
    messages = store.messages(ticket.id)
    assert [(m.author, m.text) for m in messages] == [
        ("user", "one"),
        ("bot", "[answer x]"),
        ("user", "three"),
        ("moderator", "four"),
    ]
    assert store.messages(ticket.id + 1000) == []


def test_a_closed_ticket_takes_no_more_messages(store):
    """A message that arrives as a moderator closes the ticket must not land where nobody
    reads it: the caller is told, and opens a new ticket instead."""
    ticket, _ = open_for(store)
    assert store.add_message(ticket.id, "user", "still there?")
    assert store.close(ticket.id)
    assert not store.add_message(ticket.id, "user", "hello?")
    assert not store.add_message(ticket.id + 1000, "user", "no such ticket")
    assert [m.text for m in store.messages(ticket.id)] == ["still there?"]


def test_tickets_can_be_filtered_by_status_newest_first(store):
    a, _ = open_for(store, user="a")
    b, _ = open_for(store, user="b")
    c, _ = open_for(store, user="c")
    store.close(b.id)
    assert [t.id for t in store.tickets()] == [c.id, b.id, a.id]
    assert [t.id for t in store.tickets("open")] == [c.id, a.id]
    assert [t.id for t in store.tickets("closed")] == [b.id]


def test_feedback_rows_are_stored(store):
    store.add_feedback(
        platform="discord", entry_id="reset-password", helpful=True, question="q1", language="en"
    )
    store.add_feedback(
        platform="telegram", entry_id="lost-2fa", helpful=False, question="问", language="zh"
    )
    with store.sessions() as session:
        rows = session.scalars(select(FeedbackRow).order_by(FeedbackRow.id)).all()
        got = [(r.platform, r.entry_id, r.helpful, r.question, r.language) for r in rows]
    assert got == [
        ("discord", "reset-password", True, "q1", "en"),
        ("telegram", "lost-2fa", False, "问", "zh"),
    ]


def test_tickets_survive_a_new_store_on_the_same_file(db_url, store):
    ticket, _ = open_for(store, transcript=[("user", "kept")])
    reopened = TicketStore(db_url)
    try:
        assert reopened.by_token(ticket.token).id == ticket.id
        assert [m.text for m in reopened.messages(ticket.id)] == ["kept"]
        assert open_for(reopened)[1] is False
    finally:
        reopened.dispose()


def test_a_rating_from_a_chat_counts_only_from_the_tickets_member(store):
    ticket, _ = open_for(store)  # telegram, conversation c1, member u1
    assert not store.rate(ticket.id, 4, platform="telegram", user_id="u1")  # still open
    store.close(ticket.id)
    assert not store.rate(ticket.id, 4, platform="telegram", user_id="u2")
    assert not store.rate(ticket.id, 4, platform="discord", user_id="u1")
    assert not store.rate(ticket.id, 6, platform="telegram", user_id="u1")
    assert store.rate(ticket.id, 4, platform="telegram", user_id="u1")
    assert not store.rate(ticket.id, 2, platform="telegram", user_id="u1")  # once
    assert store.get(ticket.id).rating == 4


def test_a_database_error_does_not_quote_the_members_words_or_a_token(store):
    """Tracebacks get logged: the statement's values must not be in the error's text."""
    ticket, _ = open_for(store)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE ticket_messages")
    with pytest.raises(Exception) as failure:
        store.add_message(ticket.id, "user", "the deposit never arrived")
    assert "ticket_messages" in str(failure.value)  # the error is the one we caused
    assert "deposit" not in str(failure.value)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE tickets")
    with pytest.raises(Exception) as failure:
        store.by_token(ticket.token)
    assert "tickets" in str(failure.value)
    assert ticket.token not in str(failure.value)


# --- members known to hold open tickets (shared/ticket_holders.py) ---------------------------


def count_queries(store) -> list[str]:
    """Every statement the store's engine runs from now on."""
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_a_member_without_a_ticket_costs_no_query_while_the_set_is_fresh(store):
    assert store.find_open("telegram", "c1", "u1") is None  # the first look reads the set
    queries = count_queries(store)
    for i in range(20):
        assert store.find_open("telegram", "c1", f"u{i}") is None
    assert queries == []
    ticket, _ = open_for(store, user="u7")
    assert store.find_open("telegram", "c1", "u7") == ticket  # known at once, this process


def test_tickets_opened_or_closed_by_another_process_are_known_after_a_refresh(db_url, store):
    other = TicketStore(db_url, "https://support.example/")  # another bot on the same database
    try:
        assert store.find_open("telegram", "c1", "u1") is None
        ticket, _ = open_for(other, user="u1")
        # within the refresh time this process may not know it yet; after it, it does
        store.holders.refresh_seconds = 0.0
        assert store.find_open("telegram", "c1", "u1") == ticket
        assert other.close(ticket.id)
        assert store.find_open("telegram", "c1", "u1") is None
        store.holders.refresh_seconds = 60.0
        queries = count_queries(store)
        assert store.find_open("telegram", "c1", "u1") is None  # left the set with its close
        assert queries == []
    finally:
        other.dispose()


def test_a_ticket_opened_while_the_set_is_read_is_not_forgotten():
    from shared.ticket_holders import OpenTicketHolders

    holders: OpenTicketHolders

    def slow_read() -> set[tuple[str, str]]:
        holders.add("telegram", "u1")  # opened after the read began: the read misses it
        return set()

    holders = OpenTicketHolders(slow_read)
    holders.refresh_if_stale()
    assert not holders.surely_none("telegram", "u1")
    assert holders.surely_none("telegram", "u2")
    holders = OpenTicketHolders(lambda: set(), refresh_seconds=0.0)
    holders.refresh_if_stale()
    assert not holders.surely_none("telegram", "u2")  # stale at once: ask the database


def test_a_reread_of_the_set_while_a_ticket_is_written_does_not_hide_it(store):
    """A re-read that starts after the member was added but reads before the ticket is
    committed must not leave the member out (their messages would not join the ticket)."""
    import threading

    now = [1000.0]
    store.holders._clock = lambda: now[0]
    assert store.find_open("telegram", "c0", "someone") is None  # the set is read: empty
    now[0] += store.holders.refresh_seconds + 1  # stale
    announce = store._announce

    def announce_while_another_message_looks(session, row):  # after the insert, before commit
        announce(session, row)
        other = threading.Thread(target=store.find_open, args=("telegram", "c9", "other"))
        other.start()
        other.join()

    store._announce = announce_while_another_message_looks
    ticket, created = open_for(store, user="42")
    assert created
    assert store.find_open("telegram", "c1", "42") == ticket
