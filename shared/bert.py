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
import threading
from pathlib import Path

import numpy as np

SQRT_HALF = 1 / math.sqrt(2)
GELU_ROWS = 32  # rows per block in _gelu_inplace (32 x 1536 floats: fits the L2 cache)
MANY_TOKENS = 256  # from this many tokens in a call, BLAS may use every core


_CONTROLLER = None
_LIMIT_LOCK = threading.Lock()  # the cap is process-wide: one capped call at a time


@contextlib.contextmanager
def _blas_threads(limit: int | None):
    """A context that caps numpy's BLAS threads (``None``: no cap)."""
    global _CONTROLLER
    if limit is None:
        yield
        return
    with _LIMIT_LOCK:
        if _CONTROLLER is None:  # finding the loaded BLAS libraries takes a moment: once
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()
        with _CONTROLLER.limit(limits=limit, user_api="blas"):
            yield


def supports(folder: Path) -> bool:
    """True when ``folder`` is a sentence-transformers BERT model with mean pooling."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
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
        and not st_config.get("do_lower_case")  # the tokenizer file lower-cases, if needed
        and (folder / "tokenizer.json").exists()
        and (folder / "model.safetensors").exists()
    )


def _gelu_inplace(x: np.ndarray) -> np.ndarray:
    """GELU with the exact erf, overwriting ``x`` (2-D) and returning it.

    erf is Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, float32's own
    precision). Done in place, a block of rows at a time so the work stays in the CPU cache:
    this is the most element-wise work in the model, and naive numpy temporaries made it
    slower than all the matrix products together.
    """
    f = np.float32
    for start in range(0, x.shape[0], GELU_ROWS):
        v = x[start : start + GELU_ROWS]
        z = v * f(SQRT_HALF)
        a = np.abs(z)
        t = a * f(0.3275911)
        t += 1
        np.reciprocal(t, out=t)
        poly = t * f(1.061405429)
        for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            poly += f(c)
            poly *= t
        np.multiply(a, a, out=a)
        np.negative(a, out=a)
        np.exp(a, out=a)
        poly *= a  # |erf(z)| = 1 - poly * exp(-z^2)
        np.subtract(1, poly, out=poly)
        np.copysign(poly, z, out=poly)  # erf(z)
        poly += 1
        v *= poly
        v *= f(0.5)
    return x


def _layer_norm_inplace(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float):
    """LayerNorm over the last axis, overwriting ``x`` and returning it."""
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x)[:, None] / x.shape[-1]
    x *= 1 / np.sqrt(variance + eps)
    x *= weight
    x += bias
    return x


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

    def encode(self, texts: list[str], batch_size: int = 8) -> np.ndarray:
        """(len(texts), hidden) unit vectors. Texts are sorted by length and run in small
        batches, each padded only to its own longest text: with 32 questions of 5 to 55
        tokens, batches of 8 take half the time of one batch of 32."""
        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        # BLAS threads pay off on a batch (32 questions, quiet 2-core machine: 101 ms on two
        # threads, 155 ms on one); on one question they gain little when the machine is quiet
        # (7 ms against 11) and cost dearly when it is busy (18 to 300 ms against 12).
        tokens = sum(len(e.ids) for e in encodings)
        with _blas_threads(1 if tokens < MANY_TOKENS else None):
            return self._encode(encodings, batch_size)

    def _encode(self, encodings: list, batch_size: int) -> np.ndarray:
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        out = np.zeros((len(encodings), self.words.shape[1]), dtype=np.float32)
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
        x = _layer_norm_inplace(x.reshape(batch * width, hidden), *self.norm0, self.eps)
        # padding gets the most negative float, as transformers does
        blocked = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1 / math.sqrt(size))
        for layer in self.layers:
            # x is (batch * width, hidden), so every product is one BLAS call
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            qkv = qkv.reshape(batch, width, 3, self.heads, size)
            q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += blocked
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores, out=scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * width, hidden)
            attended = context @ layer.out
            attended += layer.out_bias
            attended += x
            x = _layer_norm_inplace(attended, *layer.norm1, self.eps)
            up = x @ layer.up
            up += layer.up_bias
            down = _gelu_inplace(up) @ layer.down
            down += layer.down_bias
            down += x
            x = _layer_norm_inplace(down, *layer.norm2, self.eps)
        x = x.reshape(batch, width, hidden)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
