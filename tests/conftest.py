"""Shared fixtures: a real pipeline (real model, real SQLite) on a throw-away data folder.

Models are loaded once per test session (shared.matching caches them), so a fresh
pipeline per test costs only the index build.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach a model hub

from shared.messages import CollectingChannel, Incoming  # noqa: E402
from shared.pipeline import Pipeline  # noqa: E402
from shared.settings import SHIPPED_KNOWLEDGE, Settings  # noqa: E402

DATA = Path(__file__).parent / "data"
MINI_KB = DATA / "mini_kb.yaml"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as a fresh install has them, with data under tmp_path."""
    return Settings(
        data_dir=tmp_path / "data",
        public_url="http://127.0.0.1:8080",
        knowledge_path=SHIPPED_KNOWLEDGE,
        watch_knowledge=False,
    )


@pytest.fixture
async def make_pipeline(settings: Settings):
    """make_pipeline(knowledge_path=None) -> a started Pipeline, closed after the test."""
    started: list[Pipeline] = []

    async def make(knowledge_path: Path | None = None, **kwargs) -> Pipeline:
        if knowledge_path is not None:
            settings.knowledge_path = Path(knowledge_path)
        pipeline = await Pipeline.start(settings, **kwargs)
        started.append(pipeline)
        return pipeline

    yield make
    for pipeline in started:
        await pipeline.close()


def message(text: str, **fields) -> Incoming:
    """An incoming private message with a collecting channel (push a message, pop a reply)."""
    fields.setdefault("channel", CollectingChannel())
    return Incoming(text=text, **fields)
