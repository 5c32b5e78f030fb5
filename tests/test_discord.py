"""The Discord front-end, run with the real discord.py against a fake Discord on 127.0.0.1.

Nothing of the library is mocked: the bot logs in over REST, connects to the fake gateway,
receives MESSAGE_CREATE / MESSAGE_UPDATE / INTERACTION_CREATE events and answers through
discord.py's HTTP client (so its 429 handling is the one that runs).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
from mnemonic import Mnemonic

from bots.discord_bot import (
    ESCALATE_MENU,
    DiscordChannel,
    DiscordFrontEnd,
    DiscordOptions,
    apply_urls,
    serve,
    split_text,
)
from shared.messages import Button, Reply
from shared.pipeline import Pipeline
from shared.settings import Settings
from tests.conftest import MINI_KB
from tests.fake_discord import MANAGE_MESSAGES, FakeDiscord

REPO = Path(__file__).resolve().parent.parent
TOKEN = "fake-token-AbCdEf.0123456789"

SEED = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word phrase
WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"  # the well-known example key


def _check_links_kwargs() -> dict:
    """The phishing checker may not exist yet in the core; the guard for secrets does."""
    try:
        import shared.phishing  # noqa: F401
    except ImportError:
        return {"check_links": lambda text, domains: None}
    return {}


@dataclass
class Bot:
    fake: FakeDiscord
    front: DiscordFrontEnd
    pipeline: Pipeline
    user_id: int = 600000000000000001  # the default DM author

    @property
    def dm(self) -> int:
        return self.fake.dm_channel_of(self.user_id)

    async def ask_dm(self, text: str, **kw) -> dict:
        since = len(self.fake.requests)
        message = self.fake.dm_message(text, **kw)
        await self.fake.message_create(message)
        posts = await self.fake.wait_for_post(int(message["channel_id"]), since=since)
        return posts[0].json


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()


def _discord_settings(settings: Settings, fake: FakeDiscord) -> Settings:
    settings.knowledge_path = MINI_KB
    settings.discord_token = TOKEN
    settings.discord_api_url = fake.api_url
    settings.discord_gateway_url = fake.gateway_url
    return settings


@asynccontextmanager
async def running(pipeline, settings, fake, options=None) -> AsyncIterator[DiscordFrontEnd]:
    """The bot, connected to the fake and past GUILD_CREATE."""
    from bots.discord_bot import quiet_library_logs

    quiet_library_logs()
    apply_urls(settings)
    options = options or DiscordOptions(
        support_channels=frozenset({fake.support_channel_id}),
        moderator_roles=frozenset({"support team"}),
    )
    front = DiscordFrontEnd(pipeline, settings, options)
    stop = asyncio.Event()
    task = asyncio.create_task(front.run(TOKEN, stop))
    try:
        await fake.wait_identified()
        await fake.wait_until(lambda: front.client.get_guild(fake.guild_id) is not None)
        yield front
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        apply_urls(Settings())  # back to Discord's addresses for whatever runs next


@pytest.fixture
async def bot(make_pipeline, settings, fake) -> AsyncIterator[Bot]:
    _discord_settings(settings, fake)
    pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
    async with running(pipeline, settings, fake) as front:
        yield Bot(fake, front, pipeline)


async def _settle(bot: Bot, seconds: float = 0.3) -> None:
    """Let the bot finish what it is doing: a DM round trip, then a short pause."""
    await bot.ask_dm("How long does a withdrawal take?", user_id=600000000000000077)
    await asyncio.sleep(seconds)


def _secret_windows(text: str, size: int = 4) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def assert_no_secret(log: str) -> None:
    assert WIF not in log
    assert SEED not in log
    for window in _secret_windows(SEED):
        assert window not in log, "part of the seed phrase left the bot"


def _ask_cli(text: str, settings: Settings) -> dict:
    """What `supportbot ask TEXT --json --kb MINI_KB` answers."""
    env = dict(os.environ, SUPPORTBOT_DATA_DIR=str(settings.data_dir / "cli"), HF_HUB_OFFLINE="1")
    proc = subprocess.run(
        ["supportbot", "ask", text, "--json", "--kb", str(MINI_KB)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


# --- direct messages -----------------------------------------------------------------------


async def test_dm_password_question_same_answer_as_cli_despite_429(make_pipeline, settings, fake):
    _discord_settings(settings, fake)
    cli = asyncio.create_task(asyncio.to_thread(_ask_cli, "How do I reset my password?", settings))
    pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
    async with running(pipeline, settings, fake):
        dm = fake.dm_channel_of()
        fake.rate_limit_next_post(dm, retry_after=0.3)
        since = len(fake.requests)
        await fake.message_create(fake.dm_message("How do I reset my password?"))
        posts = await fake.wait_for_post(dm, since=since)
    expected = await cli
    attempts = [r for r in fake.requests[since:] if r.path == f"/channels/{dm}/messages"]
    assert [r.status for r in attempts] == [429, 200]  # the 429 was waited out, then retried
    assert expected["action"] == "answer"
    assert posts[0].json["content"] == expected["text"]
    custom_ids = [b["custom_id"] for row in posts[0].json["components"] for b in row["components"]]
    assert f"fb:yes:{expected['faq_id']}" in custom_ids  # "did this help?" buttons


async def test_dm_chinese_question_gets_chinese_answer(bot: Bot):
    reply = await bot.ask_dm("我忘记密码了怎么办")
    assert "忘记密码" in reply["content"]
    assert "help@testex.example" in reply["content"]


async def test_dm_human_request_gets_ticket_link(bot: Bot):
    reply = await bot.ask_dm("I want to talk to a human")
    assert re.search(r"http://127\.0\.0\.1:8080/\S+", reply["content"]), reply["content"]


async def test_attachment_only_and_very_long_messages_then_answers(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    await fake.message_create(fake.dm_message("", attachments=[fake.attachment()]))
    await fake.message_create(fake.dm_message("withdrawal pending " * 280))  # 5,320 characters
    await fake.message_create(
        fake.guild_message(
            "", channel_id=fake.support_channel_id, attachments=[fake.attachment("a.jpg")]
        )
    )
    await fake.message_create(fake.guild_message("x" * 5000, channel_id=fake.general_channel_id))
    await fake.wait_for_post(bot.dm, since=since, count=2)
    reply = await bot.ask_dm("How do I reset my password?")
    assert "Forgot password" in reply["content"]
    for req in fake.posts(since=since):
        assert 0 < len(req.json["content"]) <= 2000


async def test_buttons_feedback_and_did_you_mean(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    await fake.message_create(fake.dm_message("How do I reset my password?"))
    post = (await fake.wait_for_post(bot.dm, since=since))[0]
    answer = post.answer
    since = len(fake.requests)
    await fake.interaction_create(
        fake.button_press(answer, "fb:yes:reset-password", in_guild=False, user_id=bot.user_id)
    )
    callback = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.endswith("/callback")]
    )
    assert callback[0].json["type"] == 6  # acknowledged (deferred update)
    followup = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert followup[0].json["content"] == bot.pipeline.t("en", "feedback_thanks")
    # "did you mean": the related-entry button answers that entry
    since = len(fake.requests)
    await fake.interaction_create(
        fake.button_press(answer, "faq:lost-2fa", in_guild=False, user_id=bot.user_id)
    )
    followup = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert "2FA" in followup[0].json["content"]


# --- servers --------------------------------------------------------------------------------


async def test_support_channel_and_mentions_are_answered_chatter_is_not(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    chatter = fake.guild_message("how do I reset my password lol, anyone?")
    await fake.message_create(chatter)
    question = fake.guild_message("How do I reset my password?", channel_id=fake.support_channel_id)
    await fake.message_create(question)
    posts = await fake.wait_for_post(fake.support_channel_id, since=since)
    assert "Forgot password" in posts[0].json["content"]
    assert str(posts[0].json["message_reference"]["message_id"]) == question["id"]
    mention = fake.guild_message("How long does a withdrawal take?", mention_bot=True)
    await fake.message_create(mention)
    posts = await fake.wait_for_post(fake.general_channel_id, since=since)
    assert "processed within a few hours" in posts[0].json["content"]
    assert str(posts[0].json["message_reference"]["message_id"]) == mention["id"]
    await _settle(bot)
    in_general = fake.posts(fake.general_channel_id, since=since)
    assert len(in_general) == 1  # the chatter got no answer
    assert not [r for r in fake.requests[since:] if r.method == "DELETE"]


@pytest.mark.parametrize("secret", ["seed", "wif"])
async def test_secret_in_server_message_is_deleted_and_member_warned(bot: Bot, secret):
    fake = bot.fake
    text = (
        f"hey can someone check my wallet, words are {SEED}"
        if secret == "seed"
        else f"is this key ok {WIF}"
    )
    since = len(fake.requests)
    leak = fake.guild_message(text)
    await fake.message_create(leak)
    delete = await fake.wait_for_request(
        "DELETE", f"/channels/{fake.general_channel_id}/messages/{leak['id']}", since=since
    )
    assert delete.status == 204
    warn = (await fake.wait_for_post(fake.general_channel_id, since=since))[0]
    assert bot.pipeline.t("en", "warn_staff_never_ask") in warn.json["content"]
    assert "message_reference" not in warn.json  # no reply to the deleted message
    assert fake.requests.index(delete) < fake.requests.index(warn)
    assert_no_secret(fake.log_text())


async def test_a_forwarded_secret_is_deleted_and_the_member_warned(bot: Bot):
    """A forward's own text is empty; what it carries is in its snapshot."""
    fake = bot.fake
    since = len(fake.requests)
    forward = fake.guild_message(
        "",
        message_reference={"type": 1, "message_id": "123", "channel_id": "456"},
        message_snapshots=[
            {
                "message": {
                    "content": f"my words {SEED}",
                    "type": 0,
                    "timestamp": "2026-01-01T00:00:00+00:00",
                    "edited_timestamp": None,
                    "attachments": [],
                    "embeds": [],
                    "mentions": [],
                    "mention_roles": [],
                    "flags": 0,
                }
            }
        ],
    )
    await fake.message_create(forward)
    await fake.wait_for_request(
        "DELETE", f"/channels/{fake.general_channel_id}/messages/{forward['id']}", since=since
    )
    warn = (await fake.wait_for_post(fake.general_channel_id, since=since))[0]
    assert bot.pipeline.t("en", "warn_staff_never_ask") in warn.json["content"]
    assert_no_secret(fake.log_text())


async def test_edit_that_adds_a_seed_phrase_is_deleted(bot: Bot):
    fake = bot.fake
    original = fake.guild_message("gm everyone")
    await fake.message_create(original)
    await _settle(bot)
    since = len(fake.requests)
    await fake.message_update(fake.edited(original, f"gm, my backup words: {SEED}"))
    await fake.wait_for_request(
        "DELETE", f"/channels/{fake.general_channel_id}/messages/{original['id']}", since=since
    )
    warn = (await fake.wait_for_post(fake.general_channel_id, since=since))[0]
    assert bot.pipeline.t("en", "warn_staff_never_ask") in warn.json["content"]
    assert_no_secret(fake.log_text())


async def test_secret_in_dm_is_warned_not_deleted(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    reply = await bot.ask_dm(f"my private key is {WIF} please help")
    assert bot.pipeline.t("en", "warn_staff_never_ask") in reply["content"]
    assert not [r for r in fake.requests[since:] if r.method == "DELETE"]  # not possible in DMs
    assert_no_secret(fake.log_text())


async def test_bots_and_own_messages_are_ignored(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    other_bot = fake.guild_message(f"words {SEED}", channel_id=fake.support_channel_id)
    other_bot["author"]["bot"] = True
    await fake.message_create(other_bot)
    own = fake.guild_message("How do I reset my password?", channel_id=fake.support_channel_id)
    own["author"] = fake.user(fake.bot_id, "supportbot", bot=True)
    await fake.message_create(own)
    await _settle(bot)
    assert not fake.posts(fake.support_channel_id, since=since)
    assert not [r for r in fake.requests[since:] if r.method == "DELETE"]


async def test_whole_request_log_holds_no_secret(bot: Bot):
    """Secrets in every place a member can put them: DM, server, edit, an escalated message."""
    fake = bot.fake
    await bot.ask_dm(f"{SEED}")
    await bot.ask_dm(f"my key {WIF} and how do I reset my password?")
    leak = fake.guild_message(f"{SEED} is this safe?", channel_id=fake.support_channel_id)
    await fake.message_create(leak)
    edit = fake.guild_message("hello")
    await fake.message_create(edit)
    await fake.message_update(fake.edited(edit, f"hello {WIF}"))
    target = fake.guild_message(f"help, my words {SEED}", user_id=600000000000000005)
    fake.messages.pop(int(target["id"]))  # as if the guard deleted it already
    await fake.interaction_create(
        fake.message_command(ESCALATE_MENU, target, permissions=MANAGE_MESSAGES)
    )
    await fake.wait_until(lambda: [r for r in fake.requests if r.path.startswith("/webhooks/")])
    await _settle(bot, 0.5)
    log = fake.log_text()
    assert bot.pipeline.t("en", "warn_staff_never_ask") in log  # the warnings did go out
    assert_no_secret(log)


# --- commands and moderators ----------------------------------------------------------------


async def test_slash_commands_are_registered(bot: Bot):
    fake = bot.fake
    await fake.wait_until(lambda: fake.commands)
    names = {(c["name"], c["type"]) for c in fake.commands}
    assert {("faq", 1), ("ticket", 1), ("escalate", 1), (ESCALATE_MENU, 3)} <= names
    assert {("reload", 1), ("status", 1)} <= names


async def test_slash_faq_lists_topics_as_buttons(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    await fake.interaction_create(fake.slash_command("faq"))
    followup = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    ids = [b["custom_id"] for row in followup[0].json["components"] for b in row["components"]]
    assert "cat:account" in ids and "cat:funds" in ids
    callback = [r for r in fake.requests[since:] if r.path.endswith("/callback")][0]
    assert callback.json["type"] == 5  # deferred ("thinking")


async def test_escalate_context_menu_moderator_only(bot: Bot):
    fake = bot.fake
    target = fake.guild_message("my withdrawal is stuck for 3 days", user_id=600000000000000005)
    await fake.message_create(target)
    since = len(fake.requests)
    await fake.interaction_create(fake.message_command(ESCALATE_MENU, target))  # a member
    refused = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert refused[0].json["content"] == bot.pipeline.t("en", "not_moderator")
    since = len(fake.requests)
    await fake.interaction_create(
        fake.message_command(ESCALATE_MENU, target, permissions=MANAGE_MESSAGES)
    )
    done = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert "http://127.0.0.1:8080/" in done[0].json["content"]
    tickets = await asyncio.to_thread(_open_tickets, bot.pipeline)
    assert any(t.user_id == target["author"]["id"] for t in tickets)
    # a configured moderator role works too (no Manage Messages)
    since = len(fake.requests)
    await fake.interaction_create(
        fake.slash_command(
            "escalate",
            [{"name": "member", "type": 6, "value": "600000000000000005"}],
            roles=[fake.moderator_role_id],
        )
        | {"data": _with_resolved_user(fake, "escalate", "600000000000000005")}
    )
    done = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert "http://127.0.0.1:8080/" in done[0].json["content"]


def _with_resolved_user(fake: FakeDiscord, name: str, user_id: str) -> dict:
    data = fake.slash_command(name, [{"name": "member", "type": 6, "value": user_id}])["data"]
    data["resolved"] = {"users": {user_id: fake.user(int(user_id), "carol")}}
    return data


def _open_tickets(pipeline: Pipeline):
    return pipeline.store.tickets()


async def test_text_escalate_as_reply(bot: Bot):
    fake = bot.fake
    target = fake.guild_message("I was charged twice for a trade", user_id=600000000000000006)
    await fake.message_create(target)
    since = len(fake.requests)
    command = fake.guild_message(
        "!escalate",
        user_id=600000000000000007,
        name="mod",
        roles=[fake.moderator_role_id],
        message_reference={"message_id": target["id"], "channel_id": target["channel_id"]},
        referenced_message=target,
        type=19,
    )
    await fake.message_create(command)
    # The ticket link is the key to the ticket: it goes to the moderator by DM, not the channel.
    dm = fake.dm_channel_of(600000000000000007)
    post = (await fake.wait_for_post(dm, since=since))[0]
    assert "http://127.0.0.1:8080/queue/" in post.json["content"]
    assert "/t/" not in post.json["content"]
    assert not any(
        "/t/" in p.json["content"] for p in fake.posts(fake.general_channel_id, since=since)
    )


async def test_text_escalate_with_a_reason_still_escalates_and_a_secret_is_guarded(bot: Bot):
    fake = bot.fake
    target = fake.guild_message("my card was charged twice", user_id=600000000000000008)
    await fake.message_create(target)
    reference = {
        "message_reference": {"message_id": target["id"], "channel_id": target["channel_id"]},
        "referenced_message": target,
        "type": 19,
    }
    moderator = {"user_id": 600000000000000007, "name": "mod", "roles": [fake.moderator_role_id]}
    since = len(fake.requests)
    await fake.message_create(
        fake.guild_message("!escalate double charge", **moderator, **reference)
    )
    await fake.wait_for_post(fake.dm_channel_of(600000000000000007), since=since)
    tickets = await asyncio.to_thread(_open_tickets, bot.pipeline)
    assert [t.user_id for t in tickets] == ["600000000000000008"]  # the member, not the moderator
    # the reason is kept as a staff note, which the member's page does not show
    store = bot.pipeline.store
    notes = [m for m in store.messages(tickets[0].id) if m.author == "note"]
    assert [n.text for n in notes] == ["Escalated: double charge"]
    assert all(m.author != "note" for m in store.messages(tickets[0].id, notes=False))
    since = len(fake.requests)
    leak = fake.guild_message(f"!escalate {SEED}", **moderator, **reference)
    await fake.message_create(leak)
    await fake.wait_for_request(
        "DELETE", f"/channels/{fake.general_channel_id}/messages/{leak['id']}", since=since
    )
    assert_no_secret(fake.log_text())


async def test_text_escalate_without_a_message_to_escalate_tells_the_moderator_how(bot: Bot):
    fake = bot.fake
    moderator = {"user_id": 600000000000000007, "name": "mod", "roles": [fake.moderator_role_id]}
    since = len(fake.requests)
    await fake.message_create(fake.guild_message("!escalate", **moderator))
    usage = (await fake.wait_for_post(since=since))[0]
    assert "Reply to a member's message with /escalate" in usage.json["content"]
    assert not await asyncio.to_thread(_open_tickets, bot.pipeline)


# --- reliability -----------------------------------------------------------------------------


async def test_long_reply_is_split_and_private_reply_goes_by_dm(bot: Bot):
    fake = bot.fake
    client = bot.front.client
    channel = client.get_channel(fake.general_channel_id)
    member = await _member(client, fake)
    out = DiscordChannel(channel, member)
    since = len(fake.requests)
    text = ("All about withdrawals. " * 100 + "\n") * 2 + "回答" * 300
    await out.send(Reply(text, buttons=[Button("Yes", "fb:yes:x"), Button("Yes", "fb:yes:x")]))
    posts = fake.posts(fake.general_channel_id, since=since)
    assert len(posts) >= 3 and all(0 < len(p.json["content"]) <= 2000 for p in posts)
    assert "".join(p.json["content"] for p in posts).replace("\n", "").replace(" ", "") == (
        text.replace("\n", "").replace(" ", "")
    )
    assert "components" in posts[-1].json and len(posts[-1].json["components"][0]) >= 1
    assert all(not p.json.get("components") for p in posts[:-1])
    # private: by DM; with DMs closed, in the channel
    since = len(fake.requests)
    await out.send(Reply("Just for you", private=True))
    dm = fake.dm_channel_of(member.id)
    assert [p.json["content"] for p in fake.posts(dm, since=since)] == ["Just for you"]
    fake.close_dms(member.id)
    since = len(fake.requests)
    await out.send(Reply("Just for you, again", private=True))
    assert [p.json["content"] for p in fake.posts(fake.general_channel_id, since=since)] == [
        "Just for you, again"
    ]
    await out.send(Reply("   "))  # never an empty message
    assert len(fake.posts(since=since)) == 1


async def _member(client: discord.Client, fake: FakeDiscord) -> discord.Member:
    guild = client.get_guild(fake.guild_id)
    data = fake.member()
    data["user"] = fake.user(600000000000000003, "dave")
    return discord.Member(data=data, guild=guild, state=client._connection)  # type: ignore[arg-type]


def test_split_text_never_empty_never_over_limit():
    assert split_text("") == []
    assert split_text("  \n ") == []
    assert split_text("short") == ["short"]
    pieces = split_text("a" * 4500)
    assert [len(p) for p in pieces] == [2000, 2000, 500]
    pieces = split_text(("word " * 1000).strip())
    assert all(0 < len(p) <= 2000 for p in pieces)
    assert " ".join(pieces).split() == ["word"] * 1000


async def test_heartbeats_keep_flowing_while_answering(make_pipeline, settings):
    server = await FakeDiscord(heartbeat_interval_ms=250).start()
    try:
        _discord_settings(settings, server)
        pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
        async with running(pipeline, settings, server):
            start, beats = time.monotonic(), server.heartbeats
            since = len(server.requests)
            for i in range(12):
                await server.message_create(
                    server.dm_message("How long does a withdrawal take?", user_id=610 + i)
                )
            await server.wait_for_post(since=since, count=12, timeout=30)
            await asyncio.sleep(0.6)
            elapsed = time.monotonic() - start
            assert server.heartbeats - beats >= int(elapsed / 0.25) - 2
            assert server.connections == 1  # never dropped and reconnected
    finally:
        await server.close()


async def test_sync_failure_is_not_fatal(make_pipeline, settings, fake):
    _discord_settings(settings, fake)
    fake.fail_next("GET", f"/applications/{fake.app_id}/commands", 403, code=50001)
    pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
    async with running(pipeline, settings, fake):
        b = Bot(fake, None, pipeline)  # type: ignore[arg-type]
        reply = await b.ask_dm("How do I reset my password?")
        assert "Forgot password" in reply["content"]
        assert not fake.commands


async def test_sharded_client_uses_configured_gateway(make_pipeline, settings, fake):
    _discord_settings(settings, fake)
    pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
    options = DiscordOptions(sharded=True)
    async with running(pipeline, settings, fake, options) as front:
        assert isinstance(front.client, discord.AutoShardedClient)
        identify = [f for f in fake.gateway_frames if f.get("op") == 2][0]
        assert identify["d"]["shard"] == [0, 1]
        reply = await Bot(fake, front, pipeline).ask_dm("How do I reset my password?")
        assert "Forgot password" in reply["content"]


async def test_serve_applies_urls_and_intents_and_stops(make_pipeline, settings, fake):
    _discord_settings(settings, fake)
    pipeline = await make_pipeline(MINI_KB, **_check_links_kwargs())
    stop = asyncio.Event()
    task = asyncio.create_task(serve(pipeline, settings, stop, options=DiscordOptions()))
    await fake.wait_identified()
    identify = [f for f in fake.gateway_frames if f.get("op") == 2][0]["d"]
    intents = discord.Intents._from_value(identify["intents"])
    assert intents.guilds and intents.guild_messages and intents.dm_messages
    assert intents.message_content
    assert discord.http.Route.BASE == fake.api_url
    stop.set()
    await asyncio.wait_for(task, 15)
    assert fake._ws is None  # the connection was closed
    apply_urls(Settings())
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


def test_options_from_env():
    options = DiscordOptions.from_env(
        {
            "DISCORD_SUPPORT_CHANNELS": "123, 456,abc",
            "DISCORD_MODERATOR_ROLE": "Support Team,Mods",
            "DISCORD_SHARDED": "1",
        }
    )
    assert options.support_channels == {123, 456}
    assert options.moderator_roles == {"support team", "mods"}
    assert options.sharded and options.shard_count is None


def test_sigterm_stops_supportbot_run_discord(tmp_path, fake_server_thread):
    fake, loop = fake_server_thread
    env = dict(
        os.environ,
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        SUPPORTBOT_DATA_DIR=str(tmp_path / "data"),
        SUPPORTBOT_KNOWLEDGE=str(MINI_KB),
        SUPPORTBOT_LOG_LEVEL="DEBUG",
        HF_HUB_OFFLINE="1",
    )
    log_path = tmp_path / "bot.log"
    log_file = log_path.open("wb")  # a file, not a pipe: a full pipe would block the bot
    proc = subprocess.Popen(
        ["supportbot", "run", "discord"],
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )

    def run(coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    try:
        run(fake.wait_identified(timeout=90), 100)
        run(fake.wait_until(lambda: fake.commands))  # past login, setup and READY
        question = "How do I reset my password?"
        for text in (question, f"my words are {SEED}"):
            since = len(fake.requests)
            run(fake.message_create(fake.dm_message(text)))
            run(fake.wait_for_post(fake.dm_channel_of(), since=since))
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        code = proc.wait(timeout=15)
        output = log_path.read_text(errors="replace")
        assert code == 0, output[-3000:]
        assert time.monotonic() - start < 15
        assert "answered reset-password" in output  # the log works (at DEBUG level) ...
        for private in (TOKEN, question, SEED, *_secret_windows(SEED)):
            assert private not in output  # ... and holds no token, message text or secret
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log_file.close()


@pytest.fixture
def fake_server_thread():
    """A fake Discord on its own event loop in a thread (for a bot in a subprocess)."""
    import threading

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = asyncio.run_coroutine_threadsafe(FakeDiscord().start(), loop).result(10)
    yield fake, loop
    asyncio.run_coroutine_threadsafe(fake.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


async def test_chinese_button_press_answers_in_chinese(bot: Bot):
    fake = bot.fake
    since = len(fake.requests)
    await fake.message_create(fake.dm_message("我忘记密码了怎么办"))
    answer = (await fake.wait_for_post(bot.dm, since=since))[0].answer
    since = len(fake.requests)
    await fake.interaction_create(
        fake.button_press(answer, "faq:lost-2fa", in_guild=False, user_id=bot.user_id)
    )
    followup = await fake.wait_until(
        lambda: [r for r in fake.requests[since:] if r.path.startswith("/webhooks/")]
    )
    assert "二步验证" in followup[0].json["content"]


async def test_reconnects_after_the_library_fails_on_an_event(bot: Bot):
    """A payload discord.py cannot parse ends its connection; the bot comes back."""
    fake = bot.fake
    broken = fake.slash_command("faq")
    del broken["attachment_size_limit"]
    await fake.interaction_create(broken)
    await fake.wait_identified(count=2, timeout=20)
    reply = await bot.ask_dm("How do I reset my password?")
    assert "Forgot password" in reply["content"]
