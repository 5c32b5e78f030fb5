"""ScrubFilter: no platform token and no secret the guard knows ever reaches a log line."""

from __future__ import annotations

import io
import logging

import pytest

from shared.logs import NOISY, ScrubFilter, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SEED = (
    "abandon ability able about above absent absorb abstract absurd abuse access accident "
    "acoustic acquire across act action actor actress actual adapt add addict address"
)


@pytest.fixture
def captured():
    """A logger whose records go through ScrubFilter into a StringIO."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(ScrubFilter([TOKEN, "", "short"]))
    logger = logging.getLogger("test_logs.scrub")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, out
    logger.handlers.clear()


def test_platform_token_is_replaced_in_message_and_arguments(captured):
    logger, out = captured
    logger.info("GET https://api.telegram.org/bot%s/getMe -> %d", TOKEN, 200)
    logger.warning("token was " + TOKEN)
    text = out.getvalue()
    assert TOKEN not in text
    assert TOKEN[:20] not in text
    assert text.count("[token]") == 2
    assert "getMe -> 200" in text


def test_seed_phrase_is_removed(captured):
    logger, out = captured
    logger.info("user wrote: %s", SEED)
    text = out.getvalue()
    assert "INFO user wrote:" in text
    assert "abandon ability able" not in text
    assert "actress actual adapt" not in text


def test_token_in_an_exception_traceback_is_replaced(captured):
    logger, out = captured
    try:
        raise RuntimeError(f"connect failed for {TOKEN}")
    except RuntimeError:
        logger.exception("network error")
    text = out.getvalue()
    assert "RuntimeError" in text and "network error" in text
    assert TOKEN not in text


def test_ordinary_lines_pass_unchanged(captured):
    logger, out = captured
    logger.info("answered %s (%s) on %s", "reset-password", "en", "telegram")
    assert out.getvalue() == "INFO answered reset-password (en) on telegram\n"


def test_short_tokens_are_ignored_so_common_words_survive(captured):
    logger, out = captured
    logger.info("a short message")
    assert out.getvalue() == "INFO a short message\n"


def test_setup_logging_installs_the_filter_and_quiets_chat_libraries():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("debug", [TOKEN])
        (handler,) = root.handlers
        assert any(isinstance(f, ScrubFilter) for f in handler.filters)
        assert root.level == logging.DEBUG
        assert all(logging.getLogger(n).level == logging.WARNING for n in NOISY)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
