"""`supportbot kb tune`: adapt the English encoder to one knowledge base.

Contrastive fine-tuning of all-MiniLM-L6-v2 on pairs of phrasings of the same entry
(multiple-negatives ranking loss: in a batch, each phrasing must pick its partner out of all
the others). A plain torch loop, so no trainer dependencies are needed. The tuned model is
saved under ``SUPPORTBOT_DATA_DIR/tuned/<knowledge fingerprint>``; ``load_model`` uses it for
exactly that knowledge, and an edited knowledge falls back to the untuned model until it is
tuned again. The classifier of ``shared.adapter`` is refitted on the tuned model by itself
(its cache key includes the model).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from pathlib import Path

from shared.encoders import packaged_minilm_path
from shared.knowledge import Knowledge
from shared.language import has_cjk

BATCH_SIZE = 32
LEARNING_RATE = 2e-5
SCALE = 20.0  # sentence-transformers' default for the multiple-negatives ranking loss
TRAIN_MAX_TOKENS = 64
HOLD_OUT = 10  # one phrasing in this many is held out of training (see held_out)
MIN_TRAINING = 4
HELD_OUT_FILE = "held_out.json"
# Without --epochs: as many passes as bring the pairs seen to about this many, at most
# MAX_AUTO_EPOCHS. A small knowledge base gains from more passes and costs seconds (BANKING77,
# 10 per intent, 690 pairs: 0.854 after one pass, 0.859 after three); a large one gets one
# (10,000 phrasings: 6 minutes, where the budget is 15).
AUTO_PAIRS = 2400
MAX_AUTO_EPOCHS = 4


def tuned_path(data_dir: Path, knowledge: Knowledge) -> Path:
    return data_dir / "tuned" / knowledge.fingerprint[:32]


def held_out(knowledge: Knowledge) -> set[str]:
    """About one Latin phrasing in ten, kept out of training so that the thresholds can be
    calibrated on phrasings the tuned model has not learned (shared/calibration.py); an
    entry always keeps at least ``MIN_TRAINING`` phrasings to learn from."""
    out = set()
    for entry in knowledge.entries:
        latin = [q for q in entry.questions if not has_cjk(q)]
        chosen = [q for q in latin if hashlib.sha256(q.encode()).digest()[0] % HOLD_OUT == 0]
        out.update(chosen[: max(0, len(latin) - MIN_TRAINING)])
    return out


def training_pairs(knowledge: Knowledge, seed: int = 0) -> list[tuple[str, str, int]]:
    """(phrasing, another phrasing of the same entry, entry number), Latin script only:
    the English encoder only ever scores Latin-to-Latin pairs. Held-out phrasings are left
    out."""
    rng = random.Random(seed)
    hold = held_out(knowledge)
    pairs = []
    for number, entry in enumerate(knowledge.entries):
        latin = [q for q in entry.questions if not has_cjk(q) and q not in hold]
        if len(latin) < 2:
            continue
        for i, text in enumerate(latin):
            partner = latin[(i + rng.randrange(1, len(latin))) % len(latin)]
            pairs.append((text, partner, number))
    rng.shuffle(pairs)
    return pairs


def _batches(pairs: list[tuple[str, str, int]]) -> list[list[tuple[str, str, int]]]:
    """Batches with at most one pair per entry: another pair of the same entry would be a
    false negative for the loss."""
    batches, current, seen = [], [], set()
    pending = list(pairs)
    while pending:
        rest = []
        for pair in pending:
            if pair[2] in seen or len(current) >= BATCH_SIZE:
                rest.append(pair)
                continue
            current.append(pair)
            seen.add(pair[2])
        batches.append(current)
        current, seen, pending = [], set(), rest
    return [b for b in batches if len(b) > 1]


def auto_epochs(pairs: int) -> int:
    """The number of passes ``tune`` makes over ``pairs`` training pairs when not told."""
    return max(1, min(MAX_AUTO_EPOCHS, round(AUTO_PAIRS / max(pairs, 1))))


def tune(
    knowledge: Knowledge, data_dir: Path, epochs: int | None = None, progress: bool = True
) -> Path:
    """Fine-tune and save; returns the folder of the tuned model. ``epochs`` None: see
    ``auto_epochs``."""
    pairs = training_pairs(knowledge)
    if not pairs:
        raise ValueError("no entry has two phrasings in Latin script: nothing to tune")
    if epochs is None:
        epochs = auto_epochs(len(pairs))
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    import torch
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

    torch.manual_seed(0)
    model = SentenceTransformer(str(packaged_minilm_path()), device="cpu", local_files_only=True)
    max_length = model.max_seq_length
    model.max_seq_length = min(max_length, TRAIN_MAX_TOKENS)  # phrasings are short: much faster
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    started = time.perf_counter()
    for epoch in range(epochs):
        batches = _batches(training_pairs(knowledge, seed=epoch))
        bar = tqdm(batches, desc=f"tuning, epoch {epoch + 1}/{epochs}", disable=not progress)
        for batch in bar:
            anchors = _embed(model, [a for a, _, _ in batch])
            partners = _embed(model, [p for _, p, _ in batch])
            scores = anchors @ partners.T * SCALE
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    model.max_seq_length = max_length  # questions at run time may be longer
    target = tuned_path(data_dir, knowledge)
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    held = sorted(held_out(knowledge))
    (tmp / HELD_OUT_FILE).write_text(json.dumps(held, ensure_ascii=False, indent=0) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    (target / "TUNED.txt").write_text(
        f"pairs={len(pairs)} epochs={epochs} seconds={time.perf_counter() - started:.0f}\n"
    )
    return target


def _embed(model, texts: list[str]):
    import torch

    # sentence-transformers 5 renamed tokenize to preprocess
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = prepare(texts)
    output = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(output, dim=1)
