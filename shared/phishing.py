"""Phishing links and impersonation in chat messages.

Scammers in exchange communities post links to sites that look like the exchange's (binnance.com,
xn--bnance-..., a Cyrillic "і" in "bіnance.com", binance.com.evil.io) and lure users into private
chats ("DM me for support", "我是管理员，私信我"). ``check`` compares every domain in a message with
the official domains from the knowledge settings and looks for the lure phrases.

Subdomains of an official domain (www.x.com, support.x.com) are official; x.com.evil.io is not.
The suspicious domains are returned so a moderator alert can name them (they are not secrets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

PHISHING_KINDS = (
    "lookalike_domain",
    "punycode_domain",
    "mixed_script_domain",
    "dm_lure",
    "impersonation",
)


@dataclass(frozen=True)
class PhishingResult:
    kinds: tuple[str, ...]  # in the order of PHISHING_KINDS
    domains: tuple[str, ...]  # the suspicious domains, lower case, in the order found

    @property
    def suspicious(self) -> bool:
        return bool(self.kinds)


# A domain: labels of letters (any script), digits and hyphens, ending in a TLD of letters or
# punycode. Full stops may be written as "。" or "．" (folded by NFKC below).
_DOMAIN_RE = re.compile(
    r"(?<![\w@.-])((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,24}|xn--[a-z0-9-]{2,59}))"
    r"(?![\w-])(?!\.[^\W_])",
)
_TLD_ASCII = re.compile(r"[a-z]{2,24}|xn--[a-z0-9-]+")

# Characters that stand in for Latin letters in lookalike domains.
_CONFUSABLES = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "3": "e",
        "5": "s",
        "|": "l",
        "а": "a",
        "с": "c",
        "е": "e",
        "о": "o",
        "р": "p",
        "х": "x",
        "у": "y",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ɡ": "g",
        "һ": "h",
        "ո": "n",
        "ν": "v",
        "ο": "o",
        "α": "a",
        "ι": "i",
        "κ": "k",
        "ρ": "p",
        "τ": "t",
        "в": "b",
        "к": "k",
        "м": "m",
        "н": "h",
        "т": "t",
        "ı": "i",
    }
)


def _script(ch: str) -> str:
    """A coarse script name: LATIN, CYRILLIC, GREEK, CJK ... (digits and '-' have none)."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else ""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "OTHER"
    return name.split()[0]


def _skeleton(domain: str) -> str:
    """Fold accents and confusable characters so "bіnаnce.com" reads "binance.com"."""
    decomposed = unicodedata.normalize("NFKD", domain)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.lower().translate(_CONFUSABLES)
    return folded.replace("rn", "m").replace("vv", "w")


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _decode_punycode(domain: str) -> str:
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def _is_official(domain: str, official: Sequence[str]) -> bool:
    return any(domain == o or domain.endswith("." + o) for o in official)


def _brand(domain: str) -> str:
    """The name part of an official domain: "binance" for "binance.com" or "www.binance.com"."""
    labels = domain.split(".")
    return labels[-2] if len(labels) >= 2 else labels[0]


def _domain_kinds(domain: str, official: Sequence[str]) -> list[str]:
    """Why a domain that is not official looks like one, if it does."""
    kinds = []
    if any(label.startswith("xn--") for label in domain.split(".")):
        kinds.append("punycode_domain")
    shown = _decode_punycode(domain)
    scripts = {_script(c) for c in shown if _script(c)}
    if len(scripts) > 1:
        kinds.append("mixed_script_domain")
    skeleton = _skeleton(shown)
    for o in official:
        o_skeleton = _skeleton(o)
        brand = _brand(o_skeleton)
        limit = 1 if len(o_skeleton) < 8 else 2
        if skeleton == o_skeleton or skeleton.endswith("." + o_skeleton):
            kinds.append("lookalike_domain")  # identical once confusables are folded
        elif _edit_distance(skeleton, o_skeleton, limit) <= limit:
            kinds.append("lookalike_domain")
        elif _edit_distance(_registrable(skeleton), o_skeleton, limit) <= limit:
            kinds.append("lookalike_domain")
        elif len(brand) >= 4 and brand in skeleton:
            kinds.append("lookalike_domain")  # binance.com.evil.io, binance-support.com
        elif f".{o_skeleton}." in f".{skeleton}" or _brand_label(skeleton, brand):
            kinds.append("lookalike_domain")  # short brands: okx.com.cn, okx-web3.org
        else:
            continue
        break
    return kinds  # punycode or mixed script alone is suspicious too


def _brand_label(domain: str, brand: str) -> bool:
    """A label that is the brand with a word joined by a hyphen ("okx-web3", "web3-okx"):
    what a short brand's lookalikes do, where "brand in domain" would match by chance."""
    return any(
        label.startswith(brand + "-") or label.endswith("-" + brand) for label in domain.split(".")
    )


def _registrable(domain: str) -> str:
    """The last two labels ("evil.io" of "a.b.evil.io"), where lookalikes usually sit."""
    return ".".join(domain.split(".")[-2:])


# "DM me for support", "私信我", "加我微信" ...
_DM_LURE_RE = re.compile(
    r"(?<![a-z])(?:dm|pm|inbox|message|msg|text|contact|ping|write)\s+me\b"
    r"|\bsend\s+me\s+a\s+(?:dm|pm|private\s+message|direct\s+message)"
    r"|\b(?:dm|pm)\s+(?:for|to)\s+(?:support|help|assistance)"
    r"|\bcontact\s+(?:our\s+)?(?:support|admin|agent)\s+(?:on|via|at)\s+(?:telegram|whatsapp|wechat|@)"
    r"|\badd\s+me\s+(?:on|at|via)\s+(?:telegram|tg|whatsapp|wechat|discord|signal)"
    r"|\b(?:reach|contact|message)\s+me\s+(?:privately|directly|in\s+private)"
    r"|私信我|私聊我|私我|私信联系|私聊联系|加我(?:微信|电报|飞机|qq|tg|telegram|whatsapp|好友)"
    r"|加(?:微信|v信|vx|电报|飞机)(?:号|聯繫|联系)?|联系我(?:的)?(?:微信|电报|私聊)"
    r"|飞机(?:号|联系)|电报联系|私聊解决|找我私聊",
    re.IGNORECASE,
)
# A member asking staff to write to them ("can an admin DM me?") is not a lure.
_ASKING_FOR_A_DM_RE = re.compile(
    r"\b(?:can|could|would|will)\s+(?:(?:an?\s+|the\s+|your\s+)?"
    r"(?:admin|mod|moderator|support|staff|agent)s?|some\s*one|any\s*one)\s+"
    r"(?:pls\s+|please\s+)?(?:dm|pm|message|msg|contact|text)\s+me\b",
    re.IGNORECASE,
)
# "I'm an admin", "official support here", "我是管理员" ... and asking for secrets.
_IMPERSONATION_RE = re.compile(
    r"\b(?:i\s*am|i'?m|this\s+is)\s+(?:an?\s+|the\s+|your\s+)?(?:official\s+)?"
    r"(?:admin|administrator|moderator|mod|support(?:\s+(?:agent|team|staff))?|staff"
    r"|customer\s+(?:service|support)|helpdesk|help\s+desk)\b"
    # "a support question", "staff at a bakery"; "an admin at Binance" still counts
    r"(?!\s+(?:question|request|ticket|issue|problem|case)\b|\s+at\s+an?\s)"
    r"|\bofficial\s+(?:support|admin|team)\s+here\b"
    r"|\bsend\s+me\s+(?:your|ur|the)\s+(?:seed|recovery|secret|private|12|24|wallet|phrase"
    r"|password|2fa|otp|code|api|keys?|words)"
    r"|\b(?:share|give|tell)\s+me\s+(?:your|ur)\s+(?:seed|recovery|private|password|2fa|phrase)"
    r"|\b(?:validate|verify|sync|rectify)\s+your\s+wallet\b"
    r"|我是(?:币安|欧易|火币|平台|交易所|本群|群里?的?|这里的|你们的)?(?:官方)?"
    r"(?:管理员|管理|客服|工作人员|官方|版主|技术支持)|官方客服(?:在此|在这|这里)"
    r"|(?:把|将)?(?:你的)?(?:助记词|私钥|密码|验证码)(?:发|给|私信)(?:给)?我"
    r"|发(?:我|给我)(?:你的)?(?:助记词|私钥|密码|验证码)",
    re.IGNORECASE,
)


# A link with something before an "@" in its address: the browser goes to what follows it,
# and the part before is there to look like the official site.
_USERINFO_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{0,15}://[^/\s@?#]{1,200}@([^/\s:?#@]+)")


def check(text: str, official_domains: Sequence[str]) -> PhishingResult:
    """Lookalike links and private-chat lures in ``text``. Never raises."""
    if not isinstance(text, str) or not text:
        return PhishingResult((), ())
    try:
        return _check(text, official_domains)
    except Exception:  # noqa: BLE001 - a checker that crashes must not stop the bot
        return PhishingResult((), ())


def _check(text: str, official_domains: Sequence[str]) -> PhishingResult:
    norm = re.sub(r"[。．](?=[A-Za-z])", ".", unicodedata.normalize("NFKC", text))
    official = [d.strip().lower().removeprefix("www.").rstrip(".") for d in official_domains]
    official = [d for d in official if d]
    kinds: set[str] = set()
    domains: list[str] = []
    for m in _DOMAIN_RE.finditer(norm):
        domain = m.group(1).lower().rstrip(".")
        tld = domain.rsplit(".", 1)[-1]
        if not (_TLD_ASCII.fullmatch(tld) or not tld.isascii()):
            continue
        if _is_official(domain, official):
            continue
        found = _domain_kinds(domain, official)
        if found:
            kinds.update(found)
            if domain not in domains:
                domains.append(domain)
    for m in _USERINFO_RE.finditer(norm):  # https://binance.com@evil.io goes to evil.io
        host = m.group(1).lower().rstrip(".")
        if not _is_official(host, official):
            kinds.add("lookalike_domain")
            if host not in domains:
                domains.append(host)
    if _DM_LURE_RE.search(_ASKING_FOR_A_DM_RE.sub(" ", norm)):
        kinds.add("dm_lure")
    if _IMPERSONATION_RE.search(norm):
        kinds.add("impersonation")
    return PhishingResult(tuple(k for k in PHISHING_KINDS if k in kinds), tuple(domains))
