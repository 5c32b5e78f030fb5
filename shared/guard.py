"""The guard: find secrets in a chat message before it is matched, stored or logged.

Users of exchange communities paste seed phrases, keys, passwords and 2FA codes to anyone who
looks like support. ``scan`` tells which kinds of secret a message holds and returns the message
with each secret replaced by a placeholder, so the rest of the question can still be answered.

How it works, top to bottom:
0. drop invisible characters (zero-width spaces, soft hyphens, direction marks): pasted
   text carries them, and one inside a seed word or a card number would hide it;
1. fold full-width characters to ASCII in a copy of the same length (guard_context.normalise);
2. find every label ("私钥", "txid", "验证码", "UID" ...) once (guard_context.Labels);
3. run each detector on the copy; each returns (start, end, kind) spans
   (guard_seed, guard_keys, guard_codes, guard_urls);
4. merge overlapping spans and replace them in the ORIGINAL text.

``scan`` never raises and never logs: the input is a secret until proven otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.guard_codes import find_cards, find_codes, find_passwords
from shared.guard_context import Labels, normalise, url_spans
from shared.guard_keys import find_api_keys, find_private_keys
from shared.guard_seed import find_labelled_partial_phrases, find_seed_phrases
from shared.guard_urls import find_url_secrets

KINDS = ("seed_phrase", "private_key", "password", "otp", "api_key", "card_number")

PLACEHOLDERS = {
    "seed_phrase": "[seed phrase removed]",
    "private_key": "[private key removed]",
    "password": "[password removed]",
    "otp": "[code removed]",
    "api_key": "[API key removed]",
    "card_number": "[card number removed]",
}

# When two detectors claim the same text, the one whose format proves itself wins.
_PRIORITY = {
    "private_key": 0,
    "seed_phrase": 1,
    "card_number": 2,
    "api_key": 3,
    "password": 4,
    "otp": 5,
}


# Format characters that show nothing: zero-width space and non-joiner, soft hyphen, word
# joiner and invisible operators, byte-order mark, Mongolian vowel separator, direction marks
# and embeddings. The zero-width joiner only beside a letter or digit: between emoji it
# builds one picture ("👨‍👩‍👧") and stays.
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
    "|(?<=[0-9A-Za-z\u3400-\u9fff])\u200d|\u200d(?=[0-9A-Za-z\u3400-\u9fff])"
)


def visible(text: str) -> str:
    """``text`` without its invisible characters (what ``scan`` reads and returns)."""
    return _INVISIBLE.sub("", text) if not text.isascii() else text


@dataclass(frozen=True)
class GuardResult:
    kinds: tuple[str, ...]  # distinct kinds found, in the order of KINDS
    redacted: str  # the text with every secret replaced by its placeholder

    @property
    def sensitive(self) -> bool:
        return bool(self.kinds)


def find_secrets(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans of ``text`` that hold a secret, in text order."""
    return merge_spans(_detect(text))


def _detect(text: str) -> list[tuple[int, int, str]]:
    """Every detector's spans, overlapping as they come."""
    norm = normalise(text)
    labels = Labels(norm)
    urls = url_spans(norm)
    spans: list[tuple[int, int, str]] = []
    spans += [(s, e, "seed_phrase") for s, e in find_seed_phrases(norm)]
    spans += [(s, e, "seed_phrase") for s, e in find_labelled_partial_phrases(norm)]
    spans += find_private_keys(norm, labels, urls)
    spans += find_api_keys(norm, labels, urls)
    spans += find_passwords(norm, labels)
    spans += find_codes(norm, labels)
    spans += find_cards(norm, labels, urls)
    spans += find_url_secrets(norm, urls)
    return spans


def _kinds(spans: list[tuple[int, int, str]]) -> set[str]:
    """The kinds found. A span inside another one of a different kind is the same secret seen
    by a second detector (digits of a card read as a code) and does not count; a span that only
    overlaps another is a second secret next to it ("key:AAA secret:BBB"), and does."""
    found = set()
    for start, end, kind in spans:
        inside = any(
            other_kind != kind
            and s <= start
            and end <= e
            and ((s, e) != (start, end) or _PRIORITY[other_kind] < _PRIORITY[kind])
            for s, e, other_kind in spans
        )
        if not inside:
            found.add(kind)
    return found


def merge_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep the widest span where spans overlap; a span sticking out of it widens it."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), _PRIORITY[s[2]]))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_kind)
        else:
            merged.append((start, end, kind))
    return merged


def scan(text: str) -> GuardResult:
    """The kinds of secret in ``text`` and the text with each one replaced by a placeholder
    (and without invisible characters, see ``visible``)."""
    if not isinstance(text, str) or not text:
        return GuardResult((), text if isinstance(text, str) else "")
    try:
        text = visible(text)
        detected = _detect(text)
        spans = merge_spans(list(detected))
    except Exception:  # noqa: BLE001 - a guard that crashes lets the secret through
        return _fail_closed()
    found = {kind for _, _, kind in spans} | _kinds(detected)
    return GuardResult(tuple(k for k in KINDS if k in found), _replace(text, spans))


def redact(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each of ``spans`` (merged first) replaced by its placeholder."""
    return _replace(text, merge_spans(list(spans)))


def _replace(text: str, merged: list[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    last = 0
    for start, end, kind in merged:
        parts.append(text[last:start])
        parts.append(PLACEHOLDERS[kind])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _fail_closed() -> GuardResult:
    """Should a detector ever fail, hide the whole message rather than pass a secret through."""
    return GuardResult((), "[message hidden: it could not be checked]")
