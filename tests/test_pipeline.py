"""The core through the in-memory channel: push a message, pop the replies.

Real model, real SQLite under tmp_path; mini_kb for most behaviour, the shipped knowledge for
the questions users really ask.
"""

from __future__ import annotations

import asyncio
import textwrap
import threading

import pytest
from conftest import MINI_KB, message
from sqlalchemy import select

from shared.matching import AsyncMatcher, MatchResult
from shared.messages import CollectingChannel, Incoming
from shared.pipeline import Pipeline
from shared.settings import SHIPPED_KNOWLEDGE, Settings
from shared.tickets import FeedbackRow

PASSWORD = "hunter2!"
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
OUT_OF_SCOPE = "What is the weather in Paris tomorrow?"

# Two entries so alike that a question about either of them is torn between both.
TORN_KB = """
settings:
  exchange_name: TornEx
  # Only a clear winner is answered; the rest of the defaults are the shipped ones.
  matching: {margin: 0.6, answer_threshold: 0.7, suggest_threshold: 0.6}
entries:
  - id: withdraw-btc
    category: funds
    title: {en: Withdraw bitcoin, zh: 提取比特币}
    questions: ["How do I withdraw to my wallet?", "send my BTC out"]
    answer: {en: Bitcoin withdrawals., zh: 比特币提现。}
  - id: withdraw-eth
    category: funds
    title: {en: Withdraw ether, zh: 提取以太坊}
    questions: ["How do I withdraw to my wallet?", "send my ETH out"]
    answer: {en: Ether withdrawals., zh: 以太坊提现。}
  - id: open-account
    category: account
    questions: ["how do I open an account", "怎么开户", "新用户怎么注册账号"]
    answer: {en: "Sign up on the website, then write to {support_email}."}
"""


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_data_dir(request, tmp_path_factory):
    """Embedding and adapter caches kept in pytest's cache folder between runs (both are
    keyed by the model and the texts); every test still gets its own database."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    return cache.mkdir("supportbot-data") if cache else tmp_path_factory.mktemp("data")


@pytest.fixture
def settings(shared_data_dir, tmp_path):
    """conftest's settings, but with the shared cache; the database is still per test."""
    return Settings(
        data_dir=shared_data_dir,
        database_url=f"sqlite:///{tmp_path / 'supportbot.sqlite3'}",
        public_url="http://127.0.0.1:8080",
        knowledge_path=SHIPPED_KNOWLEDGE,
        watch_knowledge=False,
    )


async def ask(pipeline: Pipeline, text: str = "", **fields):
    """Send one message; return (outcome, replies)."""
    msg = message(text, **fields)
    outcome = await pipeline.handle(msg)
    return outcome, msg.channel.replies


async def press(pipeline: Pipeline, payload: str, **fields):
    return await ask(pipeline, "", payload=payload, **fields)


def payloads(reply) -> list[str]:
    return [b.payload for b in reply.buttons]


def ticket_of(pipeline: Pipeline, url: str):
    token = url.rsplit("/t/", 1)[1]
    ticket = pipeline.store.by_token(token)
    assert ticket is not None, url
    return ticket


def transcript(pipeline: Pipeline, url: str) -> list[str]:
    return [m.text for m in pipeline.store.messages(ticket_of(pipeline, url).id)]


def feedback_rows(pipeline: Pipeline) -> list[tuple]:
    with pipeline.store.sessions() as session:
        rows = session.scalars(select(FeedbackRow).order_by(FeedbackRow.id)).all()
        return [(r.entry_id, r.helpful, r.question, r.language) for r in rows]


@pytest.fixture
async def mini(make_pipeline):
    return await make_pipeline(MINI_KB)


@pytest.fixture
async def torn(make_pipeline, tmp_path):
    path = tmp_path / "torn.yaml"
    path.write_text(textwrap.dedent(TORN_KB), encoding="utf-8")
    return await make_pipeline(path)


@pytest.fixture
async def shipped(make_pipeline):
    return await make_pipeline(SHIPPED_KNOWLEDGE)


# --- answers -----------------------------------------------------------------------------------


async def test_english_question_gets_english_answer_with_feedback_buttons(mini):
    outcome, replies = await ask(mini, "How do I reset my password?")
    (reply,) = replies
    assert (outcome.action, outcome.faq_id, outcome.language) == ("answer", "reset-password", "en")
    assert outcome.score >= mini.knowledge.settings.matching.answer_threshold
    assert reply.kind == "answer"
    assert reply.text.startswith('Use "Forgot password" on the login page.')
    assert "help@testex.example" in reply.text  # the contact placeholder is filled
    assert "Related: Lost 2FA device" in reply.text
    assert payloads(reply) == ["faq:lost-2fa", "fb:yes:reset-password", "fb:no:reset-password"]
    assert [b.label for b in reply.buttons][-2:] == ["Yes", "No"]


async def test_chinese_question_gets_chinese_answer(mini):
    outcome, (reply,) = await ask(mini, "我忘记密码了怎么办")
    assert (outcome.action, outcome.faq_id, outcome.language) == ("answer", "reset-password", "zh")
    assert reply.text.startswith('在登录页点击"忘记密码"')
    assert "相关问题: 丢失二步验证设备" in reply.text
    assert [b.label for b in reply.buttons] == ["丢失二步验证设备", "解决了", "没有"]


async def test_english_question_matches_an_entry_with_only_chinese_phrasings(mini):
    assert all("\u4e00" <= q[0] <= "\u9fff" for q in mini.knowledge.entry("only-chinese").questions)
    outcome, (reply,) = await ask(mini, "how much are the trading fees")
    assert (outcome.action, outcome.faq_id, outcome.language) == ("answer", "only-chinese", "en")
    assert reply.text.startswith("See the fee schedule on the official website.\n\n")


async def test_answer_missing_in_users_language_falls_back_to_the_default(torn):
    outcome, (reply,) = await ask(torn, "怎么开户")
    assert (outcome.action, outcome.faq_id) == ("answer", "open-account")
    assert outcome.language == "en"
    assert reply.text.startswith("Sign up on the website")
    # The unset contact is the neutral phrase of the language actually used.
    assert "the support e-mail address on the official website" in reply.text


async def test_shipped_knowledge_answers_common_questions_in_both_languages(shipped):
    cases = [
        ("How do I reset my password?", "reset-password", "en"),
        ("我忘记密码了怎么办", "reset-password", "zh"),
        ("how do I contact support by email", "email-support", "en"),
    ]
    for text, faq_id, language in cases:
        outcome, (reply,) = await ask(shipped, text, conversation_id=text)
        assert (outcome.action, outcome.faq_id, outcome.language) == ("answer", faq_id, language)
        assert f"fb:no:{faq_id}" in payloads(reply)
        assert "{" not in reply.text and "}" not in reply.text


async def test_unset_contacts_render_the_neutral_phrase_in_the_shipped_knowledge(shipped):
    assert shipped.knowledge.settings.contacts["support_email"] is None
    outcome, (reply,) = await ask(shipped, "how do I contact support by email")
    assert outcome.faq_id == "email-support"
    assert "e-mail support at the support e-mail address on the official website" in reply.text
    outcome, (reply,) = await ask(shipped, "怎么发邮件联系客服", conversation_id="zh")
    assert (outcome.faq_id, outcome.language) == ("email-support", "zh")
    assert "官网公布的客服邮箱" in reply.text


async def test_set_contacts_render_their_value(make_pipeline, tmp_path):
    text = (SHIPPED_KNOWLEDGE / "settings.yaml").read_text(encoding="utf-8")
    text = text.replace("support_email: null", "support_email: help@bfx.example")
    kb = tmp_path / "kb"
    kb.mkdir()
    for path in SHIPPED_KNOWLEDGE.glob("*.yaml"):
        (kb / path.name).write_bytes(path.read_bytes())
    (kb / "settings.yaml").write_text(text, encoding="utf-8")
    pipeline = await make_pipeline(kb)
    outcome, (reply,) = await ask(pipeline, "how do I contact support by email")
    assert outcome.faq_id == "email-support"
    assert "e-mail support at help@bfx.example" in reply.text
    assert "or use the form on the support page" in reply.text  # the rest is unchanged


# --- did you mean, buttons, feedback -----------------------------------------------------------


async def test_torn_between_two_entries_suggests_both_and_none_of_these(torn):
    outcome, (reply,) = await ask(torn, "How do I withdraw crypto to my wallet?")
    assert outcome.action == "suggest", outcome
    assert set(outcome.suggestions) == {"withdraw-btc", "withdraw-eth"}
    assert reply.kind == "suggest"
    assert set(payloads(reply)[:2]) == {"faq:withdraw-btc", "faq:withdraw-eth"}
    assert payloads(reply)[-1] == "ticket"
    assert reply.buttons[-1].label == "None of these"
    assert "Did you mean" in reply.text and "Withdraw ether" in reply.text


async def test_question_identical_to_a_phrasing_of_two_entries_is_not_answered(
    make_pipeline, tmp_path
):
    path = tmp_path / "twins.yaml"
    text = textwrap.dedent(TORN_KB)
    path.write_text(text[: text.index("  # Only")] + text[text.index("entries:") :])
    pipeline = await make_pipeline(path)
    assert pipeline.knowledge.settings.matching.margin < 0.6  # the shipped default
    assert any("also a phrasing of" in w.message for w in pipeline.knowledge.warnings)
    outcome, _ = await ask(pipeline, "How do I withdraw to my wallet?")
    assert outcome.action == "suggest"


async def test_pressing_a_suggestion_answers_that_entry(torn):
    await ask(torn, "How do I withdraw crypto to my wallet?")
    outcome, (reply,) = await press(torn, "faq:withdraw-eth")
    assert (outcome.action, outcome.faq_id, outcome.score) == ("answer", "withdraw-eth", None)
    assert reply.text == "Ether withdrawals.\n\nDid this answer your question?"
    assert payloads(reply) == ["fb:yes:withdraw-eth", "fb:no:withdraw-eth"]


async def test_pressing_none_of_these_opens_a_ticket(torn):
    await ask(torn, "How do I withdraw crypto to my wallet?")
    outcome, (reply,) = await press(torn, "ticket")
    assert outcome.action == "escalate" and reply.kind == "escalate"
    assert "How do I withdraw crypto to my wallet?" in transcript(torn, outcome.ticket_url)


async def test_a_button_whose_entry_a_reload_removed_offers_the_topics_now(mini):
    """Old buttons stay in chats for ever: a press of one whose entry or topic is gone gets
    the current topics, not silence."""
    for payload in ("faq:no-such-entry", "cat:no-such-topic"):
        outcome, (reply,) = await press(mini, payload)
        assert outcome.action == "info" and reply.text.startswith("That choice is no longer")
        assert payloads(reply) and all(p.startswith("cat:") for p in payloads(reply))


async def test_a_feedback_press_for_an_entry_not_in_the_knowledge_stores_nothing(mini):
    outcome, (reply,) = await press(mini, "fb:yes:" + "x" * 300)
    assert reply.text == "Glad it helped!" and feedback_rows(mini) == []
    await press(mini, "fb:no:" + "x" * 300)  # offers help all the same, stores nothing
    assert feedback_rows(mini) == []
    await press(mini, "fb:yes:reset-password")
    assert [row[:2] for row in feedback_rows(mini)] == [("reset-password", True)]


async def test_that_didnt_help_offers_the_runner_up_then_a_human(mini):
    channel = CollectingChannel()
    first = await mini.handle(message("How do I reset my password?", channel=channel))
    assert first.faq_id == "reset-password"
    outcome = await mini.handle(message("that didn't help", channel=channel))
    assert outcome.action == "suggest" and outcome.suggestions == ["lost-2fa"]
    reply = channel.replies[-1]
    assert payloads(reply) == ["faq:lost-2fa", "ticket"]
    assert reply.buttons[-1].label == "Talk to a human"
    assert feedback_rows(mini) == [("reset-password", False, "How do I reset my password?", "en")]
    # Nothing left to offer: the next "didn't help" goes to a human.
    await mini.handle(message("How do I reset my password?", channel=channel))
    await mini.handle(message("that didn't help", channel=channel))
    outcome = await mini.handle(message("没有帮助", channel=channel))
    assert outcome.action == "escalate"
    assert outcome.ticket_url


async def test_feedback_no_button_offers_alternatives_and_stores_the_feedback(mini):
    await ask(mini, "How do I reset my password?")
    outcome, (reply,) = await press(mini, "fb:no:reset-password")
    assert outcome.action == "suggest"
    assert payloads(reply) == ["faq:lost-2fa", "ticket"]
    assert feedback_rows(mini) == [("reset-password", False, "How do I reset my password?", "en")]


async def test_feedback_no_without_alternatives_opens_a_ticket(mini):
    # e.g. a button under an answer given before the bot restarted: nothing else to offer
    outcome, (reply,) = await press(mini, "fb:no:only-chinese")
    assert outcome.action == "escalate" and outcome.ticket_url
    assert ticket_of(mini, outcome.ticket_url).reason == "not_helpful"
    assert feedback_rows(mini) == [("only-chinese", False, "", "en")]


async def test_feedback_yes_thanks_and_stores_the_feedback(mini):
    await ask(mini, "我忘记密码了怎么办")
    outcome, (reply,) = await press(mini, "fb:yes:reset-password", language="zh")
    assert reply.text == "很高兴能帮到你!"
    assert feedback_rows(mini) == [("reset-password", True, "我忘记密码了怎么办", "zh")]


# --- hand-off and tickets ----------------------------------------------------------------------


async def test_nothing_fits_hands_off_with_a_redacted_transcript(mini):
    channel = CollectingChannel()
    first = await mini.handle(message(SEED, channel=channel))
    assert first.action == "warn"
    outcome = await mini.handle(message(OUT_OF_SCOPE, channel=channel))
    assert outcome.action == "escalate"
    assert outcome.ticket_url.startswith("http://127.0.0.1:8080/t/")
    reply = channel.replies[-1]
    assert reply.kind == "escalate" and outcome.ticket_url in reply.text
    assert "I don't have a good answer" in reply.text
    lines = transcript(mini, outcome.ticket_url)
    assert lines == ["[seed phrase removed]", OUT_OF_SCOPE]
    ticket = ticket_of(mini, outcome.ticket_url)
    assert (ticket.reason, ticket.platform, ticket.status) == ("unknown", "console", "open")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I want to talk to a human", "en"),
        ("can I speak to a real person please", "en"),
        ("人工客服", "zh"),
        ("我要转人工", "zh"),
    ],
)
async def test_explicit_request_for_a_human_opens_a_ticket(mini, text, language):
    outcome, (reply,) = await ask(mini, text)
    assert (outcome.action, outcome.language) == ("escalate", language)
    assert outcome.ticket_url in reply.text
    assert ticket_of(mini, outcome.ticket_url).reason == "requested"
    assert ticket_of(mini, outcome.ticket_url).language == language


async def test_the_same_conversation_gets_the_same_ticket(mini):
    first, _ = await ask(mini, "I want to talk to a human")
    second, (reply,) = await ask(mini, "人工客服")
    assert second.ticket_url == first.ticket_url
    assert reply.text.startswith("你的工单仍在处理中")
    other, _ = await ask(mini, "I want to talk to a human", user_id="someone-else")
    assert other.ticket_url != first.ticket_url
    assert len(mini.store.tickets("open")) == 2


async def test_two_concurrent_requests_open_one_ticket(mini):
    results = await asyncio.gather(
        ask(mini, "I want to talk to a human"), ask(mini, "/ticket", command="ticket")
    )
    urls = {outcome.ticket_url for outcome, _ in results}
    assert len(urls) == 1 and None not in urls
    assert len(mini.store.tickets()) == 1


async def test_messages_from_a_member_with_an_open_ticket_join_it(mini):
    opened, _ = await ask(mini, "I want to talk to a human")
    outcome, _ = await ask(mini, "My deposit has not arrived")
    assert outcome.faq_id == "deposit-missing"  # still answered
    outcome, (reply,) = await ask(mini, OUT_OF_SCOPE)
    assert outcome.action == "escalate" and outcome.ticket_url == opened.ticket_url
    assert reply.text.startswith("Your ticket is still open")
    assert transcript(mini, opened.ticket_url) == [
        "I want to talk to a human",
        "My deposit has not arrived",
        OUT_OF_SCOPE,
    ]


def close_when_found(pipeline: Pipeline, method: str) -> list[int]:
    """Make ``store.<method>`` close the ticket it finds before returning it: a moderator
    closing the ticket while the member's message is on its way. Returns the closed ids."""
    store, closed = pipeline.store, []
    found = getattr(store, method)

    def racing(*args, **kwargs):
        result = found(*args, **kwargs)
        ticket = result[0] if isinstance(result, tuple) else result
        if ticket is not None and not closed:
            closed.append(ticket.id)
            assert store.close(ticket.id)
        return result

    setattr(store, method, racing)
    return closed


async def test_a_message_racing_the_close_of_its_ticket_is_not_lost(mini):
    first, _ = await ask(mini, "I want to talk to a human")
    closed = close_when_found(mini, "find_open")
    outcome, (reply,) = await ask(mini, OUT_OF_SCOPE)
    assert closed == [ticket_of(mini, first.ticket_url).id]
    assert transcript(mini, first.ticket_url) == ["I want to talk to a human"]
    # not swallowed by the closed ticket: a question like any other, here a new ticket
    assert outcome.action == "escalate" and outcome.ticket_url != first.ticket_url
    assert reply.text.startswith("I don't have a good answer for that")
    assert OUT_OF_SCOPE in transcript(mini, outcome.ticket_url)


async def test_ticket_words_racing_the_close_of_the_ticket_open_a_new_one(mini):
    first, _ = await ask(mini, "I want to talk to a human")
    closed = close_when_found(mini, "open_ticket")
    outcome, _ = await ask(mini, "/ticket my card was charged twice", command="ticket")
    assert closed == [ticket_of(mini, first.ticket_url).id]
    assert outcome.ticket_url != first.ticket_url
    assert "my card was charged twice" in " ".join(transcript(mini, outcome.ticket_url))
    assert not any("charged" in line for line in transcript(mini, first.ticket_url))


async def test_escalated_words_racing_the_close_of_the_ticket_open_a_new_one(mini):
    group = {"is_private": False, "conversation_id": "group-1"}
    first, _ = await ask(mini, "I want to talk to a human", user_id="alice", **group)
    closed = close_when_found(mini, "open_ticket")
    mod = message("", is_moderator=True, user_id="mod", **group)
    outcome = await mini.escalate(
        mod, target_user_id="alice", target_user_name="alice", target_text="still not paid"
    )
    assert closed == [ticket_of(mini, first.ticket_url).id]
    assert outcome.ticket_url != first.ticket_url
    assert "alice: still not paid" in transcript(mini, outcome.ticket_url)


async def test_escalating_words_already_on_a_ticket_closed_meanwhile_opens_a_new_one(mini):
    group = {"is_private": False, "conversation_id": "group-1"}
    first, _ = await ask(mini, "I want to talk to a human", user_id="alice", **group)
    await ask(mini, "still not paid", user_id="alice", **group)  # joins ticket #1
    closed = close_when_found(mini, "open_ticket")
    mod = message("", is_moderator=True, user_id="mod", **group)
    outcome = await mini.escalate(
        mod, target_user_id="alice", target_user_name="alice", target_text="still not paid"
    )
    assert closed == [ticket_of(mini, first.ticket_url).id]
    assert outcome.ticket_url != first.ticket_url  # not "added to" the closed ticket
    assert ticket_of(mini, outcome.ticket_url).status == "open"
    assert "alice: still not paid" in transcript(mini, outcome.ticket_url)


async def test_moderator_escalation_redacts_the_target_text(mini):
    group = {"is_private": False, "conversation_id": "group-1", "user_name": "bob"}
    await ask(mini, "anyone around?", addressed=False, user_id="bob", **group)
    mod = message("", is_moderator=True, user_id="mod", **group)
    outcome = await mini.escalate(
        mod,
        target_user_id="alice",
        target_user_name="alice",
        target_text=f"my withdrawal is stuck, my password is {PASSWORD}",
    )
    assert outcome.action == "escalate"
    assert mod.channel.replies[0].text.startswith("A moderator opened support ticket #")
    lines = transcript(mini, outcome.ticket_url)
    assert lines == [
        "bob: anyone around?",
        "alice: my withdrawal is stuck, my password is [password removed]",
    ]
    ticket = ticket_of(mini, outcome.ticket_url)
    assert (ticket.user_id, ticket.escalated_by, ticket.reason) == ("alice", "mod", "moderator")


async def test_escalate_is_refused_for_non_moderators(mini):
    msg = message("", is_private=False, conversation_id="g")
    outcome = await mini.escalate(msg, target_user_id="alice", target_text="help")
    assert msg.channel.replies[0].text == "Only moderators can do that."
    assert outcome.ticket_url is None and mini.store.tickets() == []


# --- commands ----------------------------------------------------------------------------------


async def test_start_and_help_commands(mini):
    outcome, (reply,) = await ask(mini, "", command="start")
    assert outcome.action == "info" and "TestEx support bot" in reply.text
    outcome, (reply,) = await ask(mini, "", command="help", language="zh-CN", user_id="zh")
    assert outcome.language == "zh" and "/ticket - 转人工客服" in reply.text


async def test_faq_command_lists_topics_and_a_topic_lists_its_entries(mini):
    outcome, (reply,) = await ask(mini, "", command="faq")
    assert reply.text == "Pick a topic:"
    assert payloads(reply) == ["cat:account", "cat:funds", "cat:trading"]
    assert [b.label for b in reply.buttons] == ["Account", "Deposits & withdrawals", "Trading"]
    outcome, (reply,) = await press(mini, "cat:funds")
    assert payloads(reply) == ["faq:withdrawal-time", "faq:deposit-missing"]
    assert reply.buttons[0].label == "Withdrawal processing time"


async def test_ticket_command_opens_a_ticket(mini):
    outcome, (reply,) = await ask(mini, "", command="ticket")
    assert outcome.action == "escalate" and reply.kind == "escalate"
    assert mini.store.tickets()[0].reason == "requested"


@pytest.mark.parametrize("command", ["reload", "status", "RELOAD"])
async def test_moderator_commands_are_refused_for_members(mini, command):
    outcome, (reply,) = await ask(mini, "", command=command)
    assert reply.kind == "error" and reply.text == "Only moderators can do that."


async def test_status_and_reload_for_a_moderator(mini):
    outcome, (reply,) = await ask(mini, "", command="status", is_moderator=True)
    assert reply.text.startswith("5 entries, model ")
    outcome, (reply,) = await ask(mini, "", command="reload", is_moderator=True)
    assert reply.text == "Knowledge reloaded: 5 entries."


async def test_unknown_command_is_treated_as_a_question(mini):
    outcome, _ = await ask(mini, "reset my password", command="howto")
    assert (outcome.action, outcome.faq_id) == ("answer", "reset-password")


# --- groups and the guard ----------------------------------------------------------------------


async def test_group_message_not_addressed_to_the_bot_gets_no_reply(mini):
    outcome, replies = await ask(
        mini, "How do I reset my password?", is_private=False, addressed=False
    )
    assert outcome.action == "none" and replies == []


async def test_secret_in_unaddressed_group_message_is_deleted_and_warned(mini):
    channel = CollectingChannel(can_delete=True)
    outcome = await mini.handle(
        message(
            f"lol my seed is {SEED}",
            channel=channel,
            is_private=False,
            addressed=False,
            user_name="carol",
            conversation_id="group-2",
        )
    )
    assert channel.deleted
    assert outcome.action == "warn" and outcome.kinds == ["seed_phrase"]
    (reply,) = channel.replies
    assert reply.kind == "warn"
    assert reply.text.startswith("Warning, carol:")
    assert "I removed the message." in reply.text
    assert "abandon" not in reply.text
    room = list(mini.conversations.room("console", "group-2"))
    assert room == [("user", "carol: lol my seed is [seed phrase removed]")]


async def test_secret_in_group_without_delete_right_asks_the_user_to_delete(mini):
    channel = CollectingChannel(can_delete=False)
    await mini.handle(
        message(f"my password is {PASSWORD}", channel=channel, is_private=False, addressed=False)
    )
    assert not channel.deleted
    assert "Please delete the message yourself now." in channel.replies[0].text


async def test_private_secret_and_question_warns_first_then_answers_the_redacted_question(mini):
    outcome, replies = await ask(
        mini, f"my password is {PASSWORD} and I forgot my password", user_name="dave"
    )
    assert outcome.action == "warn" and outcome.kinds == ["password"]
    assert [r.kind for r in replies] == ["warn", "answer"]
    assert all(PASSWORD not in r.text and "hunter2" not in r.text for r in replies)
    assert "Change that password right away" in replies[0].text
    assert "delete" not in replies[0].text  # nothing to delete in a private chat
    assert "fb:yes:reset-password" in payloads(replies[1])
    state = mini.conversations.state("console", "console", "user")
    assert "hunter2" not in state.last_question and "[password removed]" in state.last_question


async def test_secret_alone_gets_only_the_warning(mini):
    outcome, replies = await ask(mini, f"{SEED}")
    assert outcome.action == "warn"
    assert [r.kind for r in replies] == ["warn"]
    assert "seed phrase gives full control" in replies[0].text


async def test_warning_without_a_user_name_reads_cleanly(mini):
    _, replies = await ask(mini, f"my password is {PASSWORD}", user_name="")
    assert replies[0].kind == "warn"
    assert not replies[0].text.startswith("Warning, :")
    _, replies = await ask(mini, "我的密码是Abc12345", user_name="", conversation_id="zh")
    assert replies[0].kind == "warn" and "请注意" in replies[0].text
    assert not replies[0].text.startswith(",")


async def test_a_guard_failure_never_lets_the_raw_text_into_a_ticket(mini, monkeypatch):
    def broken_detector(text):  # a detector bug on some odd input
        raise RuntimeError("detector failed")

    monkeypatch.setattr("shared.guard.find_seed_phrases", broken_detector)
    outcome, _ = await ask(mini, f"my password is {PASSWORD}, I want to talk to a human")
    lines = transcript(mini, outcome.ticket_url) if outcome.ticket_url else []
    state = mini.conversations.state("console", "console", "user")
    kept = lines + [text for _, text in state.history]
    assert kept and not any("hunter2" in line for line in kept)


# --- odd input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "👍", "???"])
async def test_empty_or_media_only_message_asks_for_text(mini, text):
    outcome, (reply,) = await ask(mini, text)
    assert outcome.action == "info"
    assert reply.text == "Send me your question as text, and I'll do my best to help."


async def test_media_only_message_in_a_chinese_conversation_gets_chinese(mini):
    channel = CollectingChannel()
    await mini.handle(message("充值没到账", channel=channel))
    await mini.handle(message("", channel=channel))
    assert channel.replies[-1].text == "请用文字发送你的问题,我会尽力帮你。"


async def test_a_5000_character_message_is_answered_from_its_start(mini):
    text = "How do I reset my password? " + "x" * 4972
    assert len(text) == 5000
    outcome, (reply,) = await ask(mini, text)
    assert (outcome.action, outcome.faq_id) == ("answer", "reset-password")


# --- concurrency -------------------------------------------------------------------------------


async def test_32_concurrent_questions_all_get_their_own_answer(mini):
    questions = [
        ("How do I reset my password?", "reset-password", "en"),
        ("我忘记密码了怎么办", "reset-password", "zh"),
        ("how long does a withdrawal take", "withdrawal-time", "en"),
        ("提现多久到账", "withdrawal-time", "zh"),
        ("My deposit has not arrived", "deposit-missing", "en"),
        ("充值没到账", "deposit-missing", "zh"),
        ("how to reset 2FA", "lost-2fa", "en"),
        ("how much are the trading fees", "only-chinese", "en"),
    ] * 4
    index = mini.live.matcher.index
    batches = []
    real_rank = index.rank

    def counting_rank(texts, top=5):
        batches.append(len(texts))
        return real_rank(texts, top)

    index.rank = counting_rank
    results = await asyncio.gather(
        *(ask(mini, q, conversation_id=f"c{i}") for i, (q, _, _) in enumerate(questions))
    )
    for (outcome, replies), (_, faq_id, language) in zip(results, questions, strict=True):
        assert (outcome.action, outcome.faq_id, outcome.language) == ("answer", faq_id, language)
        assert len(replies) == 1
    assert sum(batches) == 32
    assert len(batches) < 32  # questions that arrive together are encoded together


async def test_the_matcher_survives_a_failed_batch_and_an_asker_who_gives_up(mini):
    matcher = mini.live.matcher
    index = matcher.index
    real_rank = index.rank
    release = threading.Event()
    calls = []

    def slow_then_failing_rank(texts, top=5):
        calls.append(list(texts))
        if len(calls) == 1:
            release.wait(5)  # hold the worker so that the next questions queue up
            return real_rank(texts, top)
        if len(calls) == 2:
            raise ValueError("model failed")
        return real_rank(texts, top)

    index.rank = slow_then_failing_rank
    first = matcher.submit("How do I reset my password?")
    gives_up = matcher.submit("how long does a withdrawal take")
    fails = matcher.submit("充值没到账")
    gives_up.cancel()
    release.set()
    assert (await first).best.entry.id == "reset-password"
    with pytest.raises(ValueError, match="model failed"):
        await fails
    assert calls[1] == ["充值没到账"]  # the asker who gave up was not encoded
    # the next question gets a fresh batch and its answer
    assert (await matcher.rank("充值没到账")).best.entry.id == "deposit-missing"


async def test_closing_the_matcher_cancels_waiting_questions(mini):
    matcher = mini.live.matcher
    release = threading.Event()
    real_rank = matcher.index.rank
    matcher.index.rank = lambda texts, top=5: release.wait(5) and real_rank(texts, top)
    running = matcher.submit("How do I reset my password?")
    waiting = matcher.submit("how long does a withdrawal take")
    await matcher.close()
    release.set()
    assert waiting.cancelled() and running.cancelled()  # in the worker or not
    with pytest.raises(asyncio.CancelledError):
        await matcher.rank("anything")  # and nothing new starts


class HeldIndex:
    """Records the batches it is asked to rank; holds the first until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.drop_one = False  # answer one question too few (a broken index)

    def rank(self, texts, top=5):
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.release.wait(5)
        results = [MatchResult(()) for _ in texts]
        return results[1:] if self.drop_one else results


async def test_the_matcher_splits_what_waits_into_batches_of_max_batch():
    index = HeldIndex()
    matcher = AsyncMatcher(index, max_batch=2)  # type: ignore[arg-type]
    futures = [matcher.submit(f"q{i}") for i in range(5)]
    index.release.set()
    assert all(isinstance(r, MatchResult) for r in await asyncio.gather(*futures))
    assert index.batches == [["q0"], ["q1", "q2"], ["q3", "q4"]]
    await matcher.close()
    with pytest.raises(ValueError):
        AsyncMatcher(index, max_batch=0)  # type: ignore[arg-type]


async def test_a_wrong_number_of_results_fails_its_askers_and_the_matcher_goes_on():
    index = HeldIndex()
    matcher = AsyncMatcher(index)  # type: ignore[arg-type]
    index.drop_one = True
    first, second = matcher.submit("a"), matcher.submit("b")
    index.release.set()
    for future in (first, second):
        with pytest.raises(RuntimeError, match="results for"):
            await future
    index.drop_one = False
    assert isinstance(await matcher.rank("c"), MatchResult)
    await matcher.close()


async def test_conversations_do_not_share_state(mini):
    a = {"conversation_id": "a"}
    await ask(mini, "How do I reset my password?", **a)
    outcome, _ = await ask(mini, "that didn't help", conversation_id="b")
    assert outcome.action == "escalate"
    assert ticket_of(mini, outcome.ticket_url).reason == "unknown"
    outcome, _ = await ask(mini, "that didn't help", **a)
    assert outcome.action == "suggest"


def test_incoming_defaults_are_a_private_addressed_console_message():
    msg = Incoming(text="hi", channel=CollectingChannel())
    assert (msg.platform, msg.is_private, msg.addressed, msg.is_moderator) == (
        "console",
        True,
        True,
        False,
    )


async def test_rating_buttons_count_only_well_formed_presses_of_the_member(mini):
    opened, _ = await ask(mini, "I want to talk to a human")
    ticket = ticket_of(mini, opened.ticket_url)
    mini.store.close(ticket.id)
    # forged or foreign payloads: nothing happens, nothing breaks
    for payload in (
        "rate:abc:3",
        "rate:1:0",
        "rate:1:9",
        "rate:²:3",
        "rate:99999999999999999999:3",
    ):
        outcome, replies = await press(mini, payload)
        assert outcome.action == "none" and not replies
    other = message("", payload=f"rate:{ticket.id}:2", user_id="someone-else")
    await mini.handle(other)
    (refused,) = other.channel.replies
    assert "can be rated once" in refused.text and refused.private
    assert not other.channel.buttons_cleared  # the stars stay for the member

    class Unclearable(CollectingChannel):  # the platform refuses to edit the message
        async def clear_buttons(self) -> None:
            raise TimeoutError

    member = message("", payload=f"rate:{ticket.id}:3", channel=Unclearable())
    await mini.handle(member)
    (thanks,) = member.channel.replies  # the answer and the rating stand
    assert thanks.text == f"Thank you! You rated ticket #{ticket.id}: ★★★☆☆"
    assert mini.store.get(ticket.id).rating == 3
    again = message("", payload=f"rate:{ticket.id}:5")  # the stars were left: pressed again
    await mini.handle(again)
    assert "can be rated once" in again.channel.replies[0].text
    assert again.channel.buttons_cleared and mini.store.get(ticket.id).rating == 3


async def test_an_answer_lists_its_entrys_links(make_pipeline, tmp_path):
    zh_answer = "      zh: 提现通常在几小时内处理,具体取决于网络情况。\n"
    kb = MINI_KB.read_text(encoding="utf-8").replace(
        zh_answer,
        zh_answer
        + "    links:\n"
        + "      - {title: {en: Network status, zh: 网络状态}, url: 'https://status.testex.example'}\n"
        + "      - {title: {en: Help centre}, url: '{help_center_url}'}\n"
        + "      - {title: {en: Write to us}, url: 'mailto:{support_email}'}\n",
    )
    assert "links:" in kb
    path = tmp_path / "kb.yaml"
    path.write_text(kb, encoding="utf-8")
    pipeline = await make_pipeline(path)
    outcome, (reply,) = await ask(pipeline, "How long does a withdrawal take?")
    assert outcome.faq_id == "withdrawal-time"
    assert "Network status: https://status.testex.example" in reply.text
    assert "Write to us: mailto:help@testex.example" in reply.text
    assert "Help centre" not in reply.text  # its address is an unset contact
    outcome, (reply,) = await ask(pipeline, "提现多久到账", user_id="zh")
    assert "网络状态: https://status.testex.example" in reply.text


# --- small talk, questions about staff, "that didn't help" -------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("hi", "en", "smalltalk_greeting"),
        ("hello!", "en", "smalltalk_greeting"),
        ("thanks", "en", "smalltalk_thanks"),
        ("thank you, that helped", "en", "smalltalk_thanks"),
        ("ok thanks bye", "en", "smalltalk_goodbye"),
        ("你好", "zh", "smalltalk_greeting"),
        ("谢谢", "zh", "smalltalk_thanks"),
        ("好的谢谢", "zh", "smalltalk_thanks"),
    ],
)
async def test_small_talk_gets_a_reply_not_a_ticket(shipped, text, language, key):
    """These opened tickets ("I don't have a good answer") or offered random entries."""
    outcome, (reply,) = await ask(shipped, text, user_id=f"u-{text}")
    assert outcome.action == "info" and outcome.language == language
    assert reply.text == shipped.t(language, key)
    assert shipped.store.tickets() == []


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("提交工单要写哪些资料", "prepare-info"),
        ("怎么跟进我的工单", "follow-up-request"),
        ("can I chat with someone right now?", "live-chat"),
        ("工单没人回", "support-no-reply"),
        ("before i open a ticket what should i collect", "prepare-info"),
    ],
)
async def test_a_question_about_tickets_or_staff_is_answered_from_the_knowledge(
    shipped, text, entry
):
    outcome, _ = await ask(shipped, text, user_id=f"u-{entry}")
    assert (outcome.action, outcome.faq_id) == ("answer", entry)
    assert shipped.store.tickets() == []


@pytest.mark.parametrize("text", ["I want to talk to a human", "我要人工客服", "转人工"])
async def test_a_request_for_a_human_still_opens_a_ticket(shipped, text):
    outcome, _ = await ask(shipped, text, user_id=f"u-{text}")
    assert outcome.action == "escalate" and len(shipped.store.tickets()) == 1


async def test_not_helpful_is_the_whole_short_message(shipped):
    await ask(shipped, "忘记密码怎么办", user_id="nh")
    # a new question that happens to hold 没有用 is a question, not feedback
    outcome, _ = await ask(shipped, "有没有用户交流群或者论坛", user_id="nh")
    assert outcome.action in ("answer", "suggest") and outcome.faq_id != "reset-password"
    assert not [f for f in _feedback(shipped) if not f.helpful]
    await ask(shipped, "How do I reset my password?", user_id="nh2")
    outcome, _ = await ask(shipped, "no, that didn't work", user_id="nh2")
    assert [f.entry_id for f in _feedback(shipped) if not f.helpful] == ["reset-password"]


def _feedback(pipeline):
    from shared.tickets import FeedbackRow

    with pipeline.store.sessions() as session:
        return list(session.scalars(select(FeedbackRow)))


async def test_that_didnt_help_never_offers_an_entry_answered_before(mini):
    channel = CollectingChannel()
    first = await mini.handle(message("How do I reset my password?", channel=channel))
    second = await mini.handle(message("how to reset 2FA", channel=channel))
    assert (first.faq_id, second.faq_id) == ("reset-password", "lost-2fa")
    outcome = await mini.handle(message("that didn't help", channel=channel))
    assert "reset-password" not in (outcome.suggestions or [])
    assert not any("faq:reset-password" in b.payload for b in channel.replies[-1].buttons)
