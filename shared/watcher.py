"""Live knowledge: validate an edited file and swap it in; keep the last good one on error.

Polls the files' modification times (no extra dependency, works on every filesystem and
in containers where inotify does not reach bind mounts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.knowledge import Knowledge, KnowledgeError, Problem, knowledge_files, load_knowledge
from shared.matching import AsyncMatcher, Index, Model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    entries: int
    problems: tuple[Problem, ...] = ()


def _stamp(path: Path) -> tuple:
    """Changes whenever a knowledge file is added, removed or edited."""
    stamp = []
    for file in knowledge_files(path):
        try:
            st = file.stat()
            stamp.append((str(file), st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((str(file), None, None))
    return tuple(stamp)


def losses(before: Knowledge, after: Knowledge) -> tuple[Problem, ...]:
    """What a reload would silently lose: the settings block (its file deleted or emptied,
    so every setting would fall back to its default: official domains, contacts,
    templates, thresholds), or every entry of a file that is now empty (a save caught
    half-way). Deleting an entries file on purpose is no loss; to go back to the default
    settings, keep the settings file with ``settings: {}``."""
    problems = []
    if before.settings_source and not after.settings_source:
        file, line = before.settings_source.rsplit(":", 1)
        problems.append(
            Problem(
                file,
                int(line),
                "the settings block is gone (file deleted or emptied): keeping the last good "
                "knowledge; restore it, or write 'settings: {}' for the defaults",
            )
        )
    emptied = {w.file for w in after.warnings if w.message == "the file is empty"}
    had_entries = {e.source.rsplit(":", 1)[0] for e in before.entries}
    for file in sorted(emptied & had_entries):
        problems.append(
            Problem(
                file,
                1,
                "the file is empty now (a save caught half-way?): keeping the last good "
                "knowledge; delete the file to drop its entries",
            )
        )
    return tuple(problems)


class LiveKnowledge:
    """The knowledge in use and its index; reloads them without stopping the bot."""

    def __init__(
        self,
        path: Path,
        knowledge: Knowledge,
        matcher: AsyncMatcher,
        model_for: Callable[[Knowledge], Model],
        cache_dir: Path | None,
    ) -> None:
        self.path = path
        self.knowledge = knowledge
        self.matcher = matcher
        self.model_for = model_for
        self.cache_dir = cache_dir
        self.last_error: tuple[Problem, ...] = ()
        self._stamp = _stamp(path)
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def reload(self) -> ReloadResult:
        """Load, validate and index the files; swap them in only if all is well."""
        async with self._lock:
            self._stamp = await asyncio.to_thread(_stamp, self.path)
            try:
                knowledge = await asyncio.to_thread(load_knowledge, self.path)
            except KnowledgeError as exc:
                self.last_error = tuple(exc.problems)
                for problem in exc.problems:
                    log.error("knowledge not reloaded: %s", problem)
                return ReloadResult(False, len(self.knowledge.entries), self.last_error)
            except Exception as exc:  # a file the loader did not foresee: keep serving
                problem = Problem(str(self.path), 1, f"cannot read the knowledge: {exc!r}")
                self.last_error = (problem,)
                log.error("knowledge not reloaded: %s", problem)
                return ReloadResult(False, len(self.knowledge.entries), self.last_error)
            lost = losses(self.knowledge, knowledge)
            if lost:  # valid, but most likely a half-saved or mistaken edit: keep serving
                self.last_error = lost
                for problem in lost:
                    log.error("knowledge not reloaded: %s", problem)
                return ReloadResult(False, len(self.knowledge.entries), self.last_error)
            try:
                # Beside the encoder's worker, not in it: questions keep being answered from
                # the old index while the new one is built (its encoding pauses for them).
                index = await asyncio.to_thread(self._index, knowledge, self.matcher.index)
            except KnowledgeError as exc:  # a model that cannot be loaded, at its line
                self.last_error = tuple(exc.problems)
                for problem in exc.problems:
                    log.error("knowledge not reloaded: %s", problem)
                return ReloadResult(False, len(self.knowledge.entries), self.last_error)
            except Exception as exc:  # anything else the build did not foresee
                problem = Problem(str(self.path), 1, f"cannot build the index: {exc}")
                self.last_error = (problem,)
                log.error("knowledge not reloaded: %s", problem)
                return ReloadResult(False, len(self.knowledge.entries), self.last_error)
            self.knowledge = knowledge
            self.matcher.swap(index)
            self.last_error = ()
            for warning in knowledge.warnings:
                log.warning("knowledge: %s", warning)
            log.info("knowledge reloaded: %d entries", len(knowledge.entries))
            return ReloadResult(True, len(knowledge.entries), knowledge.warnings)

    def _index(self, knowledge: Knowledge, previous: Index) -> Index:
        return Index(knowledge, self.model_for(knowledge), self.cache_dir, previous=previous)

    def start_watching(self, interval: float = 2.0) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch(interval), name="knowledge-watch")

    async def _watch(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(_stamp, self.path) != self._stamp:
                    await self.reload()
            except Exception:  # the watcher must outlive any surprise
                log.exception("knowledge watcher error")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
