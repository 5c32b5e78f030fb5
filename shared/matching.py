"""Semantic FAQ matching: a question in, the knowledge entries ranked by meaning out.

Each entry has several phrasings; an entry's score is its best phrasing's cosine
similarity to the question (nearest neighbour). The default pairs two encoders: the
multilingual one scores every pair, and, where both sides are written in Latin letters,
the English model's score is blended in (it is sharper on English; it cannot read Chinese).

Encoding is CPU work, so it never runs on the event loop: :class:`AsyncMatcher` gathers the
questions that arrive together and encodes them as one batch in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.adapter import Adapter, features, fit_cached
from shared.cache import write_atomically
from shared.calibration import calibrate_cached
from shared.encoders import (
    Encoder,
    SentenceTransformerEncoder,
    UseEncoder,
    packaged_minilm_path,
)
from shared.knowledge import Entry, Knowledge, KnowledgeError, MatchingSettings, Problem
from shared.language import has_cjk

log = logging.getLogger(__name__)

# Weight of the knowledge-fitted classifier's probability in the ranking (shared.adapter).
ADAPTER_WEIGHT = 0.5
# Two entries whose closest phrasings are this close to the question are tied.
TIE = 0.001
# Titles and answers also teach the classifier; their opening is what carries the topic.
EXTRA_CHARS = 300
# Weight of the English model on Latin-to-Latin pairs in the default pairing
# (measured with `supportbot kb eval`, see README).
LATIN_BLEND = 0.7


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # cosine similarity of the entry's closest phrasing: decides answer or not
    confidence: float = 0.0  # the ranking score (similarity blended with the adapter)


@dataclass(frozen=True)
class MatchResult:
    candidates: tuple[Candidate, ...]  # best first, one per entry
    cjk: bool = False  # the question is written in Chinese script
    # the thresholds of the index that scored it (a reload may swap the index meanwhile)
    settings: MatchingSettings | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Decision:
    action: str  # answer | suggest | escalate
    candidates: tuple[Candidate, ...]  # the answer, or the suggestions, or the best guesses


def decide(result: MatchResult, settings: MatchingSettings) -> Decision:
    """Answer when sure, suggest when torn, hand off when nothing fits.

    Sure: the best entry reaches ``answer_threshold`` and beats the runner-up by ``margin``.
    Torn: some entries reach ``suggest_threshold``; the best few are offered.
    """
    candidates = result.candidates
    if not candidates:
        return Decision("escalate", ())
    best = candidates[0]
    second = candidates[1] if len(candidates) > 1 else None
    clear = second is None or (
        best.confidence - second.confidence >= settings.margin
        # a runner-up whose closest phrasing is just as close is a tie, whatever the ranking
        and abs(second.score - best.score) > TIE
    )
    threshold = settings.answer_threshold_cjk if result.cjk else settings.answer_threshold
    if best.score >= threshold and clear:
        return Decision("answer", (best,))
    close = tuple(c for c in candidates if c.score >= settings.suggest_threshold)
    if close:
        return Decision("suggest", close[: settings.max_suggestions])
    return Decision("escalate", candidates[:1])


class Model:
    """One or two encoders and the rule that turns them into one similarity."""

    def __init__(
        self,
        primary: Encoder,
        latin: Encoder | None = None,
        blend: float = 0.0,
        held_out: frozenset[str] | None = None,
    ):
        self.primary = primary
        self.latin = latin
        self.blend = blend if latin is not None else 0.0
        self.name = primary.name + (f"+{latin.name}@{blend}" if latin else "")
        # A tuned model learned most Latin phrasings of its knowledge; these it did not see,
        # so only these are fair questions for calibrating its thresholds.
        self.held_out = held_out

    @property
    def encoders(self) -> list[Encoder]:
        return [self.primary] + ([self.latin] if self.latin else [])

    def similarity(
        self,
        queries: list[np.ndarray],
        query_latin: np.ndarray,
        phrasings: list[np.ndarray],
        phrasing_latin: np.ndarray,
    ) -> np.ndarray:
        """(n_queries, n_phrasings) similarities from per-encoder embeddings: the rule,
        spelled out. Indexes compute the same figures faster with ``fast_similarity``;
        tests/test_matching_quality.py holds the two equal."""
        scores = queries[0] @ phrasings[0].T
        if self.latin is not None and self.blend > 0:
            latin_scores = queries[1] @ phrasings[1].T
            both_latin = query_latin[:, None] & phrasing_latin[None, :]
            mixed = self.blend * latin_scores + (1 - self.blend) * scores
            scores = np.where(both_latin, mixed, scores)
        return scores

    def blended_phrasings(
        self, phrasings: list[np.ndarray], phrasing_latin: np.ndarray
    ) -> np.ndarray | None:
        """The phrasings as one matrix that gives a Latin-script question its
        ``similarity`` in a single product (one pass over memory instead of two, which is
        what the similarity costs on a large knowledge base): a Latin phrasing's row is
        [(1 - blend) x primary, blend x latin], a Chinese one's [primary, 0]. None when
        there is nothing to blend."""
        if self.latin is None or self.blend <= 0:
            return None
        latin_rows = phrasing_latin[:, None]
        primary = phrasings[0] * np.where(latin_rows, 1 - self.blend, 1.0)
        latin = np.where(latin_rows, self.blend * phrasings[1], 0.0)  # the English model
        # cannot read Chinese: whatever it made of a Chinese phrasing is dropped, not scaled
        return np.ascontiguousarray(np.concatenate([primary, latin], axis=1), dtype=np.float32)

    def fast_similarity(
        self,
        queries: list[np.ndarray],
        query_latin: np.ndarray,
        phrasings: list[np.ndarray],
        blended: np.ndarray | None,
    ) -> np.ndarray:
        """``similarity`` (equal to float rounding) from ``blended_phrasings``' matrix."""
        if blended is None:  # nothing to blend: the primary encoder alone
            return queries[0] @ phrasings[0].T
        scores = np.empty((len(query_latin), blended.shape[0]), dtype=np.float32)
        if query_latin.any():
            both = np.concatenate([queries[0][query_latin], queries[1][query_latin]], axis=1)
            scores[query_latin] = both @ blended.T
        if not query_latin.all():  # Chinese-script questions: the primary encoder alone
            scores[~query_latin] = queries[0][~query_latin] @ phrasings[0].T
        return scores


_MODELS: dict[str, Model] = {}
_MODELS_LOCK = threading.Lock()


def model_for(spec: str, knowledge: Knowledge, data_dir: Path | None) -> Model:
    """The model for a knowledge base: the one `supportbot kb tune` made for exactly this
    content when there is one (default model only), else ``load_model(spec)``. A model
    that cannot be loaded (a misspelt name, no hub access) is a KnowledgeError naming the
    line that asked for it."""
    if spec == "default" and data_dir is not None:
        from shared.tuning import tuned_path

        tuned = tuned_path(data_dir, knowledge)
        if (tuned / "TUNED.txt").exists():
            return load_model(f"default+tuned:{tuned}")
    try:
        return load_model(spec)
    except Exception as exc:  # transformers and the hub raise many kinds
        if spec in ("default", "use-multilingual", "minilm"):
            raise  # the packaged models: a broken install, not a knowledge error
        where = knowledge.model_source or "SUPPORTBOT_MODEL:1"
        file, line = where.rsplit(":", 1)
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        message = f"matching.model '{spec}' cannot be loaded: {reason}"
        raise KnowledgeError([Problem(file, int(line), message)]) from None


def load_model(spec: str = "default") -> Model:
    """The model for ``spec``, loaded once per process (encoders are thread-safe)."""
    with _MODELS_LOCK:
        if spec not in _MODELS:
            _MODELS.clear()  # one model in memory at a time
            model = _build_model(spec)
            for encoder in model.encoders:  # load lazy weights now, not on the first question
                encoder.encode(["warm up"])
            _MODELS[spec] = model
        return _MODELS[spec]


def _build_model(spec: str) -> Model:
    """Build the model a knowledge file (or SUPPORTBOT_MODEL) names.

    - ``default``: USE multilingual + all-MiniLM-L6-v2 on English pairs, both offline;
    - ``use-multilingual``: the multilingual encoder alone;
    - ``minilm``: the packaged all-MiniLM-L6-v2 alone (English only);
    - anything else: a sentence-transformers model name (hub) or a local folder.
    """
    if spec == "default":
        latin = SentenceTransformerEncoder(packaged_minilm_path(), latin_only=True)
        return Model(UseEncoder(), latin, LATIN_BLEND)
    if spec.startswith("default+tuned:"):  # see model_for
        from shared.tuning import HELD_OUT_FILE

        folder = Path(spec.partition(":")[2])
        tuned = SentenceTransformerEncoder(folder, latin_only=True)
        try:
            held = frozenset(json.loads((folder / HELD_OUT_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            held = frozenset()  # tuned on every phrasing: none is fair for calibration
        return Model(UseEncoder(), tuned, LATIN_BLEND, held_out=held)
    if spec == "use-multilingual":
        return Model(UseEncoder())
    if spec == "minilm":
        return Model(SentenceTransformerEncoder(packaged_minilm_path()))
    return Model(SentenceTransformerEncoder(spec))


def _cache_key(encoder: Encoder, texts: list[str]) -> str:
    digest = hashlib.sha256(encoder.name.encode())
    for text in texts:
        digest.update(b"\x00" + text.encode())
    return digest.hexdigest()[:32]


# A live reload encodes in pieces this big, pausing between them, so that the questions
# asked meanwhile get the encoder (it takes one batch at a time) after at most one piece.
RELOAD_PIECE = 32
RELOAD_PAUSE_S = 0.002


def encode_cached(
    encoder: Encoder,
    texts: list[str],
    cache_dir: Path | None,
    known: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Encode ``texts``, reusing vectors saved on disk for the same model and texts.
    ``known``: vectors this encoder already made (the index being replaced by a reload):
    only the other texts are encoded, a piece at a time (see RELOAD_PIECE)."""
    path = cache_dir / f"emb-{_cache_key(encoder, texts)}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(texts):
                return vectors
        except (OSError, ValueError):
            log.warning("embedding cache %s unreadable; re-encoding", path.name)
    vectors = encoder.encode(texts) if known is None else _encode_new(encoder, texts, known)
    if path is not None:
        write_atomically(path, lambda tmp: np.save(tmp, vectors))
    return vectors


def _encode_new(encoder: Encoder, texts: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
    """The vectors of ``texts``: the known ones reused, the others encoded in pieces with a
    pause between them (an edit of one answer encodes one text, not the knowledge)."""
    new = sorted({t for t in texts if t not in known})
    made: dict[str, np.ndarray] = {}
    for start in range(0, len(new), RELOAD_PIECE):
        piece = new[start : start + RELOAD_PIECE]
        made.update(zip(piece, encoder.encode(piece), strict=True))
        time.sleep(RELOAD_PAUSE_S)  # a waiting question takes the encoder now
    if not texts:
        return encoder.encode(texts)
    vectors = [known[t] if t in known else made[t] for t in texts]
    return np.stack(vectors).astype(np.float32, copy=False)


class Index:
    """The knowledge's phrasings, encoded, ready to rank entries for questions."""

    def __init__(
        self,
        knowledge: Knowledge,
        model: Model,
        cache_dir: Path | None = None,
        *,
        adapt: bool = True,
        previous: Index | None = None,
    ):
        """``previous``: the index a live reload replaces; its vectors are reused for the
        texts that did not change, and the rest is encoded without holding up questions."""
        self.knowledge = knowledge
        self.model = model
        known = _known_vectors(previous, model)
        self.entries = [e for e in knowledge.entries if e.questions]
        self.phrasings = [q for e in self.entries for q in e.questions]
        counts = np.array([len(e.questions) for e in self.entries], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.owner = np.repeat(np.arange(len(self.entries)), counts)
        self.latin = np.array([not has_cjk(q) for q in self.phrasings], dtype=bool)
        self.vectors = [
            encode_cached(enc, self.phrasings, cache_dir, mine)
            for enc, mine in zip(model.encoders, known, strict=True)
        ]
        self.blended = model.blended_phrasings(self.vectors, self.latin)
        self.extra: list[str] = []  # titles and answers, as the classifier reads them
        self.extra_vectors: list[np.ndarray] = []
        self.adapter = self._fit_adapter(cache_dir, known) if adapt else None
        self.calibration = calibrate_cached(self, cache_dir) if adapt else None
        # The knowledge's matching settings, with thresholds calibrated for this index
        # (shared.calibration) where the admin did not set them.
        matching = knowledge.settings.matching
        self.settings: MatchingSettings = (
            self.calibration.apply(matching) if self.calibration else matching
        )

    def _fit_adapter(self, cache_dir: Path | None, known: list) -> Adapter:
        """Fit the knowledge's classifier on its phrasings, titles and answers."""
        extra, extra_owner = [], []
        for i, entry in enumerate(self.entries):
            for text in [*entry.title.values(), *entry.answer.values()]:
                extra.append(text[:EXTRA_CHARS])
                extra_owner.append(i)
        extra_latin = np.array([not has_cjk(t) for t in extra], dtype=bool)
        extra_vectors = [
            encode_cached(enc, extra, cache_dir, mine)
            for enc, mine in zip(self.model.encoders, known, strict=True)
        ]
        self.extra, self.extra_vectors = extra, extra_vectors  # for the next reload
        x = np.concatenate(
            [
                self._features(self.vectors, self.latin),
                self._features(extra_vectors, extra_latin),
            ]
        )
        y = np.concatenate([self.owner, np.array(extra_owner, dtype=np.int64)])
        return fit_cached(x, y, len(self.entries), self.model.name, cache_dir)

    def known_vectors(self, encoder_number: int) -> dict[str, np.ndarray]:
        """Every text this index encoded with one of its encoders, and its vector."""
        known = dict(zip(self.phrasings, self.vectors[encoder_number], strict=True))
        if self.extra_vectors:
            known.update(zip(self.extra, self.extra_vectors[encoder_number], strict=True))
        return known

    def _features(self, vectors: list[np.ndarray], latin: np.ndarray) -> np.ndarray:
        return features(vectors, latin, [enc.latin_only for enc in self.model.encoders])

    def encode_queries(self, texts: list[str]) -> tuple[list[np.ndarray], np.ndarray]:
        vectors = [enc.encode(texts) for enc in self.model.encoders]
        latin = np.array([not has_cjk(t) for t in texts], dtype=bool)
        return vectors, latin

    def similarities(self, queries: list[np.ndarray], latin: np.ndarray) -> np.ndarray:
        """(n_queries, n_phrasings) similarities of encoded questions to every phrasing."""
        return self.model.fast_similarity(queries, latin, self.vectors, self.blended)

    def entry_scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Two (n_texts, n_entries) arrays: each entry's best phrasing similarity, and the
        ranking confidence (that similarity blended with the adapter's probability)."""
        if not self.entries:
            empty = np.zeros((len(texts), 0), dtype=np.float32)
            return empty, empty
        queries, latin = self.encode_queries(texts)
        sims = self.similarities(queries, latin)
        nearest = np.maximum.reduceat(sims, self.starts, axis=1)
        if self.adapter is None:
            return nearest, nearest
        probabilities = self.adapter.probabilities(self._features(queries, latin))
        return nearest, (nearest + ADAPTER_WEIGHT * probabilities) / (1 + ADAPTER_WEIGHT)

    def rank(self, texts: list[str], top: int = 5) -> list[MatchResult]:
        nearest, confidence = self.entry_scores(texts)
        results = []
        for text, sims, conf in zip(texts, nearest, confidence, strict=True):
            order = np.argsort(-conf)[:top]
            candidates = tuple(
                Candidate(self.entries[i], float(sims[i]), float(conf[i])) for i in order
            )
            results.append(MatchResult(candidates, cjk=has_cjk(text), settings=self.settings))
        return results

    def conflicts(self, threshold: float = 0.93, limit: int = 50) -> list[Problem]:
        """Warnings for phrasings of different entries so alike they steal each other's
        questions (admins see these in `supportbot kb check`)."""
        problems: list[Problem] = []
        n = len(self.phrasings)
        block = 512
        for start in range(0, n, block):
            rows = slice(start, min(n, start + block))
            queries = [v[rows] for v in self.vectors]
            sims = self.similarities(queries, self.latin[rows])
            for i, j in zip(*np.nonzero(sims >= threshold), strict=True):
                a, b = start + int(i), int(j)
                if a >= b or self.owner[a] == self.owner[b]:
                    continue
                ea, eb = self.entries[self.owner[a]], self.entries[self.owner[b]]
                file, line = ea.source.rsplit(":", 1)
                problems.append(
                    Problem(
                        file,
                        int(line),
                        f"{ea.id}: phrasing '{self.phrasings[a]}' is very close to "
                        f"'{self.phrasings[b]}' of '{eb.id}' ({sims[i, j]:.2f}); "
                        "they may steal each other's questions",
                        warning=True,
                    )
                )
                if len(problems) >= limit:
                    return problems
        return problems


def _known_vectors(previous: Index | None, model: Model) -> list[dict[str, np.ndarray] | None]:
    """For each encoder of ``model``: what ``previous`` encoded with the same encoder (a
    reload), or None (a first build: everything is encoded, in one go)."""
    if previous is None:
        return [None] * len(model.encoders)
    before = {enc.name: i for i, enc in enumerate(previous.model.encoders)}
    return [
        previous.known_vectors(before[enc.name]) if enc.name in before else {}
        for enc in model.encoders
    ]


class AsyncMatcher:
    """Ranks questions off the event loop, batching the ones that arrive together.

    While a batch is being encoded in the worker thread, new questions wait in ``_pending``;
    when it finishes, everything that arrived meanwhile goes as the next batch. Driven by
    the worker's completion callback rather than by a task reading a queue: a question that
    finds the matcher idle goes straight to the thread (a task and a queue cost two more
    turns of the event loop, 0.3 ms per question).
    """

    def __init__(self, index: Index, max_batch: int = 64) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.index = index
        self.max_batch = max_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
        self._pending: list[tuple[str, asyncio.Future]] = []
        self._in_worker: list[tuple[str, asyncio.Future]] = []  # the batch being ranked
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def swap(self, index: Index) -> None:
        """Use a new index from the next batch on (a knowledge reload)."""
        self.index = index

    async def run_blocking(self, func, *args):
        """Run CPU work (encoding, index builds) in the encoder thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def rank(self, text: str) -> MatchResult:
        return await self.submit(text)

    def submit(self, text: str) -> asyncio.Future[MatchResult]:
        """Start ranking ``text`` now (the worker begins at once if it is idle); the future
        holds the result. Lets the caller do other waiting while the model works."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[MatchResult] = loop.create_future()
        if self._closed:
            future.cancel()
            return future
        if self._loop is not loop:  # first use, or a new event loop: nothing carries over
            self._loop, self._pending, self._in_worker = loop, [], []
        self._pending.append((text, future))
        if not self._in_worker:  # the worker is idle
            self._start_batch()
        return future

    def _start_batch(self) -> None:
        self._pending = [item for item in self._pending if not item[1].done()]  # gave up
        if not self._pending:
            return
        batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
        assert self._loop is not None
        index = self.index
        try:
            work = self._loop.run_in_executor(self._executor, index.rank, [t for t, _ in batch])
        except RuntimeError:  # the executor is shut down
            for _, future in batch:
                future.cancel()
            return
        self._in_worker = batch
        work.add_done_callback(lambda done: self._finish_batch(batch, done))

    def _finish_batch(self, batch: list[tuple[str, asyncio.Future]], work: asyncio.Future) -> None:
        """Hand each asker its result or the error, then start the next batch. Runs as a
        callback, where an exception would only reach the loop's handler: nothing may be
        left waiting, whatever happens here."""
        self._in_worker = []
        try:
            if work.cancelled():  # the matcher was closed
                for _, future in batch:
                    future.cancel()
                return
            error = work.exception()
            results = work.result() if error is None else None
            if results is not None and len(results) != len(batch):
                error = RuntimeError(f"{len(results)} results for {len(batch)} questions")
            if error is not None:
                log.error("matching failed: %s", type(error).__name__, exc_info=error)
            for i, (_, future) in enumerate(batch):
                if future.done():  # the asker gave up
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(results[i])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        finally:
            if self._pending and not self._closed:
                self._start_batch()

    async def close(self) -> None:
        """Stop: questions waiting or being ranked are cancelled, new ones refused."""
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        for _, future in self._in_worker + self._pending:
            if not future.get_loop().is_closed():
                future.cancel()
        self._pending, self._in_worker = [], []
