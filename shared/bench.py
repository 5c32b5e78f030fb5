"""`supportbot bench`: the speed figures README.md reports, measured on this machine.

- encoder_p50_ms: the bare model(s) on one question (in the matcher's worker thread);
- pipeline_p50_ms: one question through the whole pipeline (guard, match, reply);
- throughput_per_s: questions answered per second with ``concurrency`` askers at once;
- rss_mb: resident memory of this process afterwards;
- startup_s: a fresh process, warm cache, from start to ready to answer.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from shared.messages import CollectingChannel, Incoming
from shared.settings import Settings

STARTUP_SCRIPT = """
import asyncio, sys, time
started = time.perf_counter()
from shared.pipeline import Pipeline
from shared.settings import Settings
async def main():
    settings = Settings.from_env()
    pipeline = await Pipeline.start(settings, watch=False)
    await pipeline.live.matcher.rank("warm up")
    print(time.perf_counter() - started)
    await pipeline.close()
asyncio.run(main())
"""


def _questions(knowledge, count: int) -> list[str]:
    phrasings = [q for e in knowledge.entries for q in e.questions]
    return [phrasings[(i * 7919) % len(phrasings)] for i in range(count)]


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 2)


async def _measure(settings: Settings, count: int, concurrency: int) -> dict:
    from shared.pipeline import Pipeline

    pipeline = await Pipeline.start(settings, watch=False)
    try:
        questions = _questions(pipeline.knowledge, count)
        model = pipeline.live.matcher.index.model

        def time_encoders(q: str) -> float:
            started = time.perf_counter()
            for encoder in model.encoders:
                encoder.encode([q])
            return (time.perf_counter() - started) * 1000

        async def ask(member: int, text: str) -> None:
            await pipeline.handle(
                Incoming(
                    text=text,
                    channel=CollectingChannel(),
                    platform="bench",
                    conversation_id=f"bench-{member}",
                    user_id=f"u{member}",
                )
            )

        for i, q in enumerate(questions[:5]):  # warm up
            await pipeline.live.matcher.run_blocking(time_encoders, q)
            await ask(-1 - i, q)
        # The encoders are timed in the matcher's own worker thread, where the pipeline runs
        # them too (same thread, same CPU caches; from the main thread they came out 2-3 ms
        # faster), and alternately with the pipeline, question by question, so that a change
        # in the machine's load between the two series cannot tilt their ratio (which of the
        # two goes first alternates too: the second run of a question finds it in the caches).
        encoder_ms, pipeline_ms = [], []

        async def time_pipeline(i: int, q: str) -> float:
            # members ask two questions each: every other one is a returning member's, read
            # after their previous message too (shared/guard_split.py)
            started = time.perf_counter()
            await ask(i // 2, q)
            return (time.perf_counter() - started) * 1000

        for i, q in enumerate(questions):
            if i % 2:
                pipeline_ms.append(await time_pipeline(i, q))
            encoder_ms.append(await pipeline.live.matcher.run_blocking(time_encoders, q))
            if not i % 2:
                pipeline_ms.append(await time_pipeline(i, q))

        queue = [(len(questions) + i, q) for i, q in enumerate(questions * 2)]  # 400 people

        async def asker() -> None:
            while queue:
                i, q = queue.pop()
                await ask(i, q)

        started = time.perf_counter()
        await asyncio.gather(*(asker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        return {
            "entries": len(pipeline.knowledge.entries),
            "phrasings": len(pipeline.live.matcher.index.phrasings),
            "model": model.name,
            "questions": count,
            "encoder_p50_ms": _p50(encoder_ms),
            "pipeline_p50_ms": _p50(pipeline_ms),
            "throughput_per_s": round(2 * count / elapsed, 1),
            "concurrency": concurrency,
        }
    finally:
        await pipeline.close()


def _startup_seconds(settings: Settings) -> float:
    """A fresh interpreter, warm caches: from start to the first answer being possible."""
    env = dict(os.environ)
    env["SUPPORTBOT_DATA_DIR"] = str(settings.data_dir)
    env["SUPPORTBOT_KNOWLEDGE"] = str(settings.knowledge_path)
    env["SUPPORTBOT_WATCH"] = "0"
    out = subprocess.run(
        [sys.executable, "-c", STARTUP_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return round(float(out.stdout.strip().splitlines()[-1]), 2)


def run_bench(settings: Settings, questions: int = 200, concurrency: int = 32) -> dict:
    """Measure on a throw-away data folder (tickets opened by the bench go nowhere real)."""
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as tmp:
        bench_settings = replace(
            settings, data_dir=Path(tmp), database_url=None, watch_knowledge=False
        )
        report = asyncio.run(_measure(bench_settings, questions, concurrency))
        report["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        report["startup_s"] = _startup_seconds(bench_settings)
    return report
