"""The desk in-process (starlette's TestClient over the real app and a real SQLite store):
ticket pages, the token as the only key, the guard on every form, login, CSRF, cookies,
the queue, claims, replies and closing through the outbox."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from bots.desk_cli import TicketPathFilter, read_password
from shared.accounts import Accounts, SessionRow, hash_password, verify_password
from shared.desk import DeskConfig, create_app
from shared.outbox import Outbox
from shared.tickets import TicketRow
from tests.conftest import DESK_PASSWORD

PASSWORD_LINE = "my password is Tr0ub4dor&3xyz"  # the guard removes it
SECRET = "Tr0ub4dor&3xyz"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def login(
    client: TestClient, name: str = "mod", password: str = DESK_PASSWORD, next_page: str = ""
):
    page = client.get("/login")
    data = {"name": name, "password": password, "csrf": csrf_of(page.text)}
    if next_page:
        data["next"] = next_page
    return client.post("/login", data=data, follow_redirects=False)


def open_ticket(store, *, language="en", platform="telegram", user="1001", transcript=None):
    ticket, _ = store.open_ticket(
        platform=platform,
        conversation_id=user,
        user_id=user,
        user_name="@alice",
        language=language,
        transcript=transcript
        if transcript is not None
        else [("user", "my withdrawal is stuck"), ("bot", "[answer withdrawal-time]")],
    )
    return ticket


# --- the member's page --------------------------------------------------------------------


def test_ticket_page_shows_the_redacted_conversation_and_status(desk):
    ticket = open_ticket(desk.store, transcript=[("user", "my password is [password removed]")])
    page = desk.get(f"/t/{ticket.token}")
    assert page.status_code == 200
    assert f"Ticket #{ticket.id}" in page.text
    assert "[password removed]" in page.text and "Open" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:-1],
        lambda t: t + "x",
        lambda t: t.upper(),
        lambda t: "",
        lambda t: "x" * 300,
    ],
    ids=["last-char", "shorter", "longer", "case", "empty", "huge"],
)
def test_an_altered_token_is_a_plain_404(desk, change):
    ticket = open_ticket(desk.store)
    page = desk.get(f"/t/{change(ticket.token)}")
    assert page.status_code == 404
    assert "withdrawal" not in page.text and f"#{ticket.id}" not in page.text
    assert ticket.token not in page.text


def test_adding_details_runs_the_guard_and_tells_the_member(desk):
    ticket = open_ticket(desk.store)
    page = desk.get(f"/t/{ticket.token}")
    sent = desk.post(
        f"/t/{ticket.token}",
        data={"text": f"TxID 0xabc123, {PASSWORD_LINE}", "csrf": csrf_of(page.text)},
    )
    assert sent.status_code == 200  # after the redirect
    assert "a secret was removed" in sent.text
    assert SECRET not in sent.text
    stored = [m.text for m in desk.store.messages(ticket.id)]
    assert stored[-1].startswith("TxID 0xabc123") and SECRET not in stored[-1]
    assert "[password removed]" in stored[-1]
    plain = desk.post(
        f"/t/{ticket.token}", data={"text": "It was on Tuesday", "csrf": csrf_of(sent.text)}
    )
    assert "Added to your ticket." in plain.text and "a secret was removed" not in plain.text


def test_the_ticket_page_speaks_chinese_for_a_chinese_ticket(desk):
    ticket = open_ticket(desk.store, language="zh", transcript=[("user", "我的提现没到账")])
    page = desk.get(f"/t/{ticket.token}")
    assert 'lang="zh-CN"' in page.text
    assert "工单" in page.text and "补充详情" in page.text and "我的提现没到账" in page.text
    sent = desk.post(
        f"/t/{ticket.token}", data={"text": "我的密码是 Abcdef123456!", "csrf": csrf_of(page.text)}
    )
    assert "敏感信息" in sent.text and "Abcdef123456!" not in sent.text


def test_every_post_needs_the_sessions_csrf_token(desk):
    ticket = open_ticket(desk.store)
    desk.get(f"/t/{ticket.token}")
    for data in ({"text": "hi"}, {"text": "hi", "csrf": "0" * 64}):
        refused = desk.post(f"/t/{ticket.token}", data=data)
        assert refused.status_code == 403
    other = TestClient(desk.app, base_url="http://127.0.0.1:8080")
    stolen = csrf_of(desk.get(f"/t/{ticket.token}").text)  # another browser's token
    assert other.post(f"/t/{ticket.token}", data={"text": "hi", "csrf": stolen}).status_code == 403
    assert login(other, password="x").status_code == 401  # the login form has one too
    assert other.post("/login", data={"name": "mod", "password": DESK_PASSWORD}).status_code == 403
    assert [m.text for m in desk.store.messages(ticket.id)][-1] != "hi"


def test_a_closed_ticket_takes_a_rating_once(desk):
    ticket = open_ticket(desk.store)
    desk.store.close(ticket.id)
    page = desk.get(f"/t/{ticket.token}")
    assert "closed" in page.text.lower() and 'name="stars"' in page.text
    assert 'name="text"' not in page.text
    rated = desk.post(f"/t/{ticket.token}/rate", data={"stars": "4", "csrf": csrf_of(page.text)})
    assert "★★★★☆" in rated.text and 'name="stars"' not in rated.text
    desk.post(f"/t/{ticket.token}/rate", data={"stars": "1", "csrf": csrf_of(page.text)})
    assert desk.store.get(ticket.id).rating == 4


def test_a_rating_that_was_not_saved_does_not_say_thank_you(desk):
    ticket = open_ticket(desk.store)
    page = desk.get(f"/t/{ticket.token}")
    early = desk.post(f"/t/{ticket.token}/rate", data={"stars": "5", "csrf": csrf_of(page.text)})
    assert "was not saved" in early.text  # still open
    desk.store.close(ticket.id)
    for stars in ("9", "-1", "0", "abc", "99999999999999999999", "²", "４"):
        refused = desk.post(
            f"/t/{ticket.token}/rate", data={"stars": stars, "csrf": csrf_of(page.text)}
        )
        assert refused.status_code == 200 and "was not saved" in refused.text, stars
    assert desk.store.get(ticket.id).rating is None
    rated = desk.post(f"/t/{ticket.token}/rate", data={"stars": "4", "csrf": csrf_of(page.text)})
    again = desk.post(f"/t/{ticket.token}/rate", data={"stars": "4", "csrf": csrf_of(page.text)})
    assert "★★★★☆" in rated.text and "★★★★☆" in again.text  # a double click: still thanked
    assert "was not saved" not in again.text and desk.store.get(ticket.id).rating == 4


SEED_12 = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def test_too_long_details_are_refused_whole_and_come_back_without_their_secret(desk):
    """Cut at 4,000 characters before the guard read it, a seed phrase lost its last words and
    the rest was stored as it was: now the whole text is scanned and a text over the limit is
    refused, with the words given back (secret removed) to be shortened."""
    ticket = open_ticket(desk.store)
    before = len(desk.store.messages(ticket.id))
    page = desk.get(f"/t/{ticket.token}")
    head = "my seed phrase is " + " ".join(SEED_12.split()[:10])
    text = "a" * (4000 - len(head) - 1) + " " + head + " access accident"
    refused = desk.post(f"/t/{ticket.token}", data={"text": text, "csrf": csrf_of(page.text)})
    assert refused.status_code == 400 and "at most 4,000 characters" in refused.text
    assert "absurd abuse" not in refused.text and "[seed phrase removed]" in refused.text
    assert len(desk.store.messages(ticket.id)) == before
    # line breaks count once, as the browser counts them against maxlength
    lines = "\r\n".join(f"line {i:03d} " + "x" * 13 for i in range(170))  # 3,909 typed
    sent = desk.post(f"/t/{ticket.token}", data={"text": lines, "csrf": csrf_of(page.text)})
    assert "Added to your ticket." in sent.text
    assert desk.store.messages(ticket.id)[-1].text == lines.replace("\r\n", "\n")


def test_a_too_long_reply_is_refused_whole_and_comes_back(desk):
    ticket = open_ticket(desk.store)
    assert login(desk).status_code == 303
    page = desk.get(f"/queue/{ticket.id}")
    text = "word " * 900  # 4,500 characters
    refused = desk.post(
        f"/queue/{ticket.id}/reply", data={"text": text, "csrf": csrf_of(page.text)}
    )
    assert refused.status_code == 400 and "at most 4,000 characters" in refused.text
    assert refused.text.count("word word") > 400  # the reply is in the form again
    assert [r for r in Outbox(desk.store).rows(ticket_id=ticket.id) if r["kind"] == "reply"] == []


def test_ticket_ids_beyond_the_database_are_not_found(desk):
    assert login(desk).status_code == 303
    page = desk.get("/queue")
    for ticket_id in ("9223372036854775808", "99999999999999999999999", "2147483648"):
        assert desk.get(f"/queue/{ticket_id}").status_code == 404
        posted = desk.post(
            f"/queue/{ticket_id}/reply", data={"text": "hi", "csrf": csrf_of(page.text)}
        )
        assert posted.status_code == 404


def test_the_queue_pages_through_every_ticket(desk):
    from shared.desk.app import QUEUE_LIMIT

    tickets = [open_ticket(desk.store, user=f"u{i}") for i in range(QUEUE_LIMIT + 5)]
    assert login(desk).status_code == 303
    first = desk.get("/queue")
    shown = set(re.findall(r'href="/queue/(\d+)"', first.text))
    assert len(shown) == QUEUE_LIMIT and "page=2" in first.text
    second = desk.get("/queue?status=open&page=2")
    shown |= set(re.findall(r'href="/queue/(\d+)"', second.text))
    assert shown == {str(t.id) for t in tickets}  # the oldest ones too
    assert "page=3" not in second.text and "page=1" in second.text
    for odd in ("abc", "999999999999", "%C2%B2", "-1", "0"):
        assert desk.get(f"/queue?page={odd}").status_code == 200, odd
    beyond = desk.get("/queue?page=50")  # past the end: empty, with a way back
    assert "page=49" in beyond.text


def test_the_queue_shows_the_ticket_written_in_last_first_when_asked(desk):
    old, middle, new = (open_ticket(desk.store, user=f"u{i}") for i in range(3))
    assert desk.store.add_message(old.id, "user", "any news? it has been two days")
    login(desk)

    def order(query: str) -> list[int]:
        return [int(n) for n in re.findall(r'href="/queue/(\d+)"', desk.get(query).text)]

    assert order("/queue") == [new.id, middle.id, old.id]
    assert order("/queue?sort=activity") == [old.id, new.id, middle.id]
    assert order("/queue?sort=waiting") == [middle.id, new.id, old.id]
    assert order("/queue?sort=nonsense") == [new.id, middle.id, old.id]


# --- nothing without a login --------------------------------------------------------------


def test_nothing_is_shown_without_a_login(desk):
    ticket = open_ticket(desk.store)
    for path in ("/", "/queue", f"/queue/{ticket.id}", "/queue?status=all", "/nothing"):
        page = desk.get(path)
        assert "withdrawal" not in page.text and "@alice" not in page.text, path
        assert page.url.path in ("/login", path)
    assert desk.get("/queue", follow_redirects=False).headers["location"] == "/login?next=%2Fqueue"
    for action in ("claim", "reply", "close"):
        posted = desk.post(
            f"/queue/{ticket.id}/{action}", data={"text": "x"}, follow_redirects=False
        )
        if action == "reply":  # the form's CSRF check comes first (see the next test)
            assert posted.status_code == 403
        else:  # to the login, and from there back to the ticket
            assert posted.status_code == 303
            assert posted.headers["location"] == f"/login?next=%2Fqueue%2F{ticket.id}"
    assert desk.store.get(ticket.id).status == "open"
    assert not [r for r in Outbox(desk.store).rows() if r["kind"] != "announce"]


def test_a_reply_typed_as_the_session_ran_out_comes_back_with_the_login(desk):
    ticket = open_ticket(desk.store)
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")
    with desk.store.sessions() as session:  # the session ends (12 hours later)
        session.execute(update(SessionRow).values(expires_at=datetime.now(UTC)))
        session.commit()
    typed = f"We found it. {PASSWORD_LINE}"
    posted = desk.post(
        f"/queue/{ticket.id}/reply", data={"text": typed, "csrf": csrf_of(page.text)}
    )
    assert posted.status_code == 401 and "Your session ended" in posted.text
    assert "We found it." in posted.text and SECRET not in posted.text
    assert not [m for m in desk.store.messages(ticket.id) if m.author == "moderator"]
    # the login leads back to the ticket
    again = login(desk, next_page=f"/queue/{ticket.id}")
    assert again.status_code == 303 and again.headers["location"] == f"/queue/{ticket.id}"
    # and never to another site
    assert login(desk, next_page="https://evil.example/").headers["location"] == "/queue"


def test_login_is_rate_limited_per_name_and_address(desk):
    for _ in range(5):
        assert login(desk, password="wrong password").status_code == 401
    assert login(desk).status_code == 429  # even the right password, for a while
    assert login(desk, name="someone-else", password="wrong").status_code == 401
    moment = datetime.now(UTC) - timedelta(minutes=16)
    from shared.accounts import LoginFailureRow

    with desk.store.sessions() as session:
        session.execute(update(LoginFailureRow).values(at=moment))
        session.commit()
    assert login(desk).status_code == 303


def test_a_password_typed_into_the_name_field_is_not_stored(desk):
    from shared.accounts import LoginFailureRow

    assert login(desk, name=DESK_PASSWORD, password="x").status_code == 401
    with desk.store.sessions() as session:
        names = [row.name for row in session.query(LoginFailureRow)]
    assert len(names) == 1 and DESK_PASSWORD not in names[0]
    for _ in range(4):  # and it still counts against the limit
        login(desk, name=DESK_PASSWORD, password="x")
    assert login(desk, name=DESK_PASSWORD, password="x").status_code == 429


def test_session_cookie_flags_and_logout(desk, settings, desk_store):
    answer = login(desk)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    queue = desk.get("/queue")
    assert queue.status_code == 200 and "Queue" in queue.text
    desk.post("/logout", data={"csrf": csrf_of(queue.text)})
    assert desk.get("/queue", follow_redirects=False).status_code == 303
    settings.public_url = "https://support.example"
    app = create_app(settings, store=desk_store, config=DeskConfig(idle_hours=None))
    with TestClient(app, base_url="https://support.example") as secure:
        assert "Secure" in secure.get("/login").headers["set-cookie"]


def test_passwords_are_scrypt_hashes(desk_store):
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("scrypt$") and "a long passphrase" not in hashed
    assert verify_password("a long passphrase", hashed)
    assert not verify_password("a long passphrasE", hashed)
    assert hash_password("a long passphrase") != hashed  # salted
    with pytest.raises(ValueError):
        Accounts(desk_store).add("x y", "a long passphrase")
    with pytest.raises(ValueError):
        Accounts(desk_store).add("short", "short")
    with pytest.raises(ValueError):  # longer than the login reads: it could never log in
        Accounts(desk_store).add("long", "x" * 1025)


def test_add_moderator_reads_the_password_from_stdin():
    assert read_password(io.StringIO("s3cret passphrase\nignored\n")) == "s3cret passphrase"


# --- the queue --------------------------------------------------------------------------------


def test_queue_lists_filters_claims_replies_and_closes(desk):
    first = open_ticket(desk.store, user="1001")
    second = open_ticket(desk.store, user="1002", platform="discord", language="zh")
    login(desk)
    queue = desk.get("/queue")
    assert f"#{first.id}" in queue.text and f"#{second.id}" in queue.text
    assert first.token not in queue.text  # moderators work by id; the member's key stays theirs
    only_discord = desk.get("/queue?platform=discord")
    assert f'href="/queue/{second.id}"' in only_discord.text
    assert f'href="/queue/{first.id}"' not in only_discord.text

    page = desk.get(f"/queue/{first.id}")
    assert "my withdrawal is stuck" in page.text and first.token not in page.text
    claimed = desk.post(
        f"/queue/{first.id}/claim", data={"action": "claim", "csrf": csrf_of(page.text)}
    )
    assert "Claimed." in claimed.text and desk.store.get(first.id).claimed_by == "mod"
    mine = desk.get("/queue?claim=mine")
    assert f'href="/queue/{first.id}"' in mine.text
    assert f'href="/queue/{second.id}"' not in mine.text

    replied = desk.post(
        f"/queue/{first.id}/reply",
        data={"text": "We found it; it arrives within the hour.", "csrf": csrf_of(page.text)},
    )
    assert "Reply queued" in replied.text
    messages = desk.store.messages(first.id)
    assert (messages[-1].author, messages[-1].author_name) == ("moderator", "mod")
    rows = [r for r in Outbox(desk.store).rows(ticket_id=first.id) if r["kind"] == "reply"]
    assert len(rows) == 1 and "arrives within the hour" in rows[0]["text"]
    assert desk.store.url_for(first) in rows[0]["text"]

    careless = desk.post(
        f"/queue/{first.id}/reply", data={"text": PASSWORD_LINE, "csrf": csrf_of(page.text)}
    )
    assert "secret was removed" in careless.text
    assert all(SECRET not in r["text"] for r in Outbox(desk.store).rows())

    closed = desk.post(f"/queue/{first.id}/close", data={"csrf": csrf_of(page.text)})
    assert "Closed" in closed.text and desk.store.get(first.id).status == "closed"
    kinds = [r["kind"] for r in Outbox(desk.store).rows(ticket_id=first.id)]
    assert kinds == ["announce", "reply", "reply", "rating"]
    again = desk.post(f"/queue/{first.id}/reply", data={"text": "hi", "csrf": csrf_of(page.text)})
    # closed meanwhile: not sent, and the words come back to be copied
    assert again.status_code == 409 and "Not sent: the ticket was closed" in again.text
    assert ">hi</textarea>" in again.text
    assert desk.get("/queue?status=closed").text.count('href="/queue/') == 1


def test_a_desk_sees_only_its_own_tickets(settings, desk_store):
    telegram = open_ticket(desk_store, platform="telegram")
    discord = open_ticket(desk_store, platform="discord", user="2002")
    Accounts(desk_store).add("mod", DESK_PASSWORD)
    config = DeskConfig(idle_hours=None, platforms=("discord",))
    app = create_app(settings, store=desk_store, config=config)
    with TestClient(app) as client:
        login(client)
        queue = client.get("/queue")
        assert f'href="/queue/{discord.id}"' in queue.text
        assert f'href="/queue/{telegram.id}"' not in queue.text
        assert client.get(f"/queue/{telegram.id}").status_code == 404
        assert client.get(f"/t/{telegram.token}").status_code == 404
        assert client.get(f"/t/{discord.token}").status_code == 200


def test_idle_tickets_close_and_ask_for_a_rating(desk_store):
    idle = open_ticket(desk_store, user="1")  # support answered; the member went quiet
    assert desk_store.reply(idle.id, "mod", "Which network did you use?")
    fresh = open_ticket(desk_store, user="2", language="zh")
    unanswered = open_ticket(desk_store, user="3")  # waiting for support all along
    answered_back = open_ticket(desk_store, user="4")  # the member answered; support's turn
    assert desk_store.reply(answered_back.id, "mod", "Which network?")
    assert desk_store.add_message(answered_back.id, "user", "TRC20")
    with desk_store.sessions() as session:
        old = datetime.now(UTC) - timedelta(hours=30)
        waiting = [idle.id, unanswered.id, answered_back.id]
        session.execute(update(TicketRow).where(TicketRow.id.in_(waiting)).values(updated_at=old))
        session.commit()
    assert desk_store.close_idle(24) == [idle.id]
    assert desk_store.close_idle(24) == []
    assert desk_store.get(idle.id).close_reason == "idle"
    for ticket in (fresh, unanswered, answered_back):
        assert desk_store.get(ticket.id).status == "open"
    rating = [r for r in Outbox(desk_store).rows() if r["kind"] == "rating"]
    assert len(rating) == 1 and "24 hours" in rating[0]["text"]
    assert desk_store.url_for(idle) in rating[0]["text"]


def test_a_colleagues_claim_is_taken_over_only_on_purpose(desk):
    ticket = open_ticket(desk.store)
    Accounts(desk.store).add("bob", DESK_PASSWORD)
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")  # loaded while nobody had it
    assert desk.store.claim(ticket.id, "bob")  # bob clicks first
    late = desk.post(
        f"/queue/{ticket.id}/claim", data={"action": "claim", "csrf": csrf_of(page.text)}
    )
    assert "A colleague claimed this ticket first" in late.text
    assert desk.store.get(ticket.id).claimed_by == "bob"
    assert 'value="take_over"' in late.text and "(bob)" in late.text
    # releasing is for the holder only
    released = desk.post(
        f"/queue/{ticket.id}/claim", data={"action": "release", "csrf": csrf_of(page.text)}
    )
    assert desk.store.get(ticket.id).claimed_by == "bob" and "first" in released.text
    taken = desk.post(
        f"/queue/{ticket.id}/claim", data={"action": "take_over", "csrf": csrf_of(page.text)}
    )
    assert "Claimed." in taken.text and desk.store.get(ticket.id).claimed_by == "mod"


def test_details_sent_to_a_ticket_closed_meanwhile_come_back(desk):
    ticket = open_ticket(desk.store)
    page = desk.get(f"/t/{ticket.token}")  # the member's page, open in a tab
    assert desk.store.close(ticket.id)  # a moderator closes it
    sent = desk.post(
        f"/t/{ticket.token}",
        data={"text": f"TRC20, txid 7f3a. {PASSWORD_LINE}", "csrf": csrf_of(page.text)},
    )
    assert sent.status_code == 409 and "the ticket was closed before" in sent.text
    assert "TRC20, txid 7f3a." in sent.text and SECRET not in sent.text
    assert "TRC20" not in " ".join(m.text for m in desk.store.messages(ticket.id))


def test_a_reply_loses_to_a_close_that_lands_first(desk_store):
    ticket = open_ticket(desk_store)
    assert desk_store.close(ticket.id, ask_rating=True)
    assert not desk_store.reply(ticket.id, "mod", "late answer")
    assert not [m for m in desk_store.messages(ticket.id) if m.author == "moderator"]
    assert [r["kind"] for r in Outbox(desk_store).rows(ticket_id=ticket.id)] == [
        "announce",
        "rating",
    ]
    assert desk_store.get(ticket.id).claimed_by is None


def test_an_idle_close_loses_to_the_members_message(desk_store):
    """The member writes between the sweep's read and its close: the ticket stays open."""
    ticket = open_ticket(desk_store, user="1")
    assert desk_store.reply(ticket.id, "mod", "Which network did you use?")
    cutoff = datetime.now(UTC) - timedelta(hours=1)
    with desk_store.sessions() as session:
        old = cutoff - timedelta(hours=1)
        session.execute(update(TicketRow).where(TicketRow.id == ticket.id).values(updated_at=old))
        session.commit()
    assert desk_store.add_message(ticket.id, "user", "TRC20")  # after the sweep read it
    assert not desk_store.close(ticket.id, reason="idle", before=cutoff)
    assert desk_store.get(ticket.id).status == "open"


def test_ticket_paths_are_scrubbed_from_log_records():
    import logging

    record = logging.LogRecord(
        "uvicorn.access", 20, "", 0, '"GET /t/%s HTTP/1.1" 200', ("abcDEF_-123",), None
    )
    TicketPathFilter().filter(record)
    assert record.getMessage() == '"GET /t/[token] HTTP/1.1" 200'


def test_a_moderator_changes_their_own_password(desk):
    from fastapi.testclient import TestClient

    assert login(desk).status_code == 303
    other = TestClient(desk.app, base_url="http://127.0.0.1:8080")  # a second browser
    assert login(other).status_code == 303
    assert other.get("/queue", follow_redirects=False).status_code == 200

    def change(current, new, again=None):
        page = desk.get("/password")
        assert page.status_code == 200 and "Change password" in page.text
        return desk.post(
            "/password",
            data={
                "current": current,
                "new": new,
                "again": new if again is None else again,
                "csrf": csrf_of(page.text),
            },
            follow_redirects=False,
        )

    new_password = "a much better passphrase"
    assert change("wrong password", new_password).status_code == 401
    assert change(DESK_PASSWORD, new_password, again="something else").status_code == 400
    assert change(DESK_PASSWORD, "short").status_code == 400
    too_long = change(DESK_PASSWORD, "y" * 1025)  # longer than a login reads: refused, not cut
    assert too_long.status_code == 400 and "at most 1,024 characters" in too_long.text
    assert login(TestClient(desk.app), password=DESK_PASSWORD).status_code == 303  # unchanged
    done = change(DESK_PASSWORD, new_password)
    assert done.status_code == 303 and "password_changed" in done.headers["location"]
    assert "Password changed" in desk.get(done.headers["location"]).text  # still logged in
    assert other.get("/queue", follow_redirects=False).status_code == 303  # logged out there
    fresh = TestClient(desk.app, base_url="http://127.0.0.1:8080")
    assert login(fresh, password=DESK_PASSWORD).status_code == 401
    assert login(fresh, password=new_password).status_code == 303
    # without the CSRF token nothing changes
    token_less = desk.post("/password", data={"current": new_password, "new": "x" * 12})
    assert token_less.status_code == 403


def test_wrong_current_passwords_count_as_failed_logins(desk):
    assert login(desk).status_code == 303
    page = desk.get("/password")
    for _ in range(5):
        wrong = desk.post(
            "/password",
            data={
                "current": "guess",
                "new": "y" * 12,
                "again": "y" * 12,
                "csrf": csrf_of(page.text),
            },
        )
        assert wrong.status_code == 401
    limited = desk.post(
        "/password",
        data={
            "current": DESK_PASSWORD,
            "new": "y" * 12,
            "again": "y" * 12,
            "csrf": csrf_of(page.text),
        },
    )
    assert limited.status_code == 429


def test_changing_a_password_never_wakes_a_disabled_account(desk):
    from shared.accounts import Accounts

    accounts = Accounts(desk.store)
    accounts.disable("mod")
    assert accounts.change_password("mod", "another long password") is None
    assert ("mod", False) in accounts.names()
    assert login(desk, password="another long password").status_code == 401


def test_a_reply_to_a_command_line_ticket_says_nobody_receives_it(desk):
    ticket = open_ticket(desk.store, platform="cli")
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")
    assert "no bot delivers them" in page.text
    replied = desk.post(
        f"/queue/{ticket.id}/reply", data={"text": "Found it.", "csrf": csrf_of(page.text)}
    )
    assert "Nobody receives it" in replied.text and "queued for delivery" not in replied.text
    assert not [r for r in Outbox(desk.store).rows() if r["kind"] == "reply"]


def test_a_double_clicked_reply_reaches_the_member_once(desk):
    ticket = open_ticket(desk.store)
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")
    posted = [
        desk.post(
            f"/queue/{ticket.id}/reply", data={"text": "Found it.", "csrf": csrf_of(page.text)}
        )
        for _ in range(2)
    ]
    assert "Reply queued" in posted[0].text and "Not sent again" in posted[1].text
    assert len([r for r in Outbox(desk.store).rows() if r["kind"] == "reply"]) == 1
    assert [m.text for m in desk.store.messages(ticket.id)].count("Found it.") == 1
    # another text is a new reply
    desk.post(f"/queue/{ticket.id}/reply", data={"text": "And now?", "csrf": csrf_of(page.text)})
    assert len([r for r in Outbox(desk.store).rows() if r["kind"] == "reply"]) == 2


def test_closing_asks_first_and_a_closed_ticket_can_be_reopened(desk):
    ticket = open_ticket(desk.store)
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")
    assert 'name="confirm" value="close"' in page.text  # the first click only asks
    asked = desk.get(f"/queue/{ticket.id}?confirm=close")
    assert "Close this ticket?" in asked.text and desk.store.get(ticket.id).status == "open"
    assert f'action="/queue/{ticket.id}/close"' in asked.text
    desk.post(f"/queue/{ticket.id}/close", data={"csrf": csrf_of(asked.text)})
    closed = desk.get(f"/queue/{ticket.id}")
    assert f'action="/queue/{ticket.id}/reopen"' in closed.text
    reopened = desk.post(f"/queue/{ticket.id}/reopen", data={"csrf": csrf_of(closed.text)})
    assert "Reopened." in reopened.text and desk.store.get(ticket.id).status == "open"
    assert desk.store.get(ticket.id).closed_at is None
    # the member's messages join it again
    assert desk.store.add_message(ticket.id, "user", "thanks, one more thing")
    # not when the member opened another ticket in the same chat meanwhile
    desk.store.close(ticket.id)
    newer = open_ticket(desk.store)
    assert newer.id != ticket.id
    page = desk.get(f"/queue/{ticket.id}")
    refused = desk.post(f"/queue/{ticket.id}/reopen", data={"csrf": csrf_of(page.text)})
    assert "Not reopened" in refused.text and desk.store.get(ticket.id).status == "closed"


def test_a_staff_note_is_on_the_moderators_page_only(desk):
    ticket = open_ticket(desk.store)
    assert desk.store.add_message(ticket.id, "note", "Escalated: VIP, refund urgent", "mod")
    assert "VIP, refund urgent" not in desk.get(f"/t/{ticket.token}").text
    login(desk)
    page = desk.get(f"/queue/{ticket.id}")
    assert "VIP, refund urgent" in page.text and "Staff note" in page.text


def test_a_staff_note_does_not_keep_a_ticket_from_closing_as_idle(desk_store):
    ticket = open_ticket(desk_store, user="1")
    assert desk_store.reply(ticket.id, "mod", "Which network did you use?")
    with desk_store.sessions() as session:
        old = datetime.now(UTC) - timedelta(hours=30)
        session.execute(update(TicketRow).where(TicketRow.id == ticket.id).values(updated_at=old))
        session.commit()
    assert desk_store.add_message(ticket.id, "note", "Escalated: VIP", "mod2")
    assert desk_store.close_idle(24) == [ticket.id]
