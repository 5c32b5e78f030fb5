"""Property-based tests of the guard's formats: any valid phrase, card or key is caught and
removed; Luhn-invalid numbers and random addresses are left alone."""

from __future__ import annotations

import hashlib
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from shared.guard import scan, visible
from shared.guard_keys import B58_ALPHABET
from shared.guard_seed import ORDINARY_WORDS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LANGUAGES = ("english", "chinese_simplified", "chinese_traditional")
WORDLISTS = {lang: Mnemonic(lang).wordlist for lang in LANGUAGES}

EN_PROSE = st.sampled_from(
    ["", "hi admin, ", "my wallet words: ", "Is this ok? ", "support asked for this:\n", "seed "]
)
EN_TAIL = st.sampled_from(["", " thanks", ", please help!", "\nwhat now?", " 🙏", ". Regards"])
ZH_PROSE = st.sampled_from(["", "你好，", "我的助记词是：", "客服让我发这个\n", "助記詞 "])
ZH_TAIL = st.sampled_from(["", "，谢谢", "。请帮我看看", "\n钱还在吗？", "！"])


@st.composite
def phrases(draw: st.DrawFn) -> tuple[str, str]:
    """(message, phrase): a valid BIP39 phrase in any allowed form, inside a message."""
    lang = draw(st.sampled_from(LANGUAGES))
    n = draw(st.sampled_from([12, 15, 18, 21, 24]))
    entropy = draw(st.binary(min_size=n * 4 // 3, max_size=n * 4 // 3))
    words = Mnemonic(lang).to_mnemonic(entropy).split()
    if lang == "english":
        case = draw(st.sampled_from([str.lower, str.upper, str.title]))
        words = [case(w) for w in words]
    numbering = draw(st.sampled_from(["", "{i}. ", "{i}) ", "({i}) ", "{i}."]))
    words = [numbering.format(i=i + 1) + w for i, w in enumerate(words)]
    separators = [" ", ", ", ",", "\n", "、", " 、", "，", "  ", "\u3000", " - "]
    separator = draw(st.sampled_from(separators))
    phrase = separator.join(words)
    if lang == "english":
        return draw(EN_PROSE) + phrase + draw(EN_TAIL), phrase
    return draw(ZH_PROSE) + phrase + draw(ZH_TAIL), phrase


@given(phrases())
@SETTINGS
def test_any_valid_phrase_is_caught_and_removed(case: tuple[str, str]) -> None:
    text, phrase = case
    result = scan(text)
    assert "seed_phrase" in result.kinds
    assert phrase not in result.redacted
    words = phrase.replace(",", " ").replace("、", " ").replace("，", " ").split()
    # No run of 4 phrase words survives: nothing that helps rebuild the phrase is left.
    for i in range(len(words) - 3):
        assert " ".join(words[i : i + 4]) not in result.redacted


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw: st.DrawFn, valid: bool = True) -> str:
    length = draw(st.integers(13, 19))
    body = str(draw(st.integers(1, 9))) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=length - 2, max_size=length - 2))
    )
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + draw(st.integers(1, 9))) % 10)
    digits = body + check
    style = draw(st.sampled_from(["plain", "4", "dash4", "random"]))
    if style == "plain":
        return digits
    if style in ("4", "dash4"):
        sep = " " if style == "4" else "-"
        return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    cuts = sorted(draw(st.sets(st.integers(1, length - 1), max_size=5)))
    sep = draw(st.sampled_from([" ", "-"]))
    parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, length], strict=True)]
    return sep.join(parts)


CARD_CONTEXT = st.sampled_from(["{n}", "card {n}", "卡号{n}", "my card is {n}, help", "({n})"])


@given(card_numbers(), CARD_CONTEXT)
@SETTINGS
def test_luhn_valid_numbers_are_caught(number: str, context: str) -> None:
    result = scan(context.format(n=number))
    assert "card_number" in result.kinds
    assert number not in result.redacted


LAYOUTS = ((4, 4, 4, 4, 3), (4, 4, 4, 4), (4, 6, 5))


def reads_as_card_and_tail(number: str) -> bool:
    """Groups holding a valid card in a card's layout (4-4-4-4, 4-6-5, 4-4-4-4-3, or one
    group of 13 to 19 digits): the guard removes those on purpose, with whatever follows
    ("4111 1111 1111 1111 123": a card and its CVV), whatever the digits were meant to be."""
    groups = re.split(r"[ -]", number)
    if len(groups) == 1:
        return False
    for i in range(len(groups)):
        windows = [groups[i : i + len(layout)] for layout in LAYOUTS]
        laid_out = [w for w in windows if tuple(map(len, w)) in LAYOUTS]
        for digits in ["".join(w) for w in laid_out] + [groups[i]]:
            if 13 <= len(digits) <= 19 and luhn_digit(digits[:-1]) == digits[-1]:
                return True
    return False


@given(card_numbers(valid=False), CARD_CONTEXT)
@SETTINGS
def test_luhn_invalid_numbers_are_not_cards(number: str, context: str) -> None:
    assume(not reads_as_card_and_tail(number))
    assert "card_number" not in scan(context.format(n=number)).kinds


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rem = divmod(number, 58)
        out = B58_ALPHABET[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@st.composite
def addresses(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["btc", "p2sh", "tron", "ltc", "doge", "eth", "sol", "hex64"]))
    if kind == "eth":
        return "0x" + draw(st.binary(min_size=20, max_size=20)).hex()
    if kind == "sol":
        data = draw(st.binary(min_size=32, max_size=32))
        number, out = int.from_bytes(data, "big"), ""
        while number:
            number, rem = divmod(number, 58)
            out = B58_ALPHABET[rem] + out
        return out or "1"
    if kind == "hex64":
        return "0x" + draw(st.binary(min_size=32, max_size=32)).hex()
    version = {"btc": 0, "p2sh": 5, "tron": 0x41, "ltc": 0x30, "doge": 0x1E}[kind]
    return b58check(bytes([version]) + draw(st.binary(min_size=20, max_size=20)))


ADDRESS_CONTEXT = st.sampled_from(
    [
        "{a}",
        "deposit address {a}",
        "充值地址：{a}",
        "I sent 50 USDT to {a} yesterday",
        "txid {a}",
        "is {a} correct?",
    ]
)


@given(addresses(), ADDRESS_CONTEXT)
@SETTINGS
def test_addresses_and_hashes_are_not_secrets(address: str, context: str) -> None:
    text = context.format(a=address)
    assert scan(text).kinds == ()


@st.composite
def wif_keys(draw: st.DrawFn) -> str:
    compressed = draw(st.booleans())
    key = draw(st.binary(min_size=32, max_size=32))
    return b58check(b"\x80" + key + (b"\x01" if compressed else b""))


@given(wif_keys(), st.sampled_from(["{k}", "key: {k}", "私钥{k}，谢谢", "here {k} pls"]))
@SETTINGS
def test_any_wif_key_is_caught_without_a_label(key: str, context: str) -> None:
    result = scan(context.format(k=key))
    assert result.kinds == ("private_key",)
    assert key not in result.redacted


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_scan_never_raises_and_keeps_plain_text(text: str) -> None:
    result = scan(text)
    assert isinstance(result.redacted, str)
    if not result.sensitive:  # the text as it was, but for its invisible characters
        assert result.redacted == visible(text)


@st.composite
def mistyped_phrases(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(message, words): a valid English phrase copied with one slip in every six words (the
    most the guard allows): a letter doubled, dropped or changed, the first letter too. Inside
    a sentence the slips are never the phrase's first or last word (those read as the
    sentence's own words); a phrase sent alone may have them anywhere."""
    n = draw(st.sampled_from([12, 15, 18, 21, 24]))
    entropy = draw(st.binary(min_size=n * 4 // 3, max_size=n * 4 // 3))
    words = Mnemonic("english").to_mnemonic(entropy).split()
    # a real phrase has more than three different words (fewer: chatter such as "moon moon
    # moon ...", which the guard leaves alone unless its checksum agrees exactly)
    assume(len(set(words)) >= 4)
    listed = set(WORDLISTS["english"])
    alone = draw(st.booleans())
    positions = st.integers(0, n - 1) if alone else st.integers(1, n - 2)
    slips = draw(st.lists(positions, min_size=n // 6, max_size=n // 6, unique=True))
    for i in slips:
        word = words[i]
        kind = draw(st.sampled_from(["double", "drop", "first"]))
        if kind == "double":
            slipped = word + word[-1]
        elif kind == "drop":
            slipped = word[:-1]
        else:
            slipped = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz")) + word[1:]
        # a slip that makes an everyday word ("hero" -> "her") is not counted: see ORDINARY_WORDS
        assume(slipped not in listed and slipped not in ORDINARY_WORDS and len(slipped) >= 3)
        words[i] = slipped
    separator = draw(st.sampled_from([" ", ", ", "\n", " - "]))
    if alone:
        return separator.join(words), words
    return draw(EN_PROSE) + separator.join(words) + draw(EN_TAIL), words


@given(mistyped_phrases())
@SETTINGS
def test_a_phrase_with_a_few_slips_is_still_caught(case: tuple[str, list[str]]) -> None:
    text, words = case
    result = scan(text)
    assert "seed_phrase" in result.kinds, text
    for i in range(len(words) - 3):
        assert " ".join(words[i : i + 4]) not in result.redacted
