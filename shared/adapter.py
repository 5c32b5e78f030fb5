"""A small classifier fitted to each knowledge base, on top of the frozen encoders.

Nearest-neighbour matching only asks "which phrasing is closest?". A linear softmax over
the encoders' features, fitted on the entry's own phrasings, titles and answers, learns
which directions of the embedding space tell this knowledge's entries apart. It is fitted
in about a second for a few hundred phrasings, cached on disk with the embeddings, and
its probability is blended into the ranking (see ``matching.Index.rank``).
Measured gains are in README.md ("Matching: measured figures").
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from shared.cache import write_atomically

log = logging.getLogger(__name__)

EPOCHS = 300
LEARNING_RATE = 0.05
WEIGHT_DECAY = 1e-4
SCALE = 10.0  # cosine-sized features need a larger logit scale to become confident


def features(vectors: list[np.ndarray], latin: np.ndarray, latin_only: list[bool]) -> np.ndarray:
    """Concatenate the encoders' vectors; a Latin-only encoder's part is zero for CJK text."""
    parts = [v * latin[:, None] if only else v for v, only in zip(vectors, latin_only, strict=True)]
    return np.concatenate(parts, axis=1).astype(np.float32)


class Adapter:
    """Weights W (features x entries) and bias b of the fitted softmax."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = weights
        self.bias = bias

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.weights * SCALE + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def fit(x: np.ndarray, y: np.ndarray, n_classes: int) -> Adapter:
    """Full-batch Adam on cross-entropy with an L2 penalty; deterministic on CPU."""
    import torch

    torch.manual_seed(0)
    features_t = torch.from_numpy(x)
    labels_t = torch.from_numpy(y.astype(np.int64))
    weights = torch.zeros(x.shape[1], n_classes, requires_grad=True)
    bias = torch.zeros(n_classes, requires_grad=True)
    optimiser = torch.optim.Adam([weights, bias], lr=LEARNING_RATE)
    with torch.enable_grad():
        for _ in range(EPOCHS):
            optimiser.zero_grad()
            logits = features_t @ weights * SCALE + bias
            loss = torch.nn.functional.cross_entropy(logits, labels_t)
            loss = loss + WEIGHT_DECAY * (weights**2).sum()
            loss.backward()
            optimiser.step()
    return Adapter(weights.detach().numpy().copy(), bias.detach().numpy().copy())


def fit_cached(
    x: np.ndarray, y: np.ndarray, n_classes: int, key: str, cache_dir: Path | None
) -> Adapter:
    """``fit``, reusing the weights saved for the same training data and model."""
    if n_classes < 2:
        return Adapter(np.zeros((x.shape[1], max(n_classes, 1)), np.float32), np.zeros(1))
    digest = hashlib.sha256(key.encode())
    digest.update(x.tobytes())
    digest.update(y.astype(np.int64).tobytes())
    digest.update(f"{EPOCHS}:{LEARNING_RATE}:{WEIGHT_DECAY}:{SCALE}".encode())
    path = cache_dir / f"adapter-{digest.hexdigest()[:32]}.npz" if cache_dir else None
    if path is not None and path.exists():
        try:
            with np.load(path) as saved:
                return Adapter(saved["weights"], saved["bias"])
        except (OSError, ValueError, KeyError):
            log.warning("adapter cache %s unreadable; fitting again", path.name)
    adapter = fit(x, y, n_classes)
    if path is not None:
        write_atomically(
            path, lambda tmp: np.savez(tmp, weights=adapter.weights, bias=adapter.bias)
        )
    return adapter
