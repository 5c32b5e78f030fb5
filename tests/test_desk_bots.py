"""A moderator's reply in the desk reaches the member through the real python-telegram-bot
and discord.py (against the local fakes), through the outbox; the member's answer joins the
ticket; new tickets are announced to the staff chat with a desk link and no token."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bots.discord_bot import DiscordOptions, apply_urls
from bots.discord_bot import serve as serve_discord
from bots.telegram_bot import serve as serve_telegram
from shared.outbox import Outbox
from shared.settings import Settings
from shared.tickets import TicketRow
from tests.conftest import MINI_KB
from tests.fake_discord import FakeDiscord
from tests.fake_telegram import GROUP, OTHER_USER, USER, FakeTelegram
from tests.test_desk import csrf_of, login

TG_STAFF = -1009876543210
DISCORD_STAFF = 800000000000000099
DISCORD_TOKEN = "fake-token-AbCdEf.0123456789"


async def until(predicate, timeout: float = 20.0, step: float = 0.05):
    """Wait until predicate() (called in a thread: it may read the database) is truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await asyncio.to_thread(predicate)
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(step)


def desk_reply(desk, ticket_id: int, text: str) -> None:
    if desk.get("/queue", follow_redirects=False).status_code != 200:
        assert login(desk).status_code == 303
    page = desk.get(f"/queue/{ticket_id}")
    done = desk.post(f"/queue/{ticket_id}/reply", data={"text": text, "csrf": csrf_of(page.text)})
    assert "Reply queued" in done.text


def ticket_id_in(text: str, store) -> int:
    token = re.search(r"/t/([A-Za-z0-9_-]+)", text).group(1)
    return store.by_token(token).id


async def handed_off(fake: FakeTelegram, store) -> int:
    """The id of the ticket whose link the bot just sent (a hand-off on Telegram)."""
    handoff = await fake.wait_call("sendMessage", lambda c: "/t/" in c.params["text"])
    return ticket_id_in(handoff.params["text"], store)


def outbox_settled(store) -> bool:
    """Nothing waits in the outbox (the staff announcement of a new ticket went out)."""
    return all(r["status"] != "pending" for r in Outbox(store).rows())


@pytest.fixture
def fast_outbox(monkeypatch):
    monkeypatch.setenv("SUPPORTBOT_OUTBOX_INTERVAL", "0.1")
    monkeypatch.setenv("SUPPORTBOT_TICKET_IDLE_HOURS", "off")


# --- Telegram -----------------------------------------------------------------------------------


@pytest.fixture
async def telegram(make_pipeline, settings: Settings, monkeypatch, fast_outbox):
    fake = await FakeTelegram().start()
    monkeypatch.setenv("TELEGRAM_POLL_TIMEOUT", "1")
    monkeypatch.setenv("TELEGRAM_STAFF_CHAT", str(TG_STAFF))
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_FILE_URL", "TELEGRAM_ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    settings.telegram_token = fake.token
    settings.telegram_api_url = fake.api_url
    pipeline = await make_pipeline(MINI_KB)
    running: dict = {}

    async def start():
        stop = asyncio.Event()
        task = asyncio.create_task(serve_telegram(pipeline, settings, stop))
        await fake.wait_polls(1, timeout=30)
        running.update(stop=stop, task=task)

    async def halt():
        running["stop"].set()
        await asyncio.wait_for(running.pop("task"), 20)

    fake.start_bot, fake.stop_bot, fake.pipeline = start, halt, pipeline
    await start()
    yield fake
    if "task" in running:
        await halt()
    await fake.stop()


async def test_telegram_reply_from_the_desk_reaches_the_member_and_the_answer_joins(
    telegram: FakeTelegram, desk
):
    fake, store = telegram, desk.store
    fake.send_private("I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    token = store.get(ticket_id).token

    staff = await fake.wait_call("sendMessage", lambda c: int(c.params["chat_id"]) == TG_STAFF)
    assert f"/queue/{ticket_id}" in staff.params["text"] and token not in staff.params["text"]
    assert "I want to talk" not in staff.params["text"]  # a link, not the conversation

    mark = len(fake.calls)
    desk_reply(desk, ticket_id, "Hi Alice, which network did you withdraw on?")
    delivered = await fake.wait_call(
        "sendMessage", lambda c: "which network" in c.params["text"], after=mark
    )
    assert int(delivered.params["chat_id"]) == USER["id"]
    assert f"/t/{token}" in delivered.params["text"]  # the member's own link, in their chat
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")

    fake.send_private("It was TRC20, about two hours ago")
    await until(lambda: "TRC20" in store.messages(ticket_id)[-1].text)
    assert "TRC20" in desk.get(f"/queue/{ticket_id}").text
    assert "TRC20" in desk.get(f"/t/{token}").text


async def test_telegram_replies_wait_in_the_outbox_while_the_bot_is_down(
    telegram: FakeTelegram, desk
):
    fake, store = telegram, desk.store
    fake.send_private("I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    await fake.stop_bot()
    desk_reply(desk, ticket_id, "Written while the bot was down")
    await asyncio.sleep(0.5)
    assert [r["status"] for r in Outbox(store).rows(ticket_id=ticket_id)][-1] == "pending"
    assert not [t for t in fake.sent_texts() if "while the bot was down" in t]
    mark = len(fake.calls)
    await fake.start_bot()
    await fake.wait_call(
        "sendMessage", lambda c: "while the bot was down" in c.params["text"], after=mark
    )
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    texts = [t for t in fake.sent_texts() if "while the bot was down" in t]
    assert len(texts) == 1  # delivered once


# A reply longer than one platform message: numbered lines, to tell a repeated piece.
LONG_REPLY = "\n".join(f"line {i:03d} " + "of a long answer " * 2 for i in range(90))


def lines_sent(texts: list[str]) -> list[str]:
    return [n for text in texts for n in re.findall(r"line \d{3}", text)]


async def test_telegram_long_reply_retried_half_way_repeats_nothing(telegram: FakeTelegram, desk):
    fake, store = telegram, desk.store
    fake.send_private("I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    await until(lambda: outbox_settled(store))  # the new ticket announced
    # the first piece goes out; the second finds Telegram away (three tries: the bot's retry
    # after 1 and 2 s), so the row is tried again later
    fake.fail_next_with("sendMessage", 502, "Bad Gateway", times=3, skip=1)
    mark = len(fake.calls)
    desk_reply(desk, ticket_id, LONG_REPLY)
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    row = Outbox(store).rows(ticket_id=ticket_id)[-1]
    assert row["attempts"] == 1  # it did fail once, half-way
    sent = [
        c
        for c in fake.calls[mark:]
        if c.method == "sendMessage" and int(c.params["chat_id"]) == USER["id"]
    ]
    delivered = [c.params["text"] for c in sent if c.status == 200]
    assert len(delivered) == 2 and [c.status for c in sent].count(502) == 3
    assert lines_sent(delivered) == [f"line {i:03d}" for i in range(90)]  # each once, in order


async def test_telegram_group_ticket_answer_goes_private_or_to_the_group(
    telegram: FakeTelegram, desk
):
    fake, store = telegram, desk.store
    fake.send_group("@TestSupportBot I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    fake.started_users.discard(USER["id"])  # Alice never opened a private chat with the bot
    mark = len(fake.calls)
    desk_reply(desk, ticket_id, "Please check your inbox")
    sent = await fake.wait_call(
        "sendMessage",
        lambda c: "check your inbox" in c.params["text"] and int(c.params["chat_id"]) < 0,
        after=mark,
    )
    assert int(sent.params["chat_id"]) == GROUP["id"]  # the private try was refused (403)
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    # Alice is named and notified (a text mention), told how to answer, and given no link
    text = sent.params["text"]
    name = store.get(ticket_id).user_name.lstrip("@")
    assert name and text.startswith(f"{name} Support replied to your ticket #{ticket_id}")
    (mention,) = sent.params["entities"]
    assert mention["type"] == "text_mention" and mention["user"]["id"] == USER["id"]
    assert (mention["offset"], mention["length"]) == (0, len(name))
    assert "Reply to this message to answer" in text and "/t/" not in text
    # her reply to that message joins the ticket
    posted = fake.messages[(GROUP["id"], sent.result["message_id"])]
    fake.send_group("TRC20, sent two hours ago", user=USER, reply_to=posted)
    await until(lambda: "TRC20, sent two hours ago" in [m.text for m in store.messages(ticket_id)])


async def test_telegram_member_blocking_the_bot_half_way_gets_only_the_rest_in_the_group(
    telegram: FakeTelegram, desk
):
    fake, store = telegram, desk.store
    fake.send_group("@TestSupportBot I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    await until(lambda: outbox_settled(store))  # the new ticket announced
    # the first piece reaches Alice privately (she has a private chat with the bot), then
    # she blocks the bot
    fake.started_users.add(USER["id"])
    fake.fail_next_with("sendMessage", 403, "Forbidden: bot was blocked by the user", skip=1)
    mark = len(fake.calls)
    desk_reply(desk, ticket_id, LONG_REPLY)
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    sent = [c for c in fake.calls[mark:] if c.method == "sendMessage" and c.status == 200]
    private = [c.params["text"] for c in sent if int(c.params["chat_id"]) == USER["id"]]
    group = [c.params["text"] for c in sent if int(c.params["chat_id"]) == GROUP["id"]]
    assert private and group
    assert lines_sent(private + group) == [f"line {i:03d}" for i in range(90)]  # each once


async def test_telegram_group_fallback_goes_to_the_tickets_forum_topic(
    telegram: FakeTelegram, desk
):
    """A ticket opened in a forum topic: without a private chat, the reply goes to that topic
    (the group's General may be closed)."""
    fake, store = telegram, desk.store
    fake.send_group(
        "@TestSupportBot I want to talk to a human", message_thread_id=77, is_topic_message=True
    )
    ticket_id = await handed_off(fake, store)
    fake.started_users.discard(USER["id"])  # no private chat with the bot
    mark = len(fake.calls)
    desk_reply(desk, ticket_id, "Found it, check again")
    sent = await fake.wait_call(
        "sendMessage",
        lambda c: "check again" in c.params["text"] and int(c.params["chat_id"]) < 0,
        after=mark,
    )
    assert int(sent.params["message_thread_id"]) == 77
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")


async def test_telegram_ticket_of_a_chat_poster_never_sends_its_link_to_a_chat(
    telegram: FakeTelegram, desk
):
    """An anonymous administrator posts as the group itself, a channel poster as the channel:
    their tickets have no private chat, and the link must not go to the group or channel."""
    fake, store = telegram, desk.store
    for poster in (GROUP["id"], -1002001):  # the group itself, then a channel
        ticket, _ = store.open_ticket(
            platform="telegram", conversation_id=str(GROUP["id"]), user_id=str(poster)
        )
        mark = len(fake.calls)
        desk_reply(desk, ticket.id, f"Looking into it, {poster}")
        sent = await fake.wait_call(
            "sendMessage", lambda c, p=poster: f"into it, {p}" in c.params["text"], after=mark
        )
        assert int(sent.params["chat_id"]) == GROUP["id"]
        assert "/t/" not in sent.params["text"]
        assert not [c for c in fake.calls[mark:] if int(c.params.get("chat_id", 0)) == -1002001]
        await until(
            lambda t=ticket: Outbox(store).rows(ticket_id=t.id)[-1]["status"] == "delivered"
        )


# --- Discord ------------------------------------------------------------------------------------


@pytest.fixture
async def discord_bot(make_pipeline, settings: Settings, fast_outbox):
    fake = await FakeDiscord().start()
    settings.discord_token = DISCORD_TOKEN
    settings.discord_api_url = fake.api_url
    settings.discord_gateway_url = fake.gateway_url
    pipeline = await make_pipeline(MINI_KB)
    options = DiscordOptions(
        support_channels=frozenset({fake.support_channel_id}), staff_channel=DISCORD_STAFF
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve_discord(pipeline, settings, stop, options=options))
    try:
        await fake.wait_identified()
        await asyncio.sleep(0.3)  # GUILD_CREATE
        yield fake
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        apply_urls(Settings())
        await fake.close()


async def discord_dm_ticket(fake: FakeDiscord, store) -> tuple[int, int]:
    """The member asks for a human in a DM: (the DM channel, the ticket's id)."""
    dm = fake.dm_channel_of()
    since = len(fake.requests)
    await fake.message_create(fake.dm_message("I want to talk to a human"))
    handoff = (await fake.wait_for_post(dm, since=since))[0].json["content"]
    return dm, ticket_id_in(handoff, store)


async def test_discord_reply_from_the_desk_reaches_the_member_and_the_answer_joins(
    discord_bot: FakeDiscord, desk
):
    fake, store = discord_bot, desk.store
    dm, ticket_id = await discord_dm_ticket(fake, store)
    token = store.get(ticket_id).token

    staff = (await fake.wait_for_post(DISCORD_STAFF))[0].json
    assert f"/queue/{ticket_id}" in staff["content"] and token not in staff["content"]
    assert staff["allowed_mentions"]["parse"] == []

    since = len(fake.requests)
    desk_reply(desk, ticket_id, "Hi Alice, which network did you withdraw on?")
    posts = await fake.wait_for_post(dm, since=since)
    assert "which network" in posts[0].json["content"]
    assert f"/t/{token}" in posts[0].json["content"]
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")

    await fake.message_create(fake.dm_message("It was TRC20, about two hours ago"))
    await until(lambda: "TRC20" in store.messages(ticket_id)[-1].text)
    assert "TRC20" in desk.get(f"/queue/{ticket_id}").text


async def test_discord_long_reply_retried_half_way_repeats_nothing(discord_bot: FakeDiscord, desk):
    fake, store = discord_bot, desk.store
    dm, ticket_id = await discord_dm_ticket(fake, store)
    await until(lambda: outbox_settled(store))  # the new ticket announced
    # the first piece goes out, the second gets a 503 (discord.py does not retry that one)
    fake.fail_next("POST", f"/channels/{dm}/messages", 503, skip=1)
    since = len(fake.requests)
    desk_reply(desk, ticket_id, LONG_REPLY)
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    assert Outbox(store).rows(ticket_id=ticket_id)[-1]["attempts"] == 1
    posts = await fake.wait_for_post(dm, since=since)
    texts = [p.json["content"] for p in posts]
    assert len(texts) == 3  # 4,000 characters and the header, in pieces of 2,000
    assert lines_sent(texts) == [f"line {i:03d}" for i in range(90)]  # each once, in order


async def discord_server_ticket(fake: FakeDiscord, store) -> tuple[int, int, int, int]:
    """A member asks for a human in the support channel: (the channel, the member, their DM
    channel, the ticket's id); the ticket link reaches them by DM."""
    channel, member = fake.support_channel_id, 600000000000000002
    since = len(fake.requests)
    await fake.message_create(fake.guild_message("I want to talk to a human", channel_id=channel))
    dm = fake.dm_channel_of(member)
    handoff = (await fake.wait_for_post(dm, since=since))[0].json["content"]
    return channel, member, dm, ticket_id_in(handoff, store)


async def test_discord_server_ticket_answer_by_dm_then_in_the_channel(
    discord_bot: FakeDiscord, desk
):
    fake, store = discord_bot, desk.store
    since = len(fake.requests)
    channel, member, dm, ticket_id = await discord_server_ticket(fake, store)
    # The ticket link is the key to the ticket: from a server channel it went by DM.
    assert not any("/t/" in p.json["content"] for p in fake.posts(channel, since=since))

    since = len(fake.requests)
    desk_reply(desk, ticket_id, "Sent you the details privately")
    private = await fake.wait_for_post(dm, since=since)
    assert "details privately" in private[0].json["content"]

    fake.close_dms(member)
    since = len(fake.requests)
    desk_reply(desk, ticket_id, "Your DMs are closed, so here")
    public = await fake.wait_for_post(channel, since=since)
    assert public[0].json["content"].startswith(f"<@{member}>")
    assert "/t/" not in public[0].json["content"]  # the link stays private
    assert "Reply to this message to answer" in public[0].json["content"]
    # the member's reply to that message joins the ticket
    (posted,) = [m for m in fake.messages.values() if m["content"] == public[0].json["content"]]
    answer = fake.guild_message(
        "It was TRC20",
        channel_id=channel,
        user_id=member,
        message_reference={"message_id": posted["id"], "channel_id": posted["channel_id"]},
        referenced_message=posted,
        type=19,
    )
    await fake.message_create(answer)
    await until(lambda: "It was TRC20" in [m.text for m in store.messages(ticket_id)])
    assert [int(u) for u in public[0].json["allowed_mentions"]["users"]] == [member]
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")


async def test_discord_member_closing_dms_half_way_gets_only_the_rest_in_the_channel(
    discord_bot: FakeDiscord, desk
):
    fake, store = discord_bot, desk.store
    channel, member, dm, ticket_id = await discord_server_ticket(fake, store)
    await until(lambda: outbox_settled(store))  # the new ticket announced
    # the first piece reaches the member by DM, then their DMs close
    fake.fail_next(
        "POST", f"/channels/{dm}/messages", 403, code=50007, message="Cannot send", skip=1
    )
    since = len(fake.requests)
    desk_reply(desk, ticket_id, LONG_REPLY)
    await until(lambda: Outbox(store).rows(ticket_id=ticket_id)[-1]["status"] == "delivered")
    private = [p.json["content"] for p in fake.posts(dm, since=since)]
    public = [p.json["content"] for p in fake.posts(channel, since=since)]
    assert private and public and public[0].startswith(f"<@{member}>")
    assert lines_sent(private + public) == [f"line {i:03d}" for i in range(90)]  # each once


async def test_discord_ticket_in_a_thread_the_bot_no_longer_sees_still_goes_by_dm(
    discord_bot: FakeDiscord, desk
):
    """Archived threads leave discord.py's cache: such a ticket must not be taken for a DM
    ticket, whose text (with the ticket link) goes to the channel as it is."""
    fake, store = discord_bot, desk.store
    member, thread = 600000000000000003, 710000000000000042  # a thread never seen
    ticket, _ = store.open_ticket(
        platform="discord", conversation_id=str(thread), user_id=str(member)
    )
    dm = fake.dm_channel_of(member)
    since = len(fake.requests)
    desk_reply(desk, ticket.id, "Found your deposit")
    private = await fake.wait_for_post(dm, since=since)
    assert "Found your deposit" in private[0].json["content"]
    assert f"/t/{ticket.token}" in private[0].json["content"]
    assert not fake.posts(thread, since=since)

    fake.close_dms(member)
    since = len(fake.requests)
    desk_reply(desk, ticket.id, "Your DMs are closed, so here")
    public = await fake.wait_for_post(thread, since=since)
    assert public[0].json["content"].startswith(f"<@{member}>")
    assert "/t/" not in public[0].json["content"]
    await until(lambda: Outbox(store).rows(ticket_id=ticket.id)[-1]["status"] == "delivered")


async def restart_after_idle(fake, store, ticket_id: int, monkeypatch) -> int:
    """Leave the ticket idle for five hours and restart the bot with a four-hour limit, so
    that it closes the ticket and asks for a rating; returns the call mark of the restart."""
    await fake.stop_bot()
    assert store.reply(ticket_id, "mod", "Which network did you use?")  # then silence
    with store.sessions() as session:
        long_ago = datetime.now(UTC) - timedelta(hours=5)
        session.execute(
            update(TicketRow).where(TicketRow.id == ticket_id).values(updated_at=long_ago)
        )
        session.commit()
    monkeypatch.setenv("SUPPORTBOT_TICKET_IDLE_HOURS", "4")
    mark = len(fake.calls)
    await fake.start_bot()
    return mark


async def test_telegram_bot_closes_idle_tickets_and_asks_for_a_rating(
    telegram: FakeTelegram, desk, monkeypatch
):
    fake, store = telegram, desk.store
    fake.send_private("I want to talk to a human")
    ticket_id = await handed_off(fake, store)
    mark = await restart_after_idle(fake, store, ticket_id, monkeypatch)
    rating = await fake.wait_call(
        "sendMessage", lambda c: "How did we do" in c.params["text"], after=mark
    )
    assert int(rating.params["chat_id"]) == USER["id"]
    assert (
        "4 hours" in rating.params["text"]
        and f"/t/{store.get(ticket_id).token}" in rating.params["text"]
    )
    assert store.get(ticket_id).status == "closed" and store.get(ticket_id).close_reason == "idle"
    # The stars under the request: one row of five buttons, rated by pressing one.
    stars = rating.params["reply_markup"]["inline_keyboard"][-1]
    assert [k["callback_data"] for k in stars] == [f"rate:{ticket_id}:{n}" for n in range(1, 6)]
    request = fake.messages[(USER["id"], rating.result["message_id"])]

    async def press(data: str, user: dict) -> str:
        mark = len(fake.calls)
        fake.press(request, data, user=user)
        await fake.wait_call("answerCallbackQuery", after=mark)
        return (await fake.wait_call("sendMessage", after=mark)).params["text"]

    refused = await press(f"rate:{ticket_id}:1", OTHER_USER)  # not the ticket's member
    assert "can be rated once" in refused and store.get(ticket_id).rating is None
    mark = len(fake.calls)
    thanks = await press(f"rate:{ticket_id}:4", USER)
    assert thanks == f"Thank you! You rated ticket #{ticket_id}: ★★★★☆"
    assert store.get(ticket_id).rating == 4
    # rated once: the stars are taken off the request
    cleared = await fake.wait_call("editMessageReplyMarkup", after=mark)
    assert int(cleared.params["message_id"]) == rating.result["message_id"]
    assert not fake.messages[(USER["id"], rating.result["message_id"])].get("reply_markup")
    again = await press(f"rate:{ticket_id}:5", USER)  # once
    assert "can be rated once" in again and store.get(ticket_id).rating == 4


async def test_telegram_rating_in_a_group_answers_each_press_privately_as_an_alert(
    telegram: FakeTelegram, desk, monkeypatch
):
    """A member who never started the bot gets the rating request in the group, where anybody
    can press the stars: the answers go to the presser alone (an alert on the press), and the
    group sees no message about it."""
    fake, store = telegram, desk.store
    fake.send_group("@TestSupportBot I want to talk to a human")  # no private chat with the bot
    await until(lambda: store.find_open("telegram", str(GROUP["id"]), str(USER["id"])) is not None)
    ticket_id = store.find_open("telegram", str(GROUP["id"]), str(USER["id"])).id
    mark = await restart_after_idle(fake, store, ticket_id, monkeypatch)
    rating = await fake.wait_call(
        "sendMessage",
        lambda c: "How did we do" in c.params["text"] and int(c.params["chat_id"]) == GROUP["id"],
        after=mark,
    )
    request = fake.messages[(GROUP["id"], rating.result["message_id"])]

    async def press(data: str, user: dict) -> dict:
        mark = len(fake.calls)
        fake.press(request, data, user=user)
        answered = await fake.wait_call("answerCallbackQuery", after=mark)
        await fake.settle()
        assert not [c for c in fake.calls[mark:] if c.method == "sendMessage"]
        return answered.params

    refused = await press(f"rate:{ticket_id}:1", OTHER_USER)  # not the ticket's member
    assert "can be rated once" in refused["text"] and refused["show_alert"] == "true"
    assert store.get(ticket_id).rating is None
    thanks = await press(f"rate:{ticket_id}:4", USER)
    assert thanks["text"] == f"Thank you! You rated ticket #{ticket_id}: ★★★★☆"
    assert store.get(ticket_id).rating == 4
    assert not fake.messages[(GROUP["id"], rating.result["message_id"])].get("reply_markup")
    # A press on an answer's buttons in the group still gets a plain answer (no alert).
    mark = len(fake.calls)
    fake.press(request, "not-a-payload-the-bot-made", user=OTHER_USER)
    plain = await fake.wait_call("answerCallbackQuery", after=mark)
    assert not plain.params.get("text") and not plain.params.get("show_alert")


async def test_discord_member_rates_a_closed_ticket_with_the_buttons(
    discord_bot: FakeDiscord, desk
):
    fake, store = discord_bot, desk.store
    member = 600000000000000001
    dm, ticket_id = await discord_dm_ticket(fake, store)

    assert login(desk).status_code == 303
    page = desk.get(f"/queue/{ticket_id}")
    since = len(fake.requests)
    desk.post(f"/queue/{ticket_id}/close", data={"csrf": csrf_of(page.text)})
    post = (await fake.wait_for_post(dm, since=since))[0]
    assert "How did we do" in post.json["content"]
    buttons = [b for row in post.json["components"] for b in row["components"]]
    assert [b["custom_id"] for b in buttons] == [f"rate:{ticket_id}:{n}" for n in range(1, 6)]
    request = fake.message_from_post(post)

    async def press(custom_id: str, user_id: int) -> str:
        since = len(fake.requests)
        await fake.interaction_create(
            fake.button_press(request, custom_id, in_guild=False, user_id=user_id)
        )
        followup = await fake.wait_until(
            lambda: [
                r
                for r in fake.requests[since:]
                if r.method == "POST" and r.path.startswith("/webhooks/")
            ]
        )
        return followup[0].json["content"]

    refused = await press(f"rate:{ticket_id}:2", 600000000000000077)  # somebody else
    assert "can be rated once" in refused and store.get(ticket_id).rating is None
    since = len(fake.requests)
    thanks = await press(f"rate:{ticket_id}:5", member)
    assert thanks == f"Thank you! You rated ticket #{ticket_id}: ★★★★★"
    assert store.get(ticket_id).rating == 5
    # rated once: the stars are taken off the request (the pressed message, edited)
    edits = await fake.wait_until(
        lambda: [
            r
            for r in fake.requests[since:]
            if r.method == "PATCH" and r.path.endswith("/messages/@original")
        ]
    )
    assert edits[0].json["components"] == []
