"""The guard on the held-out set: messages written from the spec by someone who had not read the
guard (tests/data/make_guard_holdout.py), so recall here says more than on the labelled set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from shared.guard import KINDS, scan

HOLDOUT = Path(__file__).parent / "data" / "guard_holdout.jsonl"


def holdout_figures() -> dict:
    """Recall overall and per kind, false-positive rate and leaks on the held-out set.

    A positive counts as caught when every labelled kind is found and none of its secret
    substrings survives in the redacted text; a negative is a false positive when any kind is.
    """
    with HOLDOUT.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    total, caught, per_kind, per_kind_caught = 0, 0, Counter(), Counter()
    negatives, false_positives, leaks = 0, [], []
    for record in records:
        result = scan(record["text"])
        if not record["kinds"]:
            negatives += 1
            if result.kinds:
                false_positives.append(record["text"])
            continue
        leaked = [s for s in record["secrets"] if s in result.redacted]
        leaks += leaked
        total += 1
        caught += set(record["kinds"]) <= set(result.kinds) and not leaked
        for kind in record["kinds"]:
            per_kind[kind] += 1
            per_kind_caught[kind] += kind in result.kinds and not leaked
    return {
        "positives": total,
        "negatives": negatives,
        "recall": caught / total,
        "per_kind": {kind: per_kind_caught[kind] / per_kind[kind] for kind in per_kind},
        "fp_rate": len(false_positives) / negatives,
        "false_positives": false_positives,
        "leaks": len(leaks),
    }


def test_holdout_meets_the_targets() -> None:
    """Recall >= 0.99 overall and >= 0.97 per kind; FP <= 0.5%; no secret survives."""
    figures = holdout_figures()
    print(
        f"\nheld-out: recall {figures['recall']:.4f} on {figures['positives']} positives; "
        f"per kind {figures['per_kind']}; false positives {len(figures['false_positives'])}/"
        f"{figures['negatives']} = {figures['fp_rate']:.2%}; leaks {figures['leaks']}"
    )
    assert set(figures["per_kind"]) == set(KINDS), "every kind must be in the held-out set"
    assert figures["positives"] >= 600 and figures["negatives"] >= 400
    assert figures["recall"] >= 0.99
    assert all(r >= 0.97 for r in figures["per_kind"].values()), figures["per_kind"]
    assert figures["fp_rate"] <= 0.005, figures["false_positives"]
    assert figures["leaks"] == 0
