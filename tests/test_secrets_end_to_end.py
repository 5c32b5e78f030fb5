"""Secrets from both labelled sets through the whole pipeline, then a search of everything the
bot produced for them: every reply (text and buttons), every row of every database table, and
every log line written at DEBUG through the production logging set-up."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select

from shared.logs import setup_logging
from shared.messages import CollectingChannel, Incoming
from tests.conftest import MINI_KB

DATA = Path(__file__).parent / "data"


def _positives(name: str, every: int) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [r for r in rows if r["kinds"]][::every]


def _needles(row: dict) -> set[str]:
    """The secrets, and for long ones every run of four of their tokens (a partial leak)."""
    needles = set()
    for secret in row["secrets"]:
        needles.add(secret)
        spans = [m.span() for m in re.finditer(r"\S+", secret)]
        needles.update(secret[a[0] : b[1]] for a, b in zip(spans, spans[3:], strict=False))
    return {n for n in needles if len(n) >= 6}


def _database_text(url: str) -> str:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    parts = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                parts.extend(str(value) for value in row if value is not None)
    engine.dispose()
    return "\n".join(parts)


async def test_no_secret_reaches_a_reply_the_database_or_a_log(make_pipeline, settings):
    rows = _positives("guard_labelled.jsonl", 9) + _positives("guard_holdout.jsonl", 7)
    kinds = {k for r in rows for k in r["kinds"]}
    assert kinds == {"seed_phrase", "private_key", "password", "otp", "api_key", "card_number"}
    assert len(rows) >= 200
    for row in rows:  # the search below can only fail if the needles are in the messages
        assert all(needle in row["text"] for needle in _needles(row))

    log = io.StringIO()
    setup_logging("DEBUG")
    logging.getLogger().handlers[0].setStream(log)
    try:
        pipeline = await make_pipeline(MINI_KB)
        channels: list[CollectingChannel] = []

        async def send(text: str, i: int, **fields) -> None:
            channel = CollectingChannel(can_delete=True)
            channels.append(channel)
            fields.setdefault("conversation_id", f"chat-{i % 25}")
            await pipeline.handle(
                Incoming(
                    text=text,
                    channel=channel,
                    platform="test",
                    user_id=f"user-{i % 25}",
                    user_name=f"member{i % 25}",
                    **fields,
                )
            )

        for i, row in enumerate(rows):
            mode = i % 4
            if mode == 0:  # a private question holding a secret, then a hand-off
                await send(row["text"] + " how do I reset my password?", i)
                await send("that didn't help", i)
                await send("I want to talk to a human", i)
            elif mode == 1:  # group chatter, not addressed to the bot
                await send(
                    row["text"], i, is_private=False, addressed=False, conversation_id="group"
                )
            elif mode == 2:  # a harmless message edited to hold the secret
                await send(
                    row["text"],
                    i,
                    is_private=False,
                    addressed=True,
                    edited=True,
                    conversation_id="group",
                )
            else:  # a moderator escalates a member's message that holds the secret
                channel = CollectingChannel()
                channels.append(channel)
                moderator = Incoming(
                    text="/escalate",
                    channel=channel,
                    platform="test",
                    conversation_id="group",
                    user_id="mod",
                    is_moderator=True,
                    is_private=False,
                )
                await pipeline.escalate(
                    moderator,
                    target_user_id=f"user-{i}",
                    target_user_name="member",
                    target_text=row["text"],
                )
    finally:
        logging.getLogger().handlers.clear()

    replies = "\n".join(
        reply.text + "\n" + "\n".join(f"{b.label} {b.payload}" for b in reply.buttons)
        for channel in channels
        for reply in channel.replies
    )
    database = _database_text(settings.sqlalchemy_url)
    logs = log.getvalue()
    assert database.count("removed]") >= 50  # the hand-offs were stored, redacted
    assert replies.count("Warning") >= 50  # and the members were warned
    for row in rows:
        for needle in _needles(row):
            assert needle not in replies, f"a {row['kinds']} secret in a reply"
            assert needle not in database, f"a {row['kinds']} secret in the database"
            assert needle not in logs, f"a {row['kinds']} secret in the logs"
