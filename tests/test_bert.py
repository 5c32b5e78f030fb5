"""shared/bert.py gives the vectors sentence-transformers gives, and keeps torch out of the bot."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from shared import bert
from shared.encoders import SentenceTransformerEncoder, packaged_minilm_path

TEXTS = [
    "How do I reset my password?",
    "  my card was charged twice!!  ",
    "如何充值 USDT",
    "Withdrawal pending 3h — what now? 😟",
    "",
    "word " * 400,  # longer than the model's 256 tokens: truncated the same way
    "KYC",
]


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(packaged_minilm_path()), device="cpu", local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


def test_same_vectors_as_sentence_transformers(reference):
    encoder = bert.BertEncoder(packaged_minilm_path())
    ours = encoder.encode(TEXTS)
    assert ours.shape == reference.shape and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-5
    # one at a time (no padding) and in a batch (padding) agree too
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    assert np.abs(alone - ours).max() < 1e-5


def test_big_batches_use_every_thread_and_still_agree(reference):
    encoder = bert.BertEncoder(packaged_minilm_path())
    many = TEXTS * 20  # over MANY_TOKENS: the uncapped BLAS path
    assert sum(len(e.ids) for e in encoder.tokenizer.encode_batch(many)) >= bert.MANY_TOKENS
    assert np.abs(encoder.encode(many) - np.tile(reference, (20, 1))).max() < 1e-5


def test_other_architectures_go_through_sentence_transformers(tmp_path, reference):
    folder = tmp_path / "cls-pooled"
    shutil.copytree(packaged_minilm_path(), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    assert bert.supports(packaged_minilm_path())
    assert not bert.supports(folder)

    encoder = SentenceTransformerEncoder(folder)
    assert encoder.bert is None and encoder.model is not None
    cls_vectors = encoder.encode(TEXTS[:2])
    assert np.abs(cls_vectors - reference[:2]).max() > 1e-3  # really CLS pooling, not ours


def test_the_bot_answers_without_importing_torch(tmp_path):
    """Start-up time: with warm caches, the default model and its index never load torch."""
    code = f"""
import sys
from pathlib import Path
from shared.knowledge import load_knowledge
from shared.matching import Index, load_model
from tests.conftest import MINI_KB
index = Index(load_knowledge(MINI_KB), load_model("default"), Path({str(tmp_path)!r}))
assert index.rank(["I forgot my password"])[0].best.entry.id == "reset-password"
print(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers",
                                                           "sentence_transformers")))
"""
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr[-2000:]  # fills the caches (fits the classifier)
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert warm.stdout.strip() == "[]"
