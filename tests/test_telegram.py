"""The Telegram front-end, end to end: the real python-telegram-bot against a fake Bot API
server on 127.0.0.1 (tests/fake_telegram.py), a real pipeline on the mini knowledge base."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from mnemonic import Mnemonic
from telegram import Bot, CallbackQuery, User

from bots.telegram_bot import TelegramConfig, api_urls, serve
from bots.telegram_channel import Sender, TelegramChannel, keyboard, split_text, utf16_len
from shared.messages import Button, Reply
from shared.pipeline import Pipeline
from shared.settings import Settings
from tests.conftest import MINI_KB
from tests.fake_telegram import ADMIN_USER, BOT_ID, GROUP, OTHER_USER, USER, FakeTelegram

REPO = Path(__file__).resolve().parent.parent
SEED = Mnemonic("english").to_mnemonic(bytes(range(16, 32)))  # 12 words, valid checksum
WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
SECRETS = [SEED, WIF, " ".join(SEED.split()[4:7])]  # the phrase, the key, part of the phrase
PUBLIC_URL = "http://127.0.0.1:8080"


@pytest.fixture
async def fake():
    server = await FakeTelegram().start()
    yield server
    await server.stop()


class Running:
    """A bot served in this event loop, with helpers to talk to it through the fake."""

    def __init__(self, fake: FakeTelegram, pipeline: Pipeline, task: asyncio.Task, stop):
        self.fake, self.pipeline, self.task, self.stop = fake, pipeline, task, stop

    async def reply(self, predicate=lambda call: True, *, after: int = 0, timeout: float = 30):
        return await self.fake.wait_call("sendMessage", predicate, after=after, timeout=timeout)

    def mark(self) -> int:
        return len(self.fake.calls)


@pytest.fixture
async def bot(fake, make_pipeline, settings: Settings, monkeypatch):
    monkeypatch.setenv("TELEGRAM_POLL_TIMEOUT", "1")
    monkeypatch.setenv("TELEGRAM_ADMIN_IDS", f" 42, {OTHER_USER['id']} ")
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_FILE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings.telegram_token = fake.token
    settings.telegram_api_url = fake.api_url
    pipeline = await make_pipeline(MINI_KB)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(pipeline, settings, stop))
    await fake.wait_polls(1, timeout=30)
    running = Running(fake, pipeline, task, stop)
    yield running
    stop.set()
    await asyncio.wait_for(task, 15)
    assert_no_secret(fake)


def assert_no_secret(fake: FakeTelegram) -> None:
    """No call the bot made carries a secret: not in a text, a button, a caption, anything."""
    for call in fake.calls:
        blob = call.raw + json.dumps(call.params, ensure_ascii=False) + call.path
        for secret in SECRETS:
            assert secret not in blob, f"a secret left in {call.method}"
    assert not fake.calls_to("forwardMessage") and not fake.calls_to("copyMessage")


async def expected_outcome(text: str, tmp_path: Path) -> dict:
    """What `supportbot ask TEXT --json` says, on the same knowledge."""
    env = {**os.environ, "SUPPORTBOT_DATA_DIR": str(tmp_path / "ask"), "HF_HUB_OFFLINE": "1"}
    proc = await asyncio.create_subprocess_exec(
        "supportbot",
        "ask",
        text,
        "--json",
        "--kb",
        str(MINI_KB),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out)


def payloads(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [k["callback_data"] for row in markup.get("inline_keyboard", []) for k in row]


# --- private chats ---------------------------------------------------------------------------


async def test_start_in_private_chat_gets_a_reply(bot: Running):
    bot.fake.send_private("/start")
    call = await bot.reply()
    assert int(call.params["chat_id"]) == USER["id"]
    assert "TestEx" in call.params["text"]
    assert "reply_parameters" not in call.params  # private answers do not quote


async def test_question_gets_the_cli_answer_even_after_a_429(bot: Running, tmp_path):
    question = "How do I reset my password?"
    expected = await expected_outcome(question, tmp_path)
    assert expected["action"] == "answer" and expected["faq_id"] == "reset-password"
    bot.fake.fail_next("sendMessage", retry_after=1)
    started = time.monotonic()
    bot.fake.send_private(question)
    first = await bot.reply()
    second = await bot.reply(after=bot.fake.calls.index(first) + 1)
    assert time.monotonic() - started >= 1.0  # waited the time Telegram asked for
    assert first.params["text"] == second.params["text"] == expected["text"]
    assert "fb:yes:reset-password" in payloads(second)
    assert "faq:lost-2fa" in payloads(second)
    assert len(bot.fake.calls_to("sendMessage")) == 2  # the refused one, then the same again


async def test_an_answer_is_not_lost_when_telegram_is_away_for_a_moment(bot: Running, tmp_path):
    question = "How do I reset my password?"
    expected = await expected_outcome(question, tmp_path)
    bot.fake.fail_next_with("sendMessage", 502, "Bad Gateway", times=2)
    bot.fake.send_private(question)
    delivered = await bot.reply(lambda call: call.status == 200)
    assert delivered.params["text"] == expected["text"]
    sent = bot.fake.calls_to("sendMessage")
    assert [call.status for call in sent] == [502, 502, 200]  # two refused, then delivered
    assert {call.params["text"] for call in sent} == {expected["text"]}


async def test_a_request_telegram_refuses_is_not_sent_again(bot: Running):
    bot.fake.fail_next_with("sendMessage", 400, "Bad Request: chat not found")
    bot.fake.send_private("How do I reset my password?")
    await bot.reply()
    bot.fake.send_private("/start")  # the bot goes on
    call = await bot.reply(lambda call: "TestEx" in call.params["text"])
    sent = bot.fake.calls_to("sendMessage")
    assert [c.status for c in sent] == [400, 200]  # the refused answer was not sent again
    assert sent[1] is call


async def test_chinese_question_gets_the_chinese_answer(bot: Running):
    bot.fake.send_private("我忘记密码了怎么办", user={**USER, "language_code": "en"})
    call = await bot.reply()
    entry = bot.pipeline.knowledge.entry("reset-password")
    assert call.params["text"].startswith(bot.pipeline.answer_text(entry, "zh")[0])
    assert "忘记密码" in call.params["text"]


async def test_asking_for_a_human_gets_the_ticket_link(bot: Running):
    bot.fake.send_private("I want to talk to a human")
    call = await bot.reply()
    assert PUBLIC_URL in call.params["text"]


async def test_buttons_faq_topics_and_feedback(bot: Running):
    bot.fake.send_private("/faq")
    topics = await bot.reply()
    assert "cat:account" in payloads(topics) and "cat:funds" in payloads(topics)
    mark = bot.mark()
    bot.fake.press(bot.fake.messages[(USER["id"], _message_id(topics))], "cat:funds")
    await bot.fake.wait_call("answerCallbackQuery", after=mark)
    entries = await bot.reply(after=mark)
    assert "faq:withdrawal-time" in payloads(entries)
    mark = bot.mark()
    bot.fake.press(bot.fake.messages[(USER["id"], _message_id(entries))], "faq:withdrawal-time")
    answer = await bot.reply(after=mark)
    assert "few hours" in answer.params["text"]
    assert payloads(answer)[-2:] == ["fb:yes:withdrawal-time", "fb:no:withdrawal-time"]
    markup = answer.params["reply_markup"]["inline_keyboard"]
    assert len(markup[-1]) == 2  # yes and no side by side
    mark = bot.mark()
    bot.fake.press(bot.fake.messages[(USER["id"], _message_id(answer))], "fb:yes:withdrawal-time")
    thanks = await bot.reply(after=mark)
    assert "Glad" in thanks.params["text"]


def _message_id(call) -> int:
    """The id of the message a sendMessage call created."""
    return call.result["message_id"]


async def test_photo_long_message_and_unknown_updates_do_not_break_the_bot(bot: Running):
    bot.fake.send_photo()
    empty = await bot.reply()
    assert "question" in empty.params["text"].lower()
    mark = bot.mark()
    bot.fake.send_private("Hello? " + "x" * 5000)
    await bot.reply(after=mark)
    bot.fake.push_unknown()
    mark = bot.mark()
    bot.fake.send_private("How long does a withdrawal take?")
    answer = await bot.reply(lambda c: "few hours" in c.params["text"], after=mark)
    assert answer is not None
    assert not bot.task.done()


async def test_long_replies_are_split_at_the_limit(fake: FakeTelegram):
    paragraph = "Withdrawals need confirmations on the network. " * 40
    text = "\n\n".join([paragraph] * 5) + " 你好😀" * 300
    pieces = split_text(text)
    assert len(pieces) > 2 and all(utf16_len(p) <= 4096 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    async with Bot(fake.token, base_url=fake.api_url) as tg:
        channel = TelegramChannel(Sender(tg), USER["id"], is_private=True, user_id=USER["id"])
        fake.started_users.add(USER["id"])
        await channel.send(Reply(text, buttons=[Button("Yes", "fb:yes:x")]))
    calls = fake.calls_to("sendMessage")
    assert [c.params["text"] for c in calls] == pieces
    assert [bool(c.params.get("reply_markup")) for c in calls] == [False] * (len(calls) - 1) + [
        True
    ]


def test_buttons_with_too_long_payloads_are_dropped(caplog):
    markup = keyboard([Button("ok", "faq:a"), Button("too long", "faq:" + "x" * 61)])
    assert markup is not None
    assert [[k.callback_data for k in row] for row in markup.inline_keyboard] == [["faq:a"]]
    assert "64" in caplog.text


async def test_private_replies_fall_back_to_the_group(fake: FakeTelegram):
    async with Bot(fake.token, base_url=fake.api_url) as tg:
        channel = TelegramChannel(
            Sender(tg), GROUP["id"], is_private=False, user_id=USER["id"], incoming_id=5
        )
        await channel.send(Reply("for your eyes", private=True))  # never started the bot
        fake.started_users.add(USER["id"])
        await channel.send(Reply("for your eyes", private=True))
    chats = [int(c.params["chat_id"]) for c in fake.calls_to("sendMessage")]
    assert chats == [USER["id"], GROUP["id"], USER["id"]]


async def test_a_press_in_a_group_gets_notices_as_alerts_and_links_privately(fake: FakeTelegram):
    """Only a notice (nothing to keep) may become the alert on a press; a ticket link must
    stay readable, so it goes by private message even though the alert would be private too."""
    async with Bot(fake.token, base_url=fake.api_url) as tg:

        def pressed(number: int) -> TelegramChannel:
            query = CallbackQuery(str(number), User(USER["id"], "Alice", False), "42")
            query.set_bot(tg)
            return TelegramChannel(
                Sender(tg), GROUP["id"], is_private=False, user_id=USER["id"], press=query
            )

        fake.started_users.add(USER["id"])
        link = pressed(1)
        await link.send(Reply("your ticket: https://desk/t/abc", "escalate", private=True))
        assert not await link.answer_press()  # answered once, by the first reply
        notice = pressed(2)
        await notice.send(Reply("Thanks for rating", "info", private=True, notice=True))
        long = pressed(3)
        await long.send(Reply("x" * 201, "info", private=True, notice=True))  # over 200: a DM
    answers = fake.calls_to("answerCallbackQuery")
    assert [(a.params["callback_query_id"], a.params.get("text")) for a in answers] == [
        ("1", None),
        ("2", "Thanks for rating"),
        ("3", None),
    ]
    sent = fake.calls_to("sendMessage")
    assert [(int(c.params["chat_id"]), c.params["text"][:5]) for c in sent] == [
        (USER["id"], "your "),
        (USER["id"], "xxxxx"),
    ]


# --- groups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, field",
    [
        (f"is this right? {SEED}", "text"),
        (f"my key {WIF} please check", "text"),
        (f"screenshot of my backup: {SEED}", "caption"),
    ],
    ids=["seed_phrase", "wif_key", "photo_caption"],
)
async def test_secret_in_a_group_is_deleted_and_the_member_warned(
    bot: Running, text, field, caplog
):
    caplog.set_level(logging.DEBUG)
    if field == "text":
        posted = bot.fake.send_group(text)
    else:
        posted = bot.fake.send_photo(chat=GROUP, caption=text)
    deleted = await bot.fake.wait_call("deleteMessage")
    assert int(deleted.params["message_id"]) == posted["message_id"]
    warning = await bot.reply()
    assert int(warning.params["chat_id"]) == GROUP["id"]
    assert "@alice" in warning.params["text"] and "removed" in warning.params["text"]
    assert "reply_parameters" not in warning.params  # the quoted message is gone
    assert_no_secret(bot.fake)
    for secret in SECRETS:
        assert secret not in caplog.text
    assert bot.fake.token not in caplog.text


async def test_a_secret_is_deleted_while_the_members_earlier_reply_waits_out_flood_control(
    bot: Running,
):
    bot.fake.fail_next("sendMessage", retry_after=4)
    bot.fake.send_group("@TestSupportBot how do I reset my password?")
    await bot.fake.wait_call("sendMessage")  # refused: the reply waits 4 s
    started = time.monotonic()
    leak = bot.fake.send_group(f"backup words {SEED}")
    deleted = await bot.fake.wait_call("deleteMessage")
    assert int(deleted.params["message_id"]) == leak["message_id"]
    assert time.monotonic() - started < 3  # not after the wait


async def test_a_secret_named_by_the_command_word_is_caught(bot: Running):
    """ "/otp 482913": the command word is the label that makes the code a secret."""
    posted = bot.fake.send_group("/otp@TestSupportBot 482913")
    deleted = await bot.fake.wait_call("deleteMessage")
    assert int(deleted.params["message_id"]) == posted["message_id"]
    mark = bot.mark()
    bot.fake.send_private("/password Summer2024!")
    warning = await bot.reply(after=mark)
    assert "removed" in warning.params["text"]
    assert not [c for c in bot.fake.calls if "Summer2024" in str(c.params)]
    for ticket in bot.pipeline.store.tickets():
        assert all("Summer2024" not in m.text for m in bot.pipeline.store.messages(ticket.id))


async def test_an_edit_that_adds_a_seed_phrase_is_deleted(bot: Running):
    posted = bot.fake.send_group("gm everyone, quick question about my wallet")
    await bot.fake.settle()
    assert not bot.fake.calls_to("sendMessage") and not bot.fake.calls_to("deleteMessage")
    bot.fake.edit(posted, f"my words are {SEED}")
    deleted = await bot.fake.wait_call("deleteMessage")
    assert int(deleted.params["message_id"]) == posted["message_id"]
    warning = await bot.reply()
    assert "removed" in warning.params["text"]


async def test_a_seed_phrase_sent_in_two_halves_in_a_group_is_deleted_whole(bot: Running):
    first = bot.fake.send_group("legal winner thank year wave sausage")
    await bot.fake.settle()
    assert not bot.fake.calls_to("deleteMessage")  # six words alone are no phrase
    second = bot.fake.send_group("worth useful legal winner thank yellow")
    warning = await bot.reply()
    assert "removed" in warning.params["text"]
    deleted = {int(c.params["message_id"]) for c in bot.fake.calls_to("deleteMessage")}
    assert deleted == {first["message_id"], second["message_id"]}


async def test_without_delete_rights_the_member_is_asked_to_delete(bot: Running):
    bot.fake.can_delete = False
    bot.fake.send_group(f"restore with {SEED}")
    warning = await bot.reply()
    assert "delete the message yourself" in warning.params["text"]


async def test_a_delete_that_timed_out_but_went_through_counts_as_done(bot: Running):
    # the first try reaches Telegram but its answer is lost (a 502 here); the second finds
    # the message gone: it was deleted, and the warning says so
    bot.fake.fail_next_with("deleteMessage", 502, "Bad Gateway")
    bot.fake.fail_next_with("deleteMessage", 400, "Bad Request: message to delete not found")
    bot.fake.send_group(f"restore with {SEED}")
    warning = await bot.reply()
    assert "removed" in warning.params["text"]
    assert [c.status for c in bot.fake.calls_to("deleteMessage")] == [502, 400]


async def test_a_delete_telegram_cannot_make_still_warns_the_member(bot: Running):
    bot.fake.fail_next_with("deleteMessage", 502, "Bad Gateway", times=3)
    bot.fake.send_group(f"restore with {SEED}")
    warning = await bot.reply()
    assert "delete the message yourself" in warning.params["text"]


async def test_ordinary_chatter_is_left_alone_and_mentions_are_answered(bot: Running):
    bot.fake.send_group("gm, when moon? how do I reset my password lol")
    bot.fake.send_group("/price@OtherBot BTC", user=OTHER_USER)
    await bot.fake.settle()
    assert not bot.fake.calls_to("sendMessage") and not bot.fake.calls_to("deleteMessage")
    asked = bot.fake.send_group("@TestSupportBot how do I reset my password?")
    answer = await bot.reply()
    assert "Forgot password" in answer.params["text"]
    assert answer.params["reply_parameters"]["message_id"] == asked["message_id"]
    mark = bot.mark()
    bot_message = bot.fake.messages[(GROUP["id"], max(k[1] for k in bot.fake.messages))]
    assert bot_message["from"]["id"] == BOT_ID
    bot.fake.send_group("and how long does a withdrawal take?", reply_to=bot_message)
    follow_up = await bot.reply(after=mark)
    assert "few hours" in follow_up.params["text"]


async def test_forum_topics_keep_their_thread(bot: Running):
    topic = {"message_thread_id": 77, "is_topic_message": True}
    bot.fake.send_group(f"backup words {SEED}", **topic)
    warning = await bot.reply()
    assert int(warning.params["message_thread_id"]) == 77
    mark = bot.mark()
    bot.fake.send_group("@TestSupportBot my deposit has not arrived", **topic)
    answer = await bot.reply(after=mark)
    assert int(answer.params["message_thread_id"]) == 77
    assert "block explorer" in answer.params["text"]


async def test_a_hidden_text_link_gets_the_phishing_check(bot: Running):
    """The address of a text link is not in the text: it is checked all the same."""
    text = "Airdrop for members, claim it on the official page"
    link = {"type": "text_link", "offset": 27, "length": 23, "url": "https://tesstex.example/login"}
    bot.fake.send_group(text, entities=[link])
    warning = await bot.reply()
    assert "testex.example" in warning.params["text"]  # the official domain, as a warning


async def test_in_a_forum_topic_the_topic_opening_is_not_a_reply(bot: Running):
    """Telegram makes every topic message a reply to the topic's first message; a bare
    /escalate there must not open a ticket for whoever created the topic."""
    bot.fake.members[GROUP["id"]] = {ADMIN_USER["id"]: "administrator"}
    opening = bot.fake.send_group(
        None,
        user=OTHER_USER,
        message_thread_id=77,
        forum_topic_created={"name": "Support", "icon_color": 7322096},
    )
    topic = {"message_thread_id": 77, "is_topic_message": True}
    bot.fake.send_group("my deposit never arrived", user=USER, reply_to=opening, **topic)
    mark = bot.mark()
    bot.fake.send_group("/escalate", user=ADMIN_USER, reply_to=opening, **topic)
    await bot.fake.settle()
    assert not bot.pipeline.store.tickets()
    assert not [c for c in bot.fake.calls[mark:] if "/t/" in str(c.params.get("text", ""))]
    # a real reply in the topic still escalates its author
    member = bot.fake.send_group("still waiting for my deposit", user=USER, **topic)
    bot.fake.send_group("/escalate", user=ADMIN_USER, reply_to=member, **topic)
    await bot.reply(lambda c: "/queue/" in c.params.get("text", ""), after=mark)
    (ticket,) = bot.pipeline.store.tickets()
    assert ticket.user_id == str(USER["id"])


async def test_members_posting_as_channels_are_told_apart(bot: Running):
    """Telegram puts one placeholder account in "from" for every channel poster: the
    channel is the sender (its own ticket, no private chat to send a link to)."""
    placeholder = {
        "id": 136817688,
        "is_bot": True,
        "first_name": "Channel",
        "username": "Channel_Bot",
    }
    for channel_id, title in ((-1002001, "Alpha News"), (-1002002, "Beta Calls")):
        mark = bot.mark()
        bot.fake.send_group(
            "@TestSupportBot I want to talk to a human",
            user=placeholder,
            sender_chat={"id": channel_id, "type": "channel", "title": title},
        )
        await bot.reply(after=mark)
        # a chat has no private chat with the bot: the group hears how, never the link
        for call in bot.fake.calls[mark:]:
            assert "/t/" not in str(call.params.get("text", ""))
    tickets = bot.pipeline.store.tickets()
    assert sorted(t.user_id for t in tickets) == ["-1002001", "-1002002"]
    assert sorted(t.user_name for t in tickets) == ["Alpha News", "Beta Calls"]


async def test_escalate_by_an_administrator_only(bot: Running):
    bot.fake.members[GROUP["id"]] = {ADMIN_USER["id"]: "administrator"}
    member = bot.fake.send_group("my deposit never arrived and nobody helps me", user=USER)
    bot.fake.send_group("/escalate", user=OTHER_USER, reply_to=member)
    refused = await bot.reply()
    assert "Only moderators" in refused.params["text"]
    mark = bot.mark()
    bot.fake.send_group("/escalate", user=ADMIN_USER, reply_to=member)
    await bot.fake.wait_call("getChatMember", after=mark)
    ticket = await bot.reply(after=mark)
    assert PUBLIC_URL + "/queue/" in ticket.params["text"] and "@alice" in ticket.params["text"]
    assert "/t/" not in ticket.params["text"]  # the member's key is not the moderator's


async def test_escalating_the_bots_own_answer_opens_no_ticket(bot: Running):
    bot.fake.members[GROUP["id"]] = {ADMIN_USER["id"]: "administrator"}
    bot.fake.send_group("@TestSupportBot how do I reset my password?", user=USER)
    answer = await bot.reply()
    posted = bot.fake.messages[(GROUP["id"], answer.result["message_id"])]
    mark = bot.mark()
    bot.fake.send_group("/escalate", user=ADMIN_USER, reply_to=posted)
    usage = await bot.reply(after=mark)
    assert "Reply to a member's message with /escalate" in usage.params["text"]
    assert not bot.pipeline.store.tickets()


async def test_reload_and_status_for_admins_only(bot: Running):
    bot.fake.send_private("/status", user=OTHER_USER)  # listed in TELEGRAM_ADMIN_IDS
    status = await bot.reply()
    assert "entries" in status.params["text"]
    mark = bot.mark()
    bot.fake.send_private("/reload", user=USER)
    refused = await bot.reply(after=mark)
    assert "Only moderators" in refused.params["text"]
    mark = bot.mark()
    bot.fake.members[GROUP["id"]] = {ADMIN_USER["id"]: "creator"}
    bot.fake.send_group("/reload", user=ADMIN_USER)
    reloaded = await bot.reply(after=mark)
    assert "reloaded" in reloaded.params["text"].lower()


async def test_polling_asks_for_edits_and_button_presses(bot: Running):
    polls = bot.fake.calls_to("getUpdates")
    allowed = polls[0].params["allowed_updates"]
    assert {"message", "edited_message", "callback_query"} <= set(allowed)
    assert bot.fake.calls_to("deleteWebhook")


# --- settings and the process ------------------------------------------------------------------


def test_api_urls():
    assert api_urls(None)[0] == "https://api.telegram.org/bot"
    assert api_urls("http://h:8081") == ("http://h:8081/bot", "http://h:8081/file/bot")
    assert api_urls("http://h/bot") == ("http://h/bot", "http://h/file/bot")
    assert api_urls("http://h/bot{token}/test") == (
        "http://h/bot{token}/test",
        "http://h/file/bot{token}/test",
    )
    config = TelegramConfig.from_env(
        SimpleNamespace(telegram_token="1:x", telegram_api_url=None),  # type: ignore[arg-type]
        {"TELEGRAM_ADMIN_IDS": "1, 2,,", "TELEGRAM_POLL_TIMEOUT": "2"},
    )
    assert config.admin_ids == {"1", "2"} and config.poll_timeout == 2.0
    assert "1:x" not in repr(config)  # a printed config or a traceback shows no token


async def test_a_rejected_token_is_never_printed(fake, make_pipeline, settings: Settings):
    settings.telegram_token = "999999:WRONG-token-zyxwvutsrqponmlkjihgfedcba"
    settings.telegram_api_url = fake.api_url
    pipeline = await make_pipeline(MINI_KB)
    with pytest.raises(RuntimeError) as failed:
        await asyncio.wait_for(serve(pipeline, settings, asyncio.Event()), 15)
    assert "InvalidToken" in str(failed.value)
    assert settings.telegram_token not in str(failed.value)
    assert failed.value.__suppress_context__


async def test_webhook_mode(fake, make_pipeline, settings: Settings, monkeypatch):
    import aiohttp

    port = _free_port()
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", f"http://127.0.0.1:{port}/tg-hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PORT", str(port))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-hook")
    settings.telegram_token, settings.telegram_api_url = fake.token, fake.api_url
    pipeline = await make_pipeline(MINI_KB)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(pipeline, settings, stop))
    hook = await fake.wait_call("setWebhook")
    assert hook.params["secret_token"] == "s3cret-hook"
    assert "edited_message" in hook.params["allowed_updates"]
    update = {"update_id": 1, "message": fake._message("/start", fake.private_chat(), USER)}
    fake.started_users.add(USER["id"])
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/tg-hook"
        async with http.post(url, json=update) as resp:
            assert resp.status == 403  # no secret token: not from Telegram
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-hook"}
        async with http.post(url, json=update, headers=headers) as resp:
            assert resp.status == 200
    greeting = await fake.wait_call("sendMessage")
    assert "TestEx" in greeting.params["text"]
    stop.set()
    await asyncio.wait_for(task, 15)
    assert not fake.calls_to("getUpdates")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_sigterm_stops_supportbot_run_telegram(fake: FakeTelegram, tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.api_url_with_placeholder,
        "TELEGRAM_POLL_TIMEOUT": "20",  # a long poll is in flight when the signal comes
        "SUPPORTBOT_DATA_DIR": str(tmp_path / "data"),
        "SUPPORTBOT_KNOWLEDGE": str(MINI_KB),
        "SUPPORTBOT_WATCH": "0",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("TELEGRAM_WEBHOOK_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "run",
        "telegram",
        "--log-level",
        "DEBUG",
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await fake.wait_polls(1, timeout=90)
        await asyncio.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 15)
        assert time.monotonic() - started < 15
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()[-3000:]
    log_text = (out + err).decode()
    assert fake.token not in log_text
    assert "polling as @TestSupportBot" in log_text
