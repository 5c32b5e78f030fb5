"""`supportbot kb eval` and `kb import-csv`: measure the matcher on labelled questions.

CSV files have the header ``text,label``; an empty label means "out of scope" (the bot
should not answer it).
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
import statistics
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import yaml

from shared.guard import scan
from shared.knowledge import ID_PATTERN, Knowledge
from shared.matching import Index, MatchResult, decide


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    label: str  # "" = out of scope


def read_labelled_csv(path: str | Path) -> list[LabelledQuestion]:
    """Rows of a text,label CSV; raises ValueError naming the line for a malformed file
    (a row without its label field, or with more fields than the header, would otherwise
    be counted silently as out of scope or under a wrong label), and for two labels that
    would become one entry id."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
                raise ValueError(f"{path}:1: the header must be text,label")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if None in row:  # DictReader's key for the fields beyond the header
                    raise ValueError(
                        f"{where}: more fields than the header: quote a text "
                        'that holds a comma ("a, b",label)'
                    )
                text = (row.get("text") or "").strip()
                if not text:
                    continue
                if row.get("label") is None:
                    raise ValueError(
                        f"{where}: no label field: write text,label (an empty "
                        "label, text, marks an out-of-scope question)"
                    )
                rows.append(LabelledQuestion(text, row["label"].strip()))
        except csv.Error as exc:  # e.g. a stray quote that swallowed the rest of the file
            raise ValueError(f"{path}:{reader.line_num}: {exc}") from None
    _check_labels(path, rows)
    return rows


def _check_labels(path: str | Path, rows: list[LabelledQuestion]) -> None:
    """Two different labels must not become one entry ("A+B" and "A-B" are both a-b)."""
    first: dict[str, str] = {}
    for label in dict.fromkeys(r.label for r in rows if r.label):
        entry_id = entry_id_for(label)
        other = first.setdefault(entry_id, label)
        if other != label:
            raise ValueError(
                f"{path}: labels '{other}' and '{label}' would both become entry '{entry_id}': "
                "rename one"
            )


def entry_id_for(label: str) -> str:
    """The entry id for a CSV label: the label itself when it is a valid id."""
    if ID_PATTERN.match(label):
        return label
    if ID_PATTERN.match(label.lower()):
        return label.lower()
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", label.lower()).strip("-_")
    if label.isascii() and cleaned:
        return cleaned  # "Deposit Missing" -> deposit-missing
    # Non-ASCII letters (e.g. a Chinese label) are dropped; a hash keeps such ids apart.
    digest = hashlib.sha256(label.encode()).hexdigest()[:8]
    return f"{cleaned}-{digest}" if cleaned else f"label-{digest}"


def import_csv(csv_path: str | Path, out_path: str | Path) -> int:
    """Write a knowledge YAML with one entry per label; returns the number of entries."""
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for row in read_labelled_csv(csv_path):
        if row.label:
            phrasings = groups.setdefault(entry_id_for(row.label), [])
            if row.text not in phrasings:
                phrasings.append(row.text)
    if not groups:
        raise ValueError(f"{csv_path}: no row has a label: nothing to import")
    entries = [
        {
            "id": label,
            "category": "imported",
            "questions": phrasings,
            "answer": {"en": f"(placeholder answer for {label}: write the real answer here)"},
        }
        for label, phrasings in groups.items()
    ]
    header = f"# Imported from {Path(csv_path).name} by `supportbot kb import-csv`.\n"
    with open(out_path, "w", encoding="utf-8") as handle:
        handle.write(header)
        yaml.safe_dump(
            {"entries": entries}, handle, allow_unicode=True, sort_keys=False, width=1000
        )
    return len(entries)


def split_csv(
    csv_path: str | Path,
    per_label: int,
    first_out: str | Path,
    rest_out: str | Path,
    seed: int | None = None,
) -> tuple[int, int]:
    """Deterministic split: the first ``per_label`` rows of each label go to ``first_out``
    (for the knowledge), the rest, out-of-scope rows included, to ``rest_out``. With ``seed``
    the rows are shuffled first (the same seed, the same split): another pick of the
    knowledge, to see how much the figures depend on it."""
    seen: dict[str, int] = {}
    first, rest = [], []
    rows = read_labelled_csv(csv_path)
    if seed is not None:
        random.Random(seed).shuffle(rows)
    for row in rows:
        if row.label and seen.get(row.label, 0) < per_label:
            seen[row.label] = seen.get(row.label, 0) + 1
            first.append(row)
        else:
            rest.append(row)
    for path, rows in ((first_out, first), (rest_out, rest)):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            writer.writerows([r.text, r.label] for r in rows)
    return len(first), len(rest)


def evaluate(
    index: Index,
    knowledge: Knowledge,
    rows: list[LabelledQuestion],
    *,
    timing_sample: int = 100,
    misses: bool = False,
) -> dict:
    """Accuracy and out-of-scope figures (definitions in README, "Measuring the matcher");
    with ``misses``, also the questions it got wrong, to show an admin which entries need
    more phrasings."""
    settings = index.settings  # the knowledge's, with calibrated thresholds
    results: list[MatchResult] = []
    batch = 256
    for start in range(0, len(rows), batch):
        results += index.rank([r.text for r in rows[start : start + batch]], top=10)

    in_scope = [(r, m) for r, m in zip(rows, results, strict=True) if r.label]
    out_scope = [(r, m) for r, m in zip(rows, results, strict=True) if not r.label]
    top1 = answered_right = answered = oos_declined = 0
    per_entry: dict[str, list[int]] = {}  # entry -> [right, asked]
    wrong = []  # the misses: in-scope questions first, then out-of-scope ones
    for r, m in in_scope:
        want = entry_id_for(r.label)
        counts = per_entry.setdefault(want, [0, 0])
        counts[1] += 1
        if m.best and m.best.entry.id == want:
            top1 += 1
            counts[0] += 1
        else:
            wrong.append(_miss(r, m, "wrong entry"))
        d = decide(m, settings)
        if d.action == "answer":
            answered += 1
            answered_right += d.candidates[0].entry.id == want
    for r, m in out_scope:
        if decide(m, settings).action == "answer":
            answered += 1
            wrong.append(_miss(r, m, "out of scope, answered"))
        else:
            oos_declined += 1
    known = {e.id for e in knowledge.entries}
    unknown = sorted({entry_id_for(r.label) for r, _ in in_scope} - known)

    # Latency of one question at a time, as a single asker sees it.
    timings = []
    for row in rows[:timing_sample]:
        started = time.perf_counter()
        index.rank([row.text])
        timings.append((time.perf_counter() - started) * 1000)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    report = {
        "questions": len(rows),
        "in_scope": len(in_scope),
        "out_of_scope": len(out_scope),
        "top1_accuracy": ratio(top1, len(in_scope)),
        # each entry's top-1 accuracy, averaged over the entries the CSV asks about (labels
        # the knowledge lacks are left out: they are in unknown_labels): what a set with as
        # many questions for every entry would measure (public test splits are balanced;
        # training leftovers are not)
        "top1_balanced": (
            round(statistics.fmean(right / asked for right, asked in balanced), 4)
            if (balanced := [v for k, v in per_entry.items() if k in known])
            else None
        ),
        "in_scope_accuracy": ratio(answered_right, len(in_scope)),
        "answered_precision": ratio(answered_right, answered),
        "oos_recall": ratio(oos_declined, len(out_scope)),
        "p50_ms": round(statistics.median(timings), 2) if timings else None,
        "entries": len(knowledge.entries),
        "phrasings": len(index.phrasings),
        "model": index.model.name,
        "unknown_labels": unknown,
    }
    if misses:
        report["misses"] = wrong
    return report


def _miss(row: LabelledQuestion, result: MatchResult, kind: str) -> dict:
    """One miss for the report; its text passes the guard first (a CSV made from real chat
    logs may hold a member's secret, which is never echoed)."""
    got = [[c.entry.id, round(c.score, 3)] for c in result.candidates[:3]]
    want = entry_id_for(row.label) if row.label else ""
    return {"kind": kind, "text": scan(row.text).redacted, "want": want, "got": got}
