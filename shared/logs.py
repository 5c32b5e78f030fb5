"""Logging that cannot leak: platform tokens and anything the guard recognises are
scrubbed from every record, and the chat libraries' DEBUG chatter (which carries tokens
and message texts) is kept quiet."""

from __future__ import annotations

import logging
from collections.abc import Iterable

NOISY = (
    "httpx",
    "httpcore",
    "telegram",
    "discord",
    "websockets",
    "aiohttp",
    "urllib3",
    "sentence_transformers",
    "transformers",
    "filelock",
    "huggingface_hub",
    "alembic.runtime.plugins",  # a line per plugin at every start; the migrations still log
)


class ScrubFilter(logging.Filter):
    """Replaces tokens and secrets in the final message of every record."""

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        super().__init__()
        self.tokens = [t for t in tokens if t and len(t) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.scrub(record.getMessage()), None
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # an exception's message may quote what a user wrote
            record.exc_text = self.scrub(record.exc_text)
        return True

    def scrub(self, text: str) -> str:
        for token in self.tokens:
            text = text.replace(token, "[token]")
        try:
            from shared.guard import scan

            return scan(text).redacted
        except Exception:  # the guard must never stop a log line; tokens are gone already
            return text


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(value: str) -> str:
    """An argparse type for --log-level (and SUPPORTBOT_LOG_LEVEL, its default)."""
    if value.strip().upper() not in LEVELS:
        import argparse

        raise argparse.ArgumentTypeError(f"'{value}' is not one of {', '.join(LEVELS)}")
    return value.strip().upper()


def setup_logging(level: str = "INFO", tokens: Iterable[str] = ()) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter(tokens))
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
