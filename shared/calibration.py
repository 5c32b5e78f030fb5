"""Answer thresholds calibrated from the knowledge itself, with no out-of-scope data.

How similar must the closest phrasing be before the bot answers? That depends on the model
and on how alike the knowledge's entries are, so a global default is a guess. The knowledge
can tell us, by asking itself questions it has not seen:

- in scope: each phrasing (a sample of 3,000 at most), held out of its own entry, asked
  against the rest; it should be answered, with its own entry;
- out of scope: each phrasing asked with its whole entry left out, as if the knowledge had
  never covered that topic; it should not be answered.

Only the first kind sets the threshold: the highest one that still answers ``KEEP`` (98%)
of the held-out phrasings the matcher ranks right, one for Latin-script questions and one for
Chinese-script ones, and never below the defaults (which were chosen on real out-of-scope
questions, see README). So a knowledge whose phrasings sit tightly together gets a stricter
threshold, and one whose phrasings are loose keeps the default. The second kind is reported,
not optimised: real out-of-scope questions fall below the threshold far more often than a
left-out topic does (it still has close neighbours), and maximising both at once chose
thresholds that refused a third of CLINC150's in-scope questions.

A model tuned by `supportbot kb tune` has learned the phrasings it was trained on, so only the
tenth it held out (``tuning.held_out``) are asked for its Latin-script threshold.

Every index is calibrated when it is built (about a second for 10,000 phrasings, then
cached under the data folder), tuned by `supportbot kb tune` or not; thresholds an admin
wrote in settings.yaml always win. Measured effect: README.md, "Matching".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from shared.cache import write_atomically
from shared.knowledge import MatchingSettings

MAX_QUESTIONS = 3000  # held-out phrasings asked (a sample on big knowledge bases)
MIN_QUESTIONS = 100  # fewer rightly ranked held-out questions of a script: keep the default
BLOCK = 256  # rows of the similarity matrix computed at once (memory stays small)
KEEP = 0.98  # share of the rightly ranked held-out phrasings the threshold must answer
HIGHEST = 0.80  # a calibrated threshold never goes above this
VERSION = 2  # part of the cache key: raise it when the calibration itself changes


@dataclass(frozen=True)
class Calibration:
    answer_threshold: float | None  # None: not enough held-out questions in that script
    answer_threshold_cjk: float | None
    in_scope: int  # held-out questions asked, and how many of them were answered right
    in_scope_right: float
    out_of_scope_rejected: float

    def apply(self, settings: MatchingSettings) -> MatchingSettings:
        """``settings`` with the calibrated thresholds, except those the admin set."""
        values = {}
        for key in ("answer_threshold", "answer_threshold_cjk"):
            value = getattr(self, key)
            if value is not None and key not in settings.explicit:
                values[key] = value
        # calibrated thresholds are never below the defaults, so never below suggest_threshold
        return replace(settings, **values) if values else settings

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> Calibration | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def held_out_scores(index) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a sample of phrasings: (in-scope score, answered its own entry?, out-of-scope
    score, written in Chinese script?), from the index's stored vectors (no encoding)."""
    counts = np.bincount(index.owner, minlength=len(index.entries))
    # a phrasing can only be held out of an entry that keeps at least one other
    eligible = counts[index.owner] >= 2
    held = index.model.held_out
    if held is not None:  # a tuned model: only the Latin phrasings it did not learn
        unseen = np.array([q in held for q in index.phrasings], dtype=bool)
        eligible &= ~index.latin | unseen
    candidates = np.flatnonzero(eligible)
    rng = np.random.default_rng(0)
    if len(candidates) > MAX_QUESTIONS:
        candidates = np.sort(rng.choice(candidates, MAX_QUESTIONS, replace=False))
    in_score, right, out_score = [], [], []
    for start in range(0, len(candidates), BLOCK):
        rows = candidates[start : start + BLOCK]
        queries = [v[rows] for v in index.vectors]
        sims = index.similarities(queries, index.latin[rows])
        sims[np.arange(len(rows)), rows] = -np.inf  # never the question itself
        nearest = np.maximum.reduceat(sims, index.starts, axis=1)
        own = index.owner[rows]
        best = nearest.argmax(axis=1)
        in_score.append(nearest.max(axis=1))
        right.append(best == own)
        nearest[np.arange(len(rows)), own] = -np.inf  # the whole entry left out
        out_score.append(nearest.max(axis=1))
    cjk = ~index.latin[candidates]
    if not in_score:  # no entry has two phrasings: nothing can be held out
        empty = np.zeros(0, dtype=np.float32)
        return empty, np.zeros(0, dtype=bool), empty, cjk
    return np.concatenate(in_score), np.concatenate(right), np.concatenate(out_score), cjk


def best_threshold(in_score: np.ndarray, right: np.ndarray, default: float) -> float:
    """The highest threshold that still answers ``KEEP`` of the held-out phrasings the
    matcher ranks right, but never below ``default``: the held-out phrasings show where
    in-scope questions lie, not how close out-of-scope ones come, so a lower threshold
    would be a guess in the wrong direction."""
    threshold = float(np.quantile(in_score[right], 1 - KEEP))
    return round(min(max(threshold, default), HIGHEST), 2)


def calibrate(index) -> Calibration:
    """Thresholds for ``index`` (a ``matching.Index``) from its own held-out phrasings."""
    in_score, right, out_score, cjk = held_out_scores(index)
    defaults = MatchingSettings()
    thresholds: dict[str, float | None] = {}
    for key, mask in (("answer_threshold", ~cjk), ("answer_threshold_cjk", cjk)):
        enough = (mask & right).sum() >= MIN_QUESTIONS
        default = getattr(defaults, key)
        thresholds[key] = best_threshold(in_score[mask], right[mask], default) if enough else None
    # what the chosen thresholds do to the held-out questions (`kb check` prints it)
    chosen = np.where(
        cjk,
        thresholds["answer_threshold_cjk"] or defaults.answer_threshold_cjk,
        thresholds["answer_threshold"] or defaults.answer_threshold,
    )
    return Calibration(
        answer_threshold=thresholds["answer_threshold"],
        answer_threshold_cjk=thresholds["answer_threshold_cjk"],
        in_scope=int(len(in_score)),
        in_scope_right=round(float(((in_score >= chosen) & right).mean()), 4) if len(right) else 0,
        out_of_scope_rejected=round(float((out_score < chosen).mean()), 4) if len(right) else 0,
    )


def calibrate_cached(index, cache_dir: Path | None) -> Calibration:
    """``calibrate``, reusing the result saved for the same model and phrasings."""
    rule = f"{VERSION}:{KEEP}:{MAX_QUESTIONS}:{MIN_QUESTIONS}:{HIGHEST}:{MatchingSettings()}"
    digest = hashlib.sha256(f"{index.model.name}:{rule}".encode())
    held = index.model.held_out
    digest.update(b"all" if held is None else "\x00".join(sorted(held)).encode())
    for text, owner in zip(index.phrasings, index.owner, strict=True):
        digest.update(f"\x00{owner}\x00{text}".encode())
    path = cache_dir / f"calibration-{digest.hexdigest()[:32]}.json" if cache_dir else None
    if path is not None and (saved := Calibration.load(path)) is not None:
        return saved
    calibration = calibrate(index)
    if path is not None:
        write_atomically(path, calibration.save)
    return calibration
