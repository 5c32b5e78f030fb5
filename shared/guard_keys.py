"""Finding private keys and exchange API credentials.

Some key formats prove themselves: WIF keys and extended private keys (xprv/tprv...) carry a
base58check checksum, and a PEM block says "PRIVATE KEY". A raw 64-hex string proves nothing: it is
as often a transaction id (which users are asked to share) as a key, so the nearest label before
it decides. API keys vary by exchange and are only recognised after a label ("api key", "secret",
"密钥").
"""

from __future__ import annotations

import hashlib
import re

from shared.guard_context import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Labels, inside

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(B58_ALPHABET)}
_B58 = "[1-9A-HJ-NP-Za-km-z]"


def b58decode_check(text: str) -> bytes | None:
    """The payload of a base58check string, or None when it is not one (bad char or checksum)."""
    number = 0
    for ch in text:
        value = _B58_INDEX.get(ch)
        if value is None:
            return None
        number = number * 58 + value
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(text) - len(text.lstrip("1"))) + raw
    if len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def _is_wif(text: str) -> bool:
    payload = b58decode_check(text)
    if payload is None or payload[0] not in (0x80, 0xEF):
        return False
    return len(payload) == 33 or (len(payload) == 34 and payload[-1] == 0x01)


# WIF: 51 chars starting with 5 (or 9 on testnet), 52 starting with K/L (or c on testnet).
_WIF_RE = re.compile(rf"{NOT_AFTER_ALNUM}(?:[59]{_B58}{{50}}|[KLc]{_B58}{{51}}){NOT_BEFORE_ALNUM}")
# Extended private keys: 111 chars, and the prefix alone is proof enough (a mistyped one counts).
_XPRV_RE = re.compile(rf"{NOT_AFTER_ALNUM}[xtyzuvYZUV]prv{_B58}{{100,112}}{NOT_BEFORE_ALNUM}")
_PEM_RE = re.compile(
    r"-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----.*?(?:-----END (?:[A-Z ]+ )?PRIVATE KEY-----|$)",
    re.DOTALL,
)
_HEX64_RE = re.compile(rf"{NOT_AFTER_ALNUM}(?:0x)?[0-9a-fA-F]{{64}}{NOT_BEFORE_ALNUM}")
# 64 hex typed in two to eight groups, on one line or several ("private key:\n1f2e...\n3a4b...");
# counted only after a key label, like a whole 64-hex string.
_HEX64_SPLIT_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?:0x)?(?:[0-9a-fA-F]{{8,56}}[ \t]*\n?[ \t]*(?<=\s)){{1,7}}"
    rf"[0-9a-fA-F]{{8,56}}{NOT_BEFORE_ALNUM}"
)
# Any long base58 string: a Solana/other key after a "private key" label (87-88 chars).
_B58_LONG_RE = re.compile(rf"{NOT_AFTER_ALNUM}{_B58}{{80,90}}{NOT_BEFORE_ALNUM}")
# An API key or secret: a long token of mixed letters and digits.
_API_TOKEN_RE = re.compile(rf"{NOT_AFTER_ALNUM}[A-Za-z0-9][A-Za-z0-9_\-+/]{{15,127}}={{0,2}}")
_URL_PATH_HINT = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)

# How far before a candidate its label may be.
LABEL_REACH = 40
# Words that make a bare "secret" or "密钥" an API secret rather than a wallet key.
_API_CONTEXT = re.compile(
    r"api|exchange|binance|okx|bybit|kucoin|huobi|htx|gate\.io|bitget|mexc|coinbase|kraken"
    r"|trading\s*bot|bot|交易所|机器人|量化|币安|欧易",
    re.IGNORECASE,
)


def _kind_of_label(
    label_kind: str, labels: Labels, norm: str, label_start: int | None = None
) -> str | None:
    """Map the nearest label to the kind of secret it announces (None: public or unrelated)."""
    if label_kind == "private":
        # "API密钥 X 私钥 Y": after an API label, a "private key" is the API secret.
        earlier = labels.before(label_start, 100) if label_start is not None else None
        return "api_key" if earlier is not None and earlier.kind == "api" else "private_key"
    if label_kind == "api":
        return "api_key"
    if label_kind == "secret":
        return "api_key" if _API_CONTEXT.search(norm) else "private_key"
    return None


# A JSON array of 64 numbers, as Solana's CLI writes a keypair (id.json).
_BYTE_ARRAY_RE = re.compile(r"\[\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]")


def find_private_keys(norm: str, labels: Labels, urls: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, kind) of keys; a 64-hex after an API label is an API secret, not a key."""
    found: list[tuple] = []
    for m in _WIF_RE.finditer(norm):
        label = labels.before(m.start(), LABEL_REACH)
        if _is_wif(m.group()) or (label is not None and label.kind in ("private", "secret")):
            found.append((m.start(), m.end(), "private_key"))
    for m in _XPRV_RE.finditer(norm):
        found.append((m.start(), m.end(), "private_key"))
    for m in _PEM_RE.finditer(norm):
        found.append((m.start(), m.end(), "private_key"))
    for m in _BYTE_ARRAY_RE.finditer(norm):  # a Solana keypair file (id.json): 64 bytes
        if all(int(n) <= 255 for n in re.findall(r"\d+", m.group())):
            found.append((m.start(), m.end(), "private_key"))
    for regex in (_HEX64_RE, _B58_LONG_RE, _HEX64_SPLIT_RE):
        for m in regex.finditer(norm):
            if inside(urls, m.start(), m.end()):
                continue
            if regex is _HEX64_SPLIT_RE and len(re.sub(r"\s|^0x", "", m.group())) != 64:
                continue
            kind = _kind_by_context(norm, labels, m.start(), m.end())
            if kind is not None:
                found.append((m.start(), m.end(), kind))
    return found


def _kind_by_context(norm: str, labels: Labels, start: int, end: int) -> str | None:
    """The nearest label before decides; with none, a label right after ("... is my key").

    A label further than LABEL_REACH still counts within the same clause ("the private key of
    the wallet I used in 2021 for mining: 0x..."), not across a comma ("I never gave anyone my
    private key, but this happened: <txid>").
    """
    label = labels.before(start, CLAUSE_REACH)
    if label is not None and (
        start - label.end <= LABEL_REACH or not _CLAUSE_BREAK.search(norm, label.end, start)
    ):
        return _kind_of_label(label.kind, labels, norm, label.start)
    after = labels.after(end, 25)
    if after is not None and _ANNOUNCED_AFTER.fullmatch(norm[end : after.start]):
        return _kind_of_label(after.kind, labels, norm, after.start)
    return None


CLAUSE_REACH = 100
_CLAUSE_BREAK = re.compile(r"[,;.?!]\s|[，；。？！?!\n]")
_ANNOUNCED_AFTER = re.compile(
    r"[\s:=(\[<-]*(?:(?:this|that|it)\s*)?(?:is|was|是)?\s*(?:my|the|我的)?\s*", re.IGNORECASE
)


def _looks_random(token: str) -> bool:
    """A credential mixes letters and digits; words, amounts and dates do not."""
    core = token.strip("-_=+/")
    if len(core) < 16:
        return False
    has_digit = any(c.isdigit() for c in core)
    has_alpha = any(c.isalpha() for c in core)
    has_upper = any(c.isupper() for c in core)
    has_lower = any(c.islower() for c in core)
    if has_digit and has_alpha:
        return True
    if not (has_upper and has_lower):
        return False
    # Random letters switch case every other character or so; words and CamelCase rarely do.
    switches = sum(a.isupper() != b.isupper() for a, b in zip(core, core[1:], strict=False))
    return len(core) >= 24 or switches >= len(core) // 3


def find_api_keys(norm: str, labels: Labels, urls: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, "api_key") for each credential-looking token whose nearest label is an API one.

    Each token is judged on its own label, so "API key: X, secret: Y" redacts both; a token that
    directly follows an API credential ("apikey 和 secretkey 分别是 X / Y") is its pair.
    """
    found: list[tuple] = []
    for m in _API_TOKEN_RE.finditer(norm):
        token = m.group().rstrip("-_+/.")
        end = m.start() + len(token)
        if not _looks_random(token) or inside(urls, m.start(), end):
            continue
        if _is_address(token):
            continue  # a wallet address is public: members post them for support
        if found and _PAIR_GAP.fullmatch(norm[found[-1][1] : m.start()]):
            found.append((m.start(), end, "api_key"))
            continue
        label = labels.before(m.start(), LABEL_REACH)
        if label is None:
            continue
        if label.kind == "secret" and not _HEX64_RE.fullmatch(token):
            kind = "api_key"  # "secret: X" where X is no wallet key format
        else:
            kind = _kind_of_label(label.kind, labels, norm, label.start)
        if kind == "api_key":
            found.append((m.start(), end, "api_key"))
    return found


# Deposit addresses: Ethereum-style (0x and 40 hex), or Base58Check ones (TRON's T...,
# Bitcoin's 1... and 3...) whose checksum agrees, so a key that merely looks alike is not one.
_HEX_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_B58_ADDRESS_RE = re.compile(rf"[T13]{_B58}{{25,34}}")


def _is_address(token: str) -> bool:
    if _HEX_ADDRESS_RE.fullmatch(token):
        return True
    if not _B58_ADDRESS_RE.fullmatch(token):
        return False
    payload = b58decode_check(token)
    return payload is not None and len(payload) == 21


# Between the two halves of a key pair written without a second label.
_PAIR_GAP = re.compile(r"[\s,;/|&+和及与與、，]{1,5}|\s*(?:and|&)\s*", re.IGNORECASE)
