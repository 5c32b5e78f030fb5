"""What surrounds a candidate secret: normalised text and the labels near it.

Every detector of the guard works on a *normalised* copy of the message whose length equals the
original's, so a span found in the copy is the same span in the original (that is what gets
redacted). The copy folds full-width letters, digits and punctuation to ASCII (NFKC, one
character at a time), because users in Chinese chats type ``：``, ``１２３`` and ``，``.

Most secrets cannot be told from harmless text by their shape alone (a 64-hex string is a private
key or a transaction id; 123456 is a 2FA code or an order number). What decides is the label the
user wrote before it, so this module finds every label once per message and answers "which label
is nearest before this position?".
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

# Kept as they are: a full-width comma ends a clause and is never part of a number, so
# "验证码为：123456，5分钟内有效" must not read as "123456,5".
_KEEP = frozenset("，")


class _FoldTable(dict):
    """A ``str.translate`` table that folds one character to one character, computed on demand."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code))
        result = folded if len(folded) == 1 and chr(code) not in _KEEP else chr(code)
        self[code] = result
        return result


_FOLD = _FoldTable()


_FENCE = re.compile(r"`{3,}")


def normalise(text: str) -> str:
    """Fold full-width forms to ASCII and blank out code fences (```), without changing the
    length of the text: a secret pasted in a code block reads as if pasted plain."""
    if "```" in text:
        text = _FENCE.sub(lambda m: " " * len(m.group()), text)
    if text.isascii():
        return text
    return text.translate(_FOLD)


# Boundaries that also work next to Chinese characters (``\b`` treats CJK as word characters).
NOT_AFTER_ALNUM = r"(?<![0-9A-Za-z])"
NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"

# Labels, by what they say about the value that follows them. Longer phrases come first in each
# list, and a phrase found earlier in the text wins, so "referral code" is never read as "code".
LABELS: dict[str, tuple[str, ...]] = {
    # Public values: sharing them is fine and often asked for.
    "public": (
        r"tx\s*ids?",
        r"tx\s*hash(?:es)?",
        r"transaction\s*(?:id|hash|number|no\.?)",
        r"transactions?",
        r"block\s*hash",
        r"blocks?",
        r"hash(?:es)?",
        r"txn?",
        r"public\s*key",
        r"pub\s*key",
        r"pubkey",
        r"xpub",
        r"(?:deposit\s*|wallet\s*|contract\s*)?address(?:es)?",
        r"/tx/",
        r"/block/",
        r"/address/",
        r"explorer",
        r"(?:tx\s*|transaction\s*)?signatures?",
        r"sig",
        r"签名",
        r"交易哈希",
        r"交易hash",
        r"哈希值",
        r"哈希",
        r"交易\s*id",
        r"交易号",
        r"交易編號",
        r"交易编号",
        r"区块",
        r"區塊",
        r"公钥",
        r"公鑰",
        r"充值地址",
        r"提现地址",
        r"钱包地址",
        r"地址",
    ),
    # Private key material.
    "private": (
        r"private[\s_-]*keys?",
        r"priv[\s_-]*keys?",
        r"prv[\s_-]*keys?",
        r"wallet\s*key",
        r"exported\s*key",
        r"export(?:ed)?",
        r"signing\s*key",
        r"pk",
        r"priv",
        r"私钥",
        r"私鑰",
        r"导出",
        r"導出",
    ),
    # Exchange API credentials.
    "api": (
        r"api[\s_-]*(?:keys?|secrets?|secret[\s_-]*keys?|private[\s_-]*keys?|密钥|秘钥|密鑰|私钥"
        r"|金鑰|金钥)",
        r"apikey",
        r"apisecret",
        r"secret[\s_-]*keys?",
        r"secretkey",
        r"access[\s_-]*keys?",
        r"accesskey",
        r"client[\s_-]*secret",
        r"(?:api\s*)?credentials?",
        r"api",
        r"ak",  # "AK ... SK ...": access key and secret key, as Chinese exchanges name them
        r"sk",
        r"密钥",
        r"秘钥",
        r"密鑰",
        r"秘鑰",
        r"金鑰",
        r"金钥",
    ),
    # A bare "secret" or "key": private key or API secret depending on the rest of the message.
    "secret": (r"secrets?", r"keys?"),
    # 2FA backup (setup) keys, the base32 secret behind an authenticator.
    "backup": (
        r"backup\s*(?:keys?|codes?|secrets?)",
        r"setup\s*keys?",
        r"recovery\s*(?:keys?|codes?)",
        r"(?:2fa|mfa|otp|totp|authenticator|google\s*auth(?:enticator)?)\s*(?:backup\s*)?"
        r"(?:keys?|secrets?|seeds?)",
        r"(?:备份|備份)(?:密钥|密鑰|秘钥|秘鑰|金鑰|金钥|码|碼)",
        r"(?:备用码|備用碼)",
        r"谷歌(?:验证器?|驗證器?)?的?(?:密钥|密鑰|秘钥|秘鑰|金鑰)",
        r"2fa\s*的?(?:密钥|密鑰|秘钥|秘鑰|金鑰)",
        r"(?:验证器|驗證器|身份验证器|身份驗證器)\s*的?(?:密钥|密鑰|秘钥|秘鑰|金鑰)",
        r"16\s*位\s*(?:密钥|密鑰|秘钥|秘鑰|金鑰)",
        r"(?:恢复|恢復)(?:密钥|密鑰|金鑰)",
    ),
    # One-time codes.
    "otp": (
        r"2fa\s*codes?",
        r"2fa",
        r"two[\s-]*factor(?:\s*(?:auth(?:entication)?|codes?))?",
        r"2[\s-]*step(?:\s*verification)?(?:\s*codes?)?",
        r"one[\s-]*time\s*(?:codes?|pass(?:word|code)?s?|pins?)",
        r"otps?",
        r"totp",
        r"mfa",
        r"(?:google\s*)?authenticator(?:\s*codes?)?",
        r"google\s*auth(?:\s*codes?)?",
        r"ga\s*codes?",
        r"ga",  # Google Authenticator: "GA 482913" (6-8 digits only; see guard_codes)
        r"(?:sms|email|e-mail|phone|security|verification|verify|auth|login|withdrawal|confirmation)"
        r"\s*codes?",
        r"codes?",
        r"(?:谷歌码|谷歌碼)",
        r"ga\s*(?:码|碼)",
        r"谷歌验证码",
        r"谷歌驗證碼",
        r"谷歌验证",
        r"谷歌驗證",
        r"验证码",
        r"驗證碼",
        r"校验码",
        r"动态码",
        r"動態碼",
        r"动态口令",
        r"短信码",
        r"安全码",
        r"二次验证",
        r"双重验证",
    ),
    # Payment cards: the number after these is checked as a card, not as an ID.
    "card": (
        r"(?:credit|debit|bank|visa|master\s*card|amex|prepaid|virtual)?\s*cards?"
        r"(?:\s*(?:number|no\.?|#|details))?",
        r"visa",
        r"mastercard",
        r"银行卡号?",
        r"銀行卡號?",
        r"信用卡号?",
        r"信用卡號?",
        r"卡号",
        r"卡號",
    ),
    # Numbers that name something public: a number right after one of these is not a secret.
    "id": (
        r"(?:referral|invite|invitation|promo|coupon|voucher|error|status|zip|postal|area|country"
        r"|swift|bank|sort|tracking|reward|gift|bonus)\s*(?:codes?|ids?|numbers?|no\.?)",
        r"(?:referral|reference|ref|error)",
        r"(?:user|account|order|ticket|case|customer|member|client|withdrawal|deposit|trade"
        r"|invoice|request|payment)\s*(?:ids?|numbers?|nos?\.?|#)",
        r"uids?",
        r"ids?",
        r"orders?",
        r"tickets?",
        r"cases?",
        r"invoices?",
        r"accounts?",
        r"acct",
        r"phone(?:\s*number)?",
        r"mobile(?:\s*number)?",
        r"tel",
        r"numbers?",
        r"no\.",
        r"#",
        r"memo",
        r"(?:destination\s*)?tag",
        r"amount",
        r"withdr[ae]w(?:al|als|n|ing)?",
        r"deposit(?:ed|s)?",
        r"transfer(?:red|s)?",
        r"sent",
        r"paid",
        r"price",
        r"提现",
        r"提幣",
        r"提币",
        r"充值",
        r"转账",
        r"轉賬",
        r"价格",
        r"balance",
        r"total",
        r"fee",
        r"工单号",
        r"工單號",
        r"工单",
        r"工單",
        r"订单号",
        r"訂單號",
        r"订单",
        r"訂單",
        r"单号",
        r"單號",
        r"编号",
        r"編號",
        r"用户\s*id",
        r"账号",
        r"帳號",
        r"账户",
        r"帐号",
        r"手机号?",
        r"手機號?",
        r"电话",
        r"電話",
        r"流水号",
        r"备注",
        r"標籤",
        r"标签",
        r"金额",
        r"金額",
        r"数量",
        r"數量",
        r"余额",
        r"餘額",
        r"邀请码",
        r"邀請碼",
        r"推荐码",
        r"推薦碼",
        r"错误码",
        r"錯誤碼",
        r"错误代码",
        r"卡号后",
    ),
}

_CJK = re.compile(r"[\u3400-\u9fff]")


def _first_chars(pattern: str) -> str:
    """The characters a pattern can start with (patterns start with a literal or "(?:a|b)")."""
    if pattern.startswith("(?:"):
        return "".join(option[0] for option in pattern[3 : pattern.index(")")].split("|"))
    return pattern[0]


def _label_regex(cjk_first: bool) -> re.Pattern[str]:
    """One regex over all labels that start with (or without) a Chinese character.

    Python tries every alternative at every position, so each regex first checks a cheap
    condition (a word start, or one of the first characters) before trying the alternatives.
    """
    alternatives = []
    first: set[str] = set()
    for kind, patterns in LABELS.items():
        for i, pattern in enumerate(patterns):
            if bool(_CJK.match(_first_chars(pattern))) != cjk_first:
                continue
            first.update(_first_chars(pattern))
            tail = "" if _CJK.search(pattern) else NOT_BEFORE_ALNUM
            alternatives.append(f"(?P<{kind}_{i}>(?:{pattern}){tail})")
    if cjk_first:
        guard = "(?=[" + "".join(sorted(first)) + "])"
    else:
        guard = r"(?:(?<![0-9A-Za-z])(?=[0-9A-Za-z])|(?=[/#]))"
    return re.compile(guard + "(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


_LABEL_RES = (_label_regex(cjk_first=False), _label_regex(cjk_first=True))


@dataclass(frozen=True)
class Label:
    kind: str  # a key of LABELS
    start: int
    end: int


class Labels:
    """All labels of one (normalised) message, to ask which one is nearest to a position."""

    def __init__(self, norm: str) -> None:
        regexes = _LABEL_RES if not norm.isascii() else _LABEL_RES[:1]
        found = [
            Label(m.lastgroup.rsplit("_", 1)[0], m.start(), m.end())
            for regex in regexes
            for m in regex.finditer(norm)
            if m.lastgroup
        ]
        # At equal ends the longer label ("API私钥" over "私钥") must come last: it is the one read.
        found.sort(key=lambda label: (label.end, -label.start))
        self.items = found
        self._ends = [label.end for label in self.items]

    def before(self, pos: int, within: int) -> Label | None:
        """The label that ends last at or before ``pos``, if it ends at most ``within`` before."""
        i = bisect.bisect_right(self._ends, pos) - 1
        if i < 0 or pos - self.items[i].end > within:
            return None
        return self.items[i]

    def after(self, pos: int, within: int) -> Label | None:
        """The first label starting at or after ``pos``, at most ``within`` characters after it."""
        i = bisect.bisect_left(self._ends, pos + 1)
        while i < len(self.items) and self.items[i].start < pos:
            i += 1
        if i >= len(self.items) or self.items[i].start - pos > within:
            return None
        return self.items[i]

    def has(self, kind: str) -> bool:
        return any(label.kind == kind for label in self.items)


URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\"'，。、）]+", re.IGNORECASE)


def url_spans(norm: str) -> list[tuple[int, int]]:
    """Where the links are: a hash inside an explorer link is public, not a key."""
    return [m.span() for m in URL_RE.finditer(norm)]


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)
