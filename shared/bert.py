"""A BERT sentence encoder in plain numpy, for the English model and its tuned copies.

Why not sentence-transformers at run time? Importing it (with transformers and torch) takes
several seconds, which is most of the bot's start-up, and a six-layer model on a short
question needs none of it. This file runs exactly what sentence-transformers runs for a
folder made of ``Transformer(BertModel) -> mean Pooling -> Normalize`` (all-MiniLM-L6-v2 and
what `supportbot kb tune` saves): the same tokenizer file, the same weights, the same maths.
tests/test_bert.py checks that both give the same vectors. Any other folder or a hub name
goes through sentence-transformers (``encoders.SentenceTransformerEncoder``).
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import numpy as np

SQRT_HALF = 1 / math.sqrt(2)
MANY_TOKENS = 2048  # from this many tokens in a call, BLAS may use every core


_CONTROLLER = None


def _blas_threads(limit: int | None):
    """A context that caps numpy's BLAS threads (``None``: no cap)."""
    global _CONTROLLER
    if limit is None:
        return contextlib.nullcontext()
    if _CONTROLLER is None:  # finding the loaded BLAS libraries takes a moment: once
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=limit, user_api="blas")


def supports(folder: Path) -> bool:
    """True when ``folder`` is a sentence-transformers BERT model with mean pooling."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    # older sentence-transformers write one flag per mode, newer ones "pooling_mode": "mean"
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
    mean = modes == {"pooling_mode_mean_tokens"} or pooling.get("pooling_mode") == "mean"
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and mean
        and (folder / "tokenizer.json").exists()
        and (folder / "model.safetensors").exists()
    )


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, float32's own precision)."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * SQRT_HALF))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


class _Layer:
    """One transformer block's weights, transposed once for ``x @ W``."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str) -> None:
        def get(name: str) -> np.ndarray:
            return w[f"{prefix}.{name}"]

        self.qkv = np.ascontiguousarray(
            np.concatenate([get(f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
        )
        self.qkv_bias = np.concatenate(
            [get(f"attention.self.{n}.bias") for n in ("query", "key", "value")]
        )
        self.out = np.ascontiguousarray(get("attention.output.dense.weight").T)
        self.out_bias = get("attention.output.dense.bias")
        self.norm1 = (
            get("attention.output.LayerNorm.weight"),
            get("attention.output.LayerNorm.bias"),
        )
        self.up = np.ascontiguousarray(get("intermediate.dense.weight").T)
        self.up_bias = get("intermediate.dense.bias")
        self.down = np.ascontiguousarray(get("output.dense.weight").T)
        self.down_bias = get("output.dense.bias")
        self.norm2 = (get("output.LayerNorm.weight"), get("output.LayerNorm.bias"))


class BertEncoder:
    """Tokenize, run the BERT layers, mean-pool over real tokens, normalise."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
        self.max_length = int(st_config.get("max_seq_length") or 512)
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        saved = load_file(folder / "model.safetensors")
        weights = {k.removeprefix("bert."): v.astype(np.float32) for k, v in saved.items()}
        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.norm0 = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = [
            _Layer(weights, f"encoder.layer.{i}") for i in range(int(config["num_hidden_layers"]))
        ]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), hidden) unit vectors; texts of similar length are batched together."""
        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        # BLAS threads only pay off on big products; on a busy machine they cost dearly on
        # small ones (one question: 9 ms on one thread, 300 ms on two fighting for cores).
        tokens = sum(len(e.ids) for e in encodings)
        with _blas_threads(1 if tokens < MANY_TOKENS else None):
            return self._encode(encodings, batch_size)

    def _encode(self, encodings: list, batch_size: int) -> np.ndarray:
        texts = encodings
        lengths = np.array([len(e.ids) for e in encodings])
        out = np.zeros((len(texts), self.words.shape[1]), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")  # little padding inside a batch
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1.0
            out[rows] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, width = ids.shape
        hidden = self.words.shape[1]
        size = hidden // self.heads
        x = self.words[ids] + self.positions[:width] + self.token_type
        x = _layer_norm(x, *self.norm0, self.eps).reshape(batch * width, hidden)
        # padding gets the most negative float, as transformers does
        blocked = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            # x is (batch * width, hidden) so every product is one BLAS call
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, width, 3, self.heads, size)
            q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * width, hidden)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.norm1, self.eps)
            up = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(up @ layer.down + layer.down_bias + x, *layer.norm2, self.eps)
        x = x.reshape(batch, width, hidden)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
