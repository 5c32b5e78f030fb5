"""Live knowledge: an edited file is picked up; a broken edit keeps the last good knowledge."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from conftest import MINI_KB, message

from shared.settings import SHIPPED_KNOWLEDGE, Settings

NEW_ENTRY = """
  - id: api-keys
    category: account
    title: {en: Create an API key, zh: 创建 API 密钥}
    questions:
      - How do I create an API key for my trading bot?
      - where can I generate API keys
      - 怎么创建API密钥
    answer:
      en: Open the API page in your account settings and create a key with the least rights.
      zh: 在账户设置的 API 页面创建密钥，只给最少的权限。
"""
API_QUESTION = "how can I generate an API key for my trading bot"


@pytest.fixture(scope="session")
def shared_data_dir(request, tmp_path_factory):
    """Embedding and adapter caches kept between runs; each test has its own database."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    return cache.mkdir("supportbot-data") if cache else tmp_path_factory.mktemp("data")


@pytest.fixture
def settings(shared_data_dir, tmp_path):
    return Settings(
        data_dir=shared_data_dir,
        database_url=f"sqlite:///{tmp_path / 'supportbot.sqlite3'}",
        knowledge_path=SHIPPED_KNOWLEDGE,
        watch_knowledge=False,
    )


@pytest.fixture
def kb(tmp_path):
    """A folder holding a copy of mini_kb, for the tests to edit."""
    folder = tmp_path / "kb"
    folder.mkdir()
    path = folder / "mini_kb.yaml"
    shutil.copyfile(MINI_KB, path)
    return path


def add_entry(path):
    path.write_text(path.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")


def break_yaml(path):
    """An edit with a YAML syntax error (an unclosed flow mapping); returns its line."""
    text = path.read_text(encoding="utf-8") + NEW_ENTRY.replace(
        "title: {en: Create an API key, zh: 创建 API 密钥}", "title: {en: Create an API key"
    )
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index("    title: {en: Create an API key") + 1


async def ask(pipeline, text, **fields):
    msg = message(text, **fields)
    outcome = await pipeline.handle(msg)
    return outcome, msg.channel.replies


async def test_an_added_entry_is_answered_after_reload(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent, watch=True)
    before, _ = await ask(pipeline, API_QUESTION)
    assert before.faq_id != "api-keys"
    add_entry(kb)
    result = await pipeline.reload()
    assert result.ok and result.entries == 6
    assert pipeline.live.last_error == ()
    outcome, (reply,) = await ask(pipeline, API_QUESTION, conversation_id="after")
    assert (outcome.action, outcome.faq_id) == ("answer", "api-keys")
    assert reply.text.startswith("Open the API page")
    outcome, _ = await ask(pipeline, "怎么创建API密钥", conversation_id="zh")
    assert (outcome.faq_id, outcome.language) == ("api-keys", "zh")


async def test_a_new_file_in_the_folder_is_picked_up(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    (kb.parent / "more.yaml").write_text("entries:" + NEW_ENTRY, encoding="utf-8")
    result = await pipeline.reload()
    assert result.ok and len(pipeline.knowledge.files) == 2
    outcome, _ = await ask(pipeline, API_QUESTION)
    assert outcome.faq_id == "api-keys"


async def test_a_broken_edit_keeps_the_last_good_knowledge_then_recovers(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    line = break_yaml(kb)
    result = await pipeline.reload()
    assert not result.ok and result.entries == 5
    errors = [p for p in pipeline.live.last_error if "YAML syntax error" in p.message]
    assert errors and errors[0].file == str(kb)
    assert line <= errors[0].line <= line + 1
    assert str(errors[0]).startswith(f"{kb}:{errors[0].line}: YAML syntax error")
    # The old knowledge still answers; the half-written entry is not there.
    outcome, _ = await ask(pipeline, "How do I reset my password?")
    assert (outcome.action, outcome.faq_id) == ("answer", "reset-password")
    assert pipeline.knowledge.entry("api-keys") is None
    # Fixed again: the error is gone and the new entry answers.
    kb.write_bytes(MINI_KB.read_bytes())
    add_entry(kb)
    result = await pipeline.reload()
    assert result.ok and pipeline.live.last_error == ()
    outcome, _ = await ask(pipeline, API_QUESTION, conversation_id="fixed")
    assert outcome.faq_id == "api-keys"


async def test_a_schema_error_is_refused_like_a_syntax_error(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    kb.write_text(kb.read_text(encoding="utf-8").replace("follow_up: [lost-2fa]", "follow_up: [x]"))
    result = await pipeline.reload()
    assert not result.ok
    (problem,) = pipeline.live.last_error
    assert "follow_up names unknown entry 'x'" in problem.message
    assert problem.file == str(kb)
    assert pipeline.knowledge.entry("reset-password").follow_up == ("lost-2fa",)


async def test_status_and_reload_show_the_error_to_a_moderator(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    line = break_yaml(kb)
    outcome, (reply,) = await ask(pipeline, "", command="reload", is_moderator=True)
    assert reply.text.startswith("The knowledge has errors, so I kept the previous version:")
    assert f"{kb}:" in reply.text
    outcome, (reply,) = await ask(pipeline, "", command="status", is_moderator=True)
    first, *errors = reply.text.splitlines()
    assert first.startswith("5 entries, model ")
    assert any(e.startswith(f"error: {kb}:") and "YAML syntax error" in e for e in errors)
    assert any(f":{line}:" in e or f":{line + 1}:" in e for e in errors)
    # Members learn nothing about the files.
    outcome, (reply,) = await ask(pipeline, "", command="status", user_id="member")
    assert str(kb) not in reply.text


async def test_the_watcher_picks_up_an_edit_by_itself(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent, watch=True)
    assert pipeline.live._task is not None
    add_entry(kb)
    deadline = time.monotonic() + 30
    while pipeline.knowledge.entry("api-keys") is None:
        assert time.monotonic() < deadline, "the watcher did not reload within 30 s"
        await asyncio.sleep(0.2)
    outcome, _ = await ask(pipeline, API_QUESTION)
    assert outcome.faq_id == "api-keys"
    # And a broken edit found by the watcher is reported, the entry kept.
    break_yaml(kb)
    while not pipeline.live.last_error:
        assert time.monotonic() < deadline + 15, "the watcher did not notice the broken edit"
        await asyncio.sleep(0.2)
    assert pipeline.live.last_error[0].file == str(kb)
    assert pipeline.knowledge.entry("api-keys") is not None


async def test_a_loader_failure_nobody_foresaw_is_refused_not_raised(
    make_pipeline, kb, monkeypatch
):
    """Whatever a file makes the loader raise, /reload answers and the bot keeps serving."""
    pipeline = await make_pipeline(kb.parent)

    def unforeseen(path):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("shared.watcher.load_knowledge", unforeseen)
    outcome, (reply,) = await ask(pipeline, "", command="reload", is_moderator=True)
    assert "RecursionError" in reply.text
    (problem,) = pipeline.live.last_error
    assert problem.file == str(kb.parent)
    outcome, _ = await ask(pipeline, "How do I reset my password?", conversation_id="after")
    assert (outcome.action, outcome.faq_id) == ("answer", "reset-password")


def test_a_text_with_broken_placeholders_is_sent_as_written():
    from shared.pipeline import _fill

    assert _fill("Write to {support_email:d}", {"support_email": "a@b"}) == (
        "Write to {support_email:d}"
    )
    assert _fill("Ask away :-}", {}) == "Ask away :-}"
    assert _fill("Hi {exchange_name}, {unknown}", {"exchange_name": "X"}) == "Hi X, {unknown}"


async def test_questions_are_answered_from_the_old_index_while_a_reload_builds(make_pipeline, kb):
    """The new index is built beside the encoder's worker, not in it: a question asked while
    the build is held up is answered at once, from the knowledge in use."""
    import threading

    pipeline = await make_pipeline(kb.parent)
    live = pipeline.live
    building, release = threading.Event(), threading.Event()
    model_of = live.model_for

    def slow_model_for(knowledge):  # the build, held until the question was answered
        building.set()
        release.wait(60)
        return model_of(knowledge)

    live.model_for = slow_model_for
    add_entry(kb)
    reload = asyncio.create_task(pipeline.reload())
    try:
        assert await asyncio.to_thread(building.wait, 30)
        outcome, replies = await asyncio.wait_for(ask(pipeline, "how long do withdrawals take"), 30)
        assert outcome.faq_id == "withdrawal-time" and replies
        assert not reload.done()
    finally:
        release.set()
    assert (await reload).ok
    outcome, _ = await ask(pipeline, API_QUESTION)
    assert outcome.faq_id == "api-keys"


async def test_a_reload_encodes_only_the_texts_that_changed(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    pipeline.live.cache_dir = None  # no disk cache: what is not reused must be encoded
    encoders = pipeline.live.matcher.index.model.encoders
    encoded: list[str] = []
    originals = [enc.encode for enc in encoders]

    def counting(original):
        def encode(texts):
            encoded.extend(texts)
            return original(texts)

        return encode

    for enc, original in zip(encoders, originals, strict=True):
        enc.encode = counting(original)
    try:
        add_entry(kb)
        assert (await pipeline.reload()).ok
    finally:
        for enc in encoders:
            del enc.encode  # back to the class's method
    new_texts = {
        "How do I create an API key for my trading bot?",
        "where can I generate API keys",
        "怎么创建API密钥",
        "Create an API key",
        "创建 API 密钥",
        "Open the API page in your account settings and create a key with the least rights.",
        "在账户设置的 API 页面创建密钥，只给最少的权限。",
    }
    assert set(encoded) <= new_texts and len(encoded) <= 2 * len(new_texts)
    outcome, _ = await ask(pipeline, API_QUESTION)
    assert outcome.faq_id == "api-keys"


def split_settings(kb):
    """mini_kb as two files: settings.yaml (the settings block) and the entries."""
    text = kb.read_text(encoding="utf-8")
    head, entries = text.split("entries:", 1)
    (kb.parent / "settings.yaml").write_text(head, encoding="utf-8")
    kb.write_text("entries:" + entries, encoding="utf-8")


@pytest.mark.parametrize("how", ["deleted", "emptied"])
async def test_a_lost_settings_file_keeps_the_last_good_knowledge(make_pipeline, kb, how):
    split_settings(kb)
    pipeline = await make_pipeline(kb.parent)
    assert pipeline.knowledge.settings.official_domains == ("testex.example",)
    settings_file = kb.parent / "settings.yaml"
    if how == "deleted":
        settings_file.unlink()
    else:
        settings_file.write_text("", encoding="utf-8")
    result = await pipeline.reload()
    assert not result.ok
    (problem,) = pipeline.live.last_error
    assert problem.file == str(settings_file) and "settings block is gone" in problem.message
    assert pipeline.knowledge.settings.official_domains == ("testex.example",)
    # the defaults on purpose
    settings_file.write_text("settings: {}\n", encoding="utf-8")
    assert (await pipeline.reload()).ok
    assert pipeline.knowledge.settings.official_domains == ()


async def test_an_entries_file_emptied_by_a_half_save_is_not_swapped_in(make_pipeline, kb):
    (kb.parent / "more.yaml").write_text("entries:" + NEW_ENTRY, encoding="utf-8")
    pipeline = await make_pipeline(kb.parent)
    (kb.parent / "more.yaml").write_text("", encoding="utf-8")
    result = await pipeline.reload()
    assert not result.ok and result.entries == 6
    assert "empty now" in pipeline.live.last_error[0].message
    assert pipeline.knowledge.entry("api-keys") is not None
    (kb.parent / "more.yaml").unlink()  # dropping its entries on purpose
    assert (await pipeline.reload()).ok and pipeline.knowledge.entry("api-keys") is None


def test_knowledge_files_in_any_case_and_never_hidden_or_vanished(kb):
    from shared.knowledge import KnowledgeError, load_knowledge

    (kb.parent / "more.YAML").write_text("entries:" + NEW_ENTRY, encoding="utf-8")
    (kb.parent / "._more.yaml").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    assert load_knowledge(kb.parent).entry("api-keys") is not None
    (kb.parent / "gone.yaml").symlink_to(kb.parent / "nowhere.yaml")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(kb.parent)
    (problem,) = [p for p in raised.value.problems if not p.warning]
    assert problem.file.endswith("gone.yaml") and "not there" in problem.message


async def test_a_model_that_cannot_be_loaded_keeps_the_last_good_knowledge(make_pipeline, kb):
    pipeline = await make_pipeline(kb.parent)
    text = kb.read_text(encoding="utf-8")
    kb.write_text(text.replace("settings:\n", "settings:\n  matching: {model: nope}\n", 1))
    result = await pipeline.reload()
    assert not result.ok
    (problem,) = pipeline.live.last_error
    assert (problem.file, problem.line) == (str(kb), 3)
    assert "matching.model 'nope' cannot be loaded" in problem.message
    outcome, _ = await ask(pipeline, "How do I reset my password?")
    assert outcome.faq_id == "reset-password"
