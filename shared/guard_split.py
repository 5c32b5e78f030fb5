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

import re
from dataclasses import dataclass

from shared.guard import KINDS, GuardResult, find_secrets, merge_spans, redact, visible
from shared.guard_seed import exact_list_words, list_word_share

WINDOW_S = 120.0  # how long a message may wait for the rest of its secret


@dataclass(frozen=True)
class Across:
    current: GuardResult  # the new message, redacted with what the pair shows
    previous: str | None  # the previous message redacted, when part of a secret was in it


def across(previous: str, current: str, alone: str | None = None) -> Across | None:
    """What reading ``previous`` and ``current`` together finds that ``current`` alone does
    not; None when nothing. ``alone``: ``current`` as the guard redacted it by itself, when
    the caller has it (saves scanning it again)."""
    previous, current = visible(previous), visible(current)
    if not might_continue(previous, current):
        return None
    joined = f"{previous}\n{current}"
    boundary = len(previous) + 1
    spans = [s for s in find_secrets(joined) if not _loose_phrase(joined, s, boundary)]
    if alone is None:
        alone = redact(current, find_secrets(current))
    in_current = [
        (max(s, boundary) - boundary, e - boundary, k) for s, e, k in spans if e > boundary
    ]
    in_previous = [(s, min(e, len(previous)), k) for s, e, k in spans if s < len(previous)]
    together = redact(current, in_current)
    if not in_previous and together in (current, alone):
        return None  # nothing, or nothing the message alone did not show
    if alone != current:  # the message's own secrets stay removed too
        in_current = merge_spans(in_current + find_secrets(current))
        together = redact(current, in_current)
    kinds = {k for _, _, k in in_current} | {k for _, _, k in in_previous}
    result = GuardResult(tuple(k for k in KINDS if k in kinds), together)
    return Across(result, redact(previous, in_previous) if in_previous else None)


# Words that may name what the next message holds ("my private key is", "验证码：").
_LABEL_WORDS = (
    r"(?:pass\w*|pwd|pw|pin|keys?|secrets?|codes?|otp|2fa|mfa|auth\w*|cvv2?|cvc2?|seed|mnemonic"
    r"|phrase|words|priv\w*|api|credentials?|login|token|sk|ak|wif|xprv|card(?:\s*number)?"
    r"|number)"
)
_OPEN_LABEL = re.compile(
    rf"(?<![A-Za-z]){_LABEL_WORDS}(?![A-Za-z])"
    r"|密|钥|鑰|码|碼|助记|助記|种子|種子|口令|验证|驗證|卡",
    re.IGNORECASE,
)
_TAIL = 60  # characters at the end of a message where such a label may stand


def might_continue(previous: str, current: str) -> bool:
    """Whether a secret could run from ``previous`` into ``current``: a label near the end
    of the first, list words in it (half a seed phrase), or a bare value followed by its
    label ("482913", then "that's my 2fa code"). Most pairs are none of these, and are then
    not read together (that costs as much as scanning both again)."""
    if _OPEN_LABEL.search(previous, max(0, len(previous) - _TAIL)):
        return could_be_a_value(current)
    if len(previous) <= 64 and not previous.strip().count(" "):
        return _OPEN_LABEL.search(current, 0, _TAIL) is not None
    return list_word_share(previous) >= 0.6


_EDGES = ".,!?;:()[]{}\"'“”‘’"


def could_be_a_value(text: str) -> bool:
    """Whether ``text`` could hold what a label before it names: a digit, a word with
    symbols in it ("P@ss", "Summer2024!"), a word or two alone ("hunter2", "hunter"),
    Chinese, or list words. "how long does it take to arrive?" could not."""
    words = text.split()
    if len(words) <= 2 or any("\u3400" <= c <= "\u9fff" for c in text):
        return True
    for word in words:
        core = word.strip(_EDGES)
        if core and not core.isalpha():
            return True  # digits, symbols, an address, a key
    return list_word_share(text) >= 0.6


def _loose_phrase(joined: str, span: tuple[int, int, str], boundary: int) -> bool:
    """A seed phrase across the two messages that a list word's slip or an abbreviation
    made: two short sentences of common words read as one ("would you repeat what you just
    said" + "please repeat over what you said"). Across messages only exact list words
    count (a phrase copied from a wallet has no slips)."""
    start, end, kind = span
    if kind != "seed_phrase" or start >= boundary or end <= boundary:
        return False
    return not exact_list_words(joined[start:end])
