"""Finding BIP39 seed phrases (English, Simplified and Traditional Chinese) in a chat message.

A phrase is a run of 12 to 24 list words with nothing but separators between them: spaces,
commas, ``、``, newlines, numbering such as ``1.`` ``2)`` ``(3)``. Ordinary prose contains list
words too ("please", "verify", "account"), but never twelve in a row, so a long run is what we
look for, whether or not its checksum is valid (a mistyped phrase still gives the funds away).
An English phrase copied by hand may hold slips, words one keystroke from a list word: one in
six words (two in a 12-word phrase), but never an everyday word such as "the" or "your", which
would let prose pass for a phrase.

Chinese is different: nearly every character of ordinary Chinese prose is on the list, so a
Chinese phrase only counts when each character stands alone between separators; when the
run follows a label such as 助记词, fills the run exactly or passes the checksum, and is not
made of common characters (prose after a label: "助记词是不是被别人偷走了怎么办呢"); or when
a run on its own is exactly a phrase's length, passes the checksum and is made of characters
as rare as a random phrase's (the lists are ordered by frequency, and prose keeps to the
commonest characters).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache

from mnemonic import Mnemonic

MIN_WORDS = 12
MAX_WORDS = 24
VALID_LENGTHS = (12, 15, 18, 21, 24)
TYPO_EVERY = 6  # a run may hold one mistyped word in this many (see typos_allowed)


@cache
def _wordlist(language: str) -> dict[str, int]:
    """Word -> index in the BIP39 list of ``language``."""
    return {word: i for i, word in enumerate(Mnemonic(language).wordlist)}


@cache
def _english_abbreviations() -> dict[str, str]:
    """The first four letters of each English word, which are unique and used as shorthand."""
    return {word[:4]: word for word in _wordlist("english") if len(word) > 4}


def checksum_ok(indexes: list[int]) -> bool:
    """True when the last word's checksum bits match the SHA-256 of the entropy bits."""
    n = len(indexes)
    if n not in VALID_LENGTHS:
        return False
    bits = "".join(format(i, "011b") for i in indexes)
    check_len = n * 11 // 33
    entropy_bits = bits[:-check_len]
    entropy = int(entropy_bits, 2).to_bytes(len(entropy_bits) // 8, "big")
    digest = format(hashlib.sha256(entropy).digest()[0], "08b")
    return digest[:check_len] == bits[-check_len:]


# A token is a run of ASCII letters or a single CJK ideograph. What lies between two tokens must
# be a separator (or numbering) for them to belong to the same phrase.
_TOKEN_RE = re.compile(r"[A-Za-z]+|[\u3400-\u9fff]+")
# Circled and parenthesised numerals (①..⑳, ㉑..㊿, ⑴, ⒈, ❶, ➀) number phrases too.
_NUMERAL = "[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]"
# Arrows (also typed: "->", "=>"), "+", "~", emoji and other pictographs ("abandon 🔥 ability
# ➡️ able") separate words too.
_SYMBOLS = "<>=+~→⇒➜➔➡\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f000-\U0001faff"
_SEPARATOR_RE = re.compile(
    r"[\s,;|/·•\-_.:、，；。'\"`*?？" + _SYMBOLS + r"]*"  # "?" too: "???" stands for a word
    r"(?:(?:(?:\(|\[|#|no\.?)?\d{1,2}(?:[.):\]、,\-]|\ufe0f?\u20e3|\s|$)|" + _NUMERAL + r")"
    r"[\s,;|/·•\-_.:、，；'\"`*?？" + _SYMBOLS + r"]*)?",
    re.IGNORECASE,
)
# Before an unseparated Chinese run these say it is a phrase.
_CHINESE_LABEL_RE = re.compile(
    r"(?:助记词|助記詞|种子|種子|恢复短语|恢復短語|恢复词|恢復詞|seed|mnemonic|phrase)"
    r"[^\u3400-\u9fff]{0,12}?(?:就是|是|為|为)?[:：\s]*",
    re.IGNORECASE,
)


def _is_separator(gap: str, chinese: bool) -> bool:
    if len(gap) > 12:
        return False
    if chinese and not gap:
        return False
    return _SEPARATOR_RE.fullmatch(gap) is not None


def _english_index(token: str) -> int | None:
    word = token.lower()
    words = _wordlist("english")
    if word in words:
        return words[word]
    if len(word) == 4:
        full = _english_abbreviations().get(word)
        if full is not None:
            return words[full]
    return None


@cache
def _english_by_initial() -> dict[str, tuple[str, ...]]:
    words: dict[str, list[str]] = {}
    for word in _wordlist("english"):
        words.setdefault(word[0], []).append(word)
    return {initial: tuple(group) for initial, group in words.items()}


def _one_off(a: str, b: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


# Everyday words that happen to be one keystroke from a list word ("the" and "they", "your"
# and "you"). Counted as typos, they would let prose of mostly list words pass for a phrase;
# a real phrase's word is rarely mistyped into one of them.
ORDINARY_WORDS = frozenset(
    "the for and are from not why with was your would does but has been did may don see got "
    "let were here these had too while most down done cannot wasn haven won whats its his "
    "her him she our out how who what when where which there their them then than this that "
    "those into onto over just only very also some any each other more much many such own "
    "same so being can could should will shall might must get gets have having do yes yet "
    "way ways new now one two ten".split()
)


@cache
def _english_tails() -> frozenset[str]:
    """Each English list word without its first letter ("djust" of "adjust")."""
    return frozenset(word[1:] for word in _wordlist("english"))


def _mistyped_english(token: str) -> bool:
    """A word one keystroke away from a list word: a real phrase copied with a typo."""
    if not 3 <= len(token) <= 9:
        return False
    return _mistyped(token.lower())


@lru_cache(maxsize=1 << 15)  # bounded: a long-running bot sees endless junk tokens
def _mistyped(word: str) -> bool:
    if word in ORDINARY_WORDS:
        return False
    if any(_one_off(word, w) for w in _english_by_initial().get(word[0], ())):
        return True
    # A slip of the first letter: changed ("sdjust"), dropped ("djust"), one added in front
    # ("sadjust"), or swapped with the second ("dajust").
    words, tails = _wordlist("english"), _english_tails()
    swapped = word[1] + word[0] + word[2:]
    return word[1:] in tails or word in tails or word[1:] in words or swapped in words


# A seed label before English words: "my seed phrase is ...", "mnemonic: ...".
_SEED_LABEL_RE = re.compile(
    r"(?<![A-Za-z])(?:(?:secret\s*)?(?:recovery|seed|backup|mnemonic)\s*(?:phrase|words?)"
    r"|seed|mnemonic|助记词|助記詞|种子|種子|恢复词|恢復詞)"
    r"(?:\s*(?:is|are|was|were|就是|是|为|為)(?![A-Za-z]))?\s*[:：=]?\s*",
    re.IGNORECASE,
)
MIN_LABELLED = 8  # after a seed label, this many list words are most of a phrase already


def find_labelled_partial_phrases(norm: str) -> list[tuple[int, int]]:
    """Most of a phrase after a seed label ("seed: abandon ability ... absurd", nine
    words): with two or three words missing, the rest can be found by trying. Exact list
    words only, at least MIN_LABELLED of them (a full phrase is found anyway)."""
    spans = []
    for label in _SEED_LABEL_RE.finditer(norm):
        words: list[tuple[int, int]] = []
        pos = label.end()
        for token in _TOKEN_RE.finditer(norm, pos):
            if not token.group().isascii() or token.group().lower() not in _wordlist("english"):
                break
            if not _is_separator(norm[pos : token.start()], False):
                break
            words.append(token.span())
            pos = token.end()
            if len(words) == MAX_WORDS:
                break
        if (
            MIN_LABELLED <= len(words) < MIN_WORDS
            and len({norm[s:e].lower() for s, e in words}) >= MIN_DISTINCT
        ):
            spans.append((words[0][0], words[-1][1]))
    return spans


def list_word_share(text: str) -> float:
    """The share of ``text``'s words (Chinese: characters) that are list words; 0 for
    fewer than three words."""
    words = [w for t in _TOKEN_RE.findall(text) for w in ([t] if t.isascii() else t)]
    if len(words) < 3:
        return 0.0
    listed = sum(
        (w.lower() in _wordlist("english")) if w.isascii() else _chinese_indexes(w) != (None, None)
        for w in words
    )
    return listed / len(words)


def exact_list_words(text: str) -> bool:
    """Every word of ``text`` is a list word as written (no slip, no abbreviation)."""
    for token in _TOKEN_RE.findall(text):
        if token.isascii():
            if token.lower() not in _wordlist("english"):
                return False
        elif any(_chinese_indexes(char) == (None, None) for char in token):
            return False
    return True


def _chinese_indexes(char: str) -> tuple[int | None, int | None]:
    return _wordlist("chinese_simplified").get(char), _wordlist("chinese_traditional").get(char)


def _units(norm: str):
    """(start, end, english, simplified, traditional) for each word or single character.

    A glued Chinese character run yields None (it breaks a phrase), except for its edges: the
    first character may end a phrase ("... 抬 賢谢谢") and the last one may start a phrase right
    after a label ("助记词致 雪 纖 ...").
    """
    for m in _TOKEN_RE.finditer(norm):
        token = m.group()
        if token.isascii():
            yield m.start(), m.end(), _english_index(token), None, None
        elif len(token) == 1:
            yield (m.start(), m.end(), None, *_chinese_indexes(token))
        else:
            yield _EDGE
            yield (m.start(), m.start() + 1, None, *_chinese_indexes(token[0]))
            yield None
            if _GLUED_LABEL_RE.search(token[:-1]):
                yield (m.end() - 1, m.end(), None, *_chinese_indexes(token[-1]))


_EDGE = "edge"  # the next unit only counts when it completes a phrase of a valid length
_GLUED_LABEL_RE = re.compile(r"(?:助记词|助記詞|种子|種子|短语|短語|恢复词|恢復詞)(?:是|为|為)?$")


def typos_allowed(words: int) -> int:
    """Mistyped words a run of ``words`` may hold and still count: one in six (two in a
    12-word phrase, four in 24), at least one. A phrase copied by hand from paper often has
    more than one slip, and it still gives the funds away. The price: a list of a dozen
    everyday nouns with two near misses ("chicken soup, beef stew, ...") can pass for one."""
    return max(1, words // TYPO_EVERY)


def _phrase_spans(run: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    """The spans of a run of (start, end, mistyped) words that hold a phrase.

    A near-miss word at the edge of a run is more likely the sentence around the phrase
    ("user wrote: abandon ...") than a typo in it, unless the run with it is exactly a
    phrase's length. The whole run is removed when it holds few enough typos (a mistyped
    phrase fails its checksum, so no window of the run can be trusted to be "the" phrase, and a
    list word of the sentence around it costs nothing); otherwise the windows of a phrase's
    length that do are.
    """
    typos = sum(t for _, _, t in run)
    if len(run) in VALID_LENGTHS and typos and typos <= typos_allowed(len(run)):
        return [(run[0][0], run[-1][1])]  # a phrase with slips, its first or last word too
    while run and run[0][2]:
        run = run[1:]
    while run and run[-1][2]:
        run = run[:-1]
    n = len(run)
    typos = sum(t for _, _, t in run)
    if n == MIN_WORDS - 1 and not typos:
        return [(run[0][0], run[-1][1])]  # a phrase with one word left out: still guessable
    if n < MIN_WORDS:
        return []
    if typos <= typos_allowed(n):
        return [(run[0][0], run[-1][1])]
    covered = [False] * n
    before = [0]  # typos before each position
    for _, _, mistyped in run:
        before.append(before[-1] + mistyped)
    for length in range(MIN_WORDS, MAX_WORDS + 1):
        allowed = typos_allowed(length)
        for i in range(n - length + 1):
            j = i + length - 1
            if run[i][2] or run[j][2] or before[j + 1] - before[i] > allowed:
                continue
            covered[i : j + 1] = [True] * length
    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if not covered[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and covered[j + 1]:
            j += 1
        spans.append((run[i][0], run[j][1]))
        i = j + 1
    return spans


MIN_DISTINCT = 4  # fewer different words: chatter ("moon moon moon ..."), not a phrase


def _repetition(norm: str, run: list[tuple[int, int, bool]]) -> bool:
    """A run of a few words said over and over, whose checksum does not agree: "help help
    help ...", "moon moon ...". A random phrase repeats almost nothing; the one repetitive
    phrase people paste, the test vector "abandon ... about", passes its checksum."""
    words = [norm[start:end].lower() for start, end, _ in run]
    if len(set(words)) >= MIN_DISTINCT or not words:
        return False
    if len(set(words)) == 1:  # one word over and over: never a phrase, whatever its checksum
        return True
    if words[0].isascii():
        lists = [[_english_index(w) for w in words]]
    else:  # "冲🚀冲🚀冲🚀...": a cheer, unless it reads as a phrase in either list
        both = [_chinese_indexes(w) for w in words]
        lists = [[pair[0] for pair in both], [pair[1] for pair in both]]
    for indexes in lists:
        for length in VALID_LENGTHS:  # "my seed is abandon ... about, help": a window passes
            for i in range(len(indexes) - length + 1):
                window = indexes[i : i + length]
                if None not in window and checksum_ok(window):  # type: ignore[arg-type]
                    return False
    return True


def find_seed_phrases(norm: str) -> list[tuple[int, int]]:
    """Spans of ``norm`` that hold a seed phrase."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int, bool]] = []  # (start, end, mistyped) of the current run's words
    run_chinese = False

    def close_run() -> None:
        if not _repetition(norm, run):
            spans.extend(_phrase_spans(run))
        run.clear()

    for m in _GLUED_RUN_RE.finditer(norm):
        found = _labelled_chinese_run(norm, m.start(), m.group())
        spans.extend(found or _bare_chinese_run(m.start(), m.group()))
    spans.extend(_labelled_chinese_groups(norm))

    last_end = 0
    edge = False
    for unit in _units(norm):
        if unit is None:
            close_run()
            continue
        if unit == _EDGE:
            edge = True
            continue
        start, end, english, simplified, traditional = unit
        if edge:
            edge = False
            if len(run) in VALID_LENGTHS or len(run) + 1 not in VALID_LENGTHS:
                continue
        chinese = english is None and not norm[start].isascii()
        mistyped = False
        if english is None and simplified is None and traditional is None:
            if not (norm[start].isascii() and _mistyped_english(norm[start:end])):
                close_run()
                last_end = end
                continue
            mistyped, chinese = True, False  # only English words are mistyped
        if run and (chinese != run_chinese or not _is_separator(norm[last_end:start], chinese)):
            close_run()
        run_chinese = chinese
        run.append((start, end, mistyped))
        last_end = end
    close_run()
    return spans


_GLUED_RUN_RE = re.compile(r"[\u3400-\u9fff]{12,}")


def _labelled_chinese_run(norm: str, start: int, token: str) -> list[tuple[int, int]]:
    """An unseparated Chinese phrase right after a label like 助记词, when the checksum agrees
    or it fills the run, and its characters are not those of prose (see ``_rare_enough``).

    The label may be part of the same run of characters ("我的助记词是的一是在..."), so it is
    searched in the run and in the few characters before it.
    """
    if len(token) < MIN_WORDS:
        return []
    prefix_start = max(0, start - 30)
    context = norm[prefix_start : start + len(token)]
    phrase_start = None
    for m in _CHINESE_LABEL_RE.finditer(context):
        if m.end() + prefix_start >= start:
            phrase_start = m.end() + prefix_start
    if phrase_start is None:
        return []
    chars = norm[phrase_start : start + len(token)]
    length = _labelled_phrase_length(chars)
    return [(phrase_start, phrase_start + length)] if length else []


def _labelled_phrase_length(chars: str) -> int:
    """How many of ``chars`` (Chinese characters after a label) make a phrase, or 0: the
    checksum agrees, or the phrase fills them exactly, and the characters are not those of
    prose (see ``_rare_enough``)."""
    for language in ("chinese_simplified", "chinese_traditional"):
        words = _wordlist(language)
        for length in sorted(VALID_LENGTHS, reverse=True):
            if length > len(chars):
                continue
            indexes = [words.get(ch) for ch in chars[:length]]
            if None in indexes:
                continue
            # A valid checksum is strong evidence; filling the run exactly is weak (a question
            # after the label can be twelve characters: "助记词是不是被别人偷走了怎么办呢").
            if checksum_ok(indexes):  # type: ignore[arg-type]
                rare_share = CHECKSUM_RARE_SHARE
            elif len(chars) == length:
                rare_share = LABELLED_RARE_SHARE
            else:
                continue
            if _rare_enough(indexes, rare_share):  # type: ignore[arg-type]
                return length
    return 0


_CJK_GROUP_RE = re.compile(r"[\u3400-\u9fff]{1,24}")  # bounded: a label may repeat in a long run


def _labelled_chinese_groups(norm: str) -> list[tuple[int, int]]:
    """A Chinese phrase after a label, typed in groups ("助记词：交古汇闪 莱粉允钱 赞设果复",
    one group a line, a comma in the middle): the groups' characters are read as one run."""
    spans = []
    for label in _CHINESE_LABEL_RE.finditer(norm):
        chars, ends, first, sizes = "", [], None, []
        pos = label.end()
        for group in _CJK_GROUP_RE.finditer(norm, pos):
            gap = norm[pos : group.start()]
            if (first is None and len(gap.strip()) > 2) or (
                first is not None and not _is_separator(gap, True)
            ):
                break
            first = group.start() if first is None else first
            sizes.append(len(group.group()))
            chars += group.group()
            ends += range(group.start() + 1, group.end() + 1)
            pos = group.end()
            if len(chars) >= MAX_WORDS:
                break
        # Phrases are typed in short groups (3 to 6 characters) or lines of equal length;
        # prose between commas runs in clauses of any length (one group: _labelled_chinese_run).
        grouped = len(sizes) >= 2 and (max(sizes) <= 6 or len(set(sizes)) == 1)
        if grouped and len(chars) >= MIN_WORDS:
            length = _labelled_phrase_length(chars[:MAX_WORDS])
            if length:
                spans.append((first, ends[length - 1]))
    return spans


# Both Chinese lists run from the commonest character down. A random phrase draws from all
# 2,048, so about three in four of its characters lie beyond the 512 commonest; a window of
# ordinary support prose has about one in five there (the shipped knowledge and the support
# sets: 0.2 on average, 0.7% of 12-character windows at 0.58 or more, mostly words such as 客服
# and 邮箱). 0.58 keeps 95% of random 12-character phrases and 98% of 24-character ones.
# After a label the bars are lower: 0.5 for a run that fills the rest of the message but
# fails its checksum (a typo; 98.5% of random 12-character phrases, about 2% of prose), 0.25
# when the checksum agrees (all but 1 in 20,000 random phrases; about half of prose, of which
# one in 16 passes a checksum by chance).
COMMON_CHARACTERS = 512
RARE_SHARE = 0.58
LABELLED_RARE_SHARE = 0.5
CHECKSUM_RARE_SHARE = 0.25


def _rare_enough(indexes: list[int], share: float) -> bool:
    return sum(i >= COMMON_CHARACTERS for i in indexes) >= share * len(indexes)


def _bare_chinese_run(start: int, token: str) -> list[tuple[int, int]]:
    """A run of Chinese characters with no label and no separators, standing alone between
    non-Chinese text: a phrase when it is exactly a phrase's length, its checksum agrees (one
    run in 16 passes by chance at 12 characters, one in 256 at 24) and its characters are as
    rare as a random phrase's. A phrase glued into a longer sentence is not found this way:
    where it begins cannot be told."""
    if len(token) not in VALID_LENGTHS:
        return []
    for language in ("chinese_simplified", "chinese_traditional"):
        words = _wordlist(language)
        indexes = [words.get(ch) for ch in token]
        if None in indexes:
            continue
        if _rare_enough(indexes, RARE_SHARE) and checksum_ok(indexes):  # type: ignore[arg-type]
            return [(start, start + len(token))]
    return []
