"""Secrets split over two messages: "my private key is" then the key, a seed phrase sent
six words at a time, a card and then "cvv 321".

Each message is scanned on its own first (shared.guard). This module reads a member's
previous message and the new one together, as one text, and tells what that finds beyond
the new message alone: the new message's redaction, and the previous message's when part of
the secret was in it (the pipeline then takes it back out of what it stored, and deletes it
where it may). The previous text is kept in memory only, for ``WINDOW_S`` seconds, and only
when the guard found nothing in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.guard import KINDS, PLACEHOLDERS, GuardResult, find_secrets, visible
from shared.guard_seed import exact_list_words

WINDOW_S = 120.0  # how long a message may wait for the rest of its secret


@dataclass(frozen=True)
class Across:
    current: GuardResult  # the new message, redacted with what the pair shows
    previous: str | None  # the previous message redacted, when part of a secret was in it


def across(previous: str, current: str) -> Across | None:
    """What reading ``previous`` and ``current`` together finds that ``current`` alone does
    not; None when nothing."""
    previous, current = visible(previous), visible(current)
    joined = f"{previous}\n{current}"
    boundary = len(previous) + 1
    spans = [s for s in find_secrets(joined) if not _loose_phrase(joined, s, boundary)]
    alone = find_secrets(current)
    in_current = _merge(
        [(max(s, boundary) - boundary, e - boundary, k) for s, e, k in spans if e > boundary]
        + alone
    )
    in_previous = [(s, min(e, len(previous)), k) for s, e, k in spans if s < len(previous)]
    grew = _redact(current, in_current) != _redact(current, alone)
    if not grew and not in_previous:
        return None
    kinds = {k for _, _, k in in_current} | {k for _, _, k in in_previous}
    result = GuardResult(tuple(k for k in KINDS if k in kinds), _redact(current, in_current))
    return Across(result, _redact(previous, in_previous) if in_previous else None)


def _loose_phrase(joined: str, span: tuple[int, int, str], boundary: int) -> bool:
    """A seed phrase across the two messages that a list word's slip or an abbreviation
    made: two short sentences of common words read as one ("would you repeat what you just
    said" + "please repeat over what you said"). Across messages only exact list words
    count (a phrase copied from a wallet has no slips)."""
    start, end, kind = span
    if kind != "seed_phrase" or start >= boundary or end <= boundary:
        return False
    return not exact_list_words(joined[start:end])


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def _redact(text: str, spans: list[tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, kind in _merge(list(spans)):
        parts += [text[last:start], PLACEHOLDERS[kind]]
        last = end
    return "".join(parts) + text[last:]
