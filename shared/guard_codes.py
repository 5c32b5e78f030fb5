"""Finding passwords, one-time codes (and 2FA backup keys) and payment card numbers.

Passwords and codes have no shape of their own: "123456" is a 2FA code after "验证码" and an
order number after "订单号". So each candidate is judged by the nearest label before it (see
guard_context), and a number with its own ID label is never a code. Card numbers do have a shape:
13-19 digits that pass the Luhn check.
"""

from __future__ import annotations

import re

from shared.guard_context import NOT_AFTER_ALNUM, NOT_BEFORE_ALNUM, Labels, inside

# --- passwords ---------------------------------------------------------------------------------

# "my password is X", "pw: X", "login password = X", "密码是X", "登录密码：X", "资金密码 X".
_PASSWORD_LABEL = (
    r"(?<!one-time )(?<!one time )(?<!onetime )"  # a one-time password is a 2FA code
    r"(?:(?:login|account|trading|trade|fund|funds|withdrawal|wallet|email|payment|security|exchange"
    r"|app|new|old|current)\s+)?"
    r"(?:pass\s*words?|passwd|passcode|passphrase|pwd|pw|pass|pin(?:\s*code)?)"
)
_CHINESE_PASSWORD_LABEL = (
    r"(?:登录|登陆|登錄|登入|資金|资金|交易|支付|提现|提幣|提币|邮箱|郵箱|钱包|錢包|账户|帳戶|新|旧|舊)?"
    r"(?:密码|密碼|口令|pin码|PIN碼)"
)
# Words between the label and "is": "password for my account is", "the password I set was".
_PASSWORD_GAP = (
    r",[^,\n:=]{1,30},"  # "my password, if you need it, is X"
    r"|\s+(?:for|of|on)(?:\s+[^\s:=]+){1,3}?"
    r"|\s+(?:that\s+|which\s+)?(?:i|we)(?:'ve|\s+have|\s+had)?\s+"
    r"(?:set|use|used|chose|created|made|typed|entered|picked)"
)
_QUOTED = r"\"[^\"\n]{1,64}\"|'[^'\n]{1,64}'|`[^`\n]{1,64}`|“[^”\n]{1,64}”|「[^」\n]{1,64}」"
# What joins a label to its value, strongest first.
_PASSWORD_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?P<label>{_PASSWORD_LABEL}){NOT_BEFORE_ALNUM}"
    r"(?:[\"'](?=\s*[:=]))?"  # a quoted key: {"password": "..."}, {'password': '...'}
    rf"(?P<gap>(?:{_PASSWORD_GAP})(?=\s+(?:is|was)\s|\s*[:=]))?"
    # (spaces once on each side of the joining word: "\s*X?\s*" is slow on long blank runs)
    r"(?P<join>\s*(?:(?:(?:is|was)(?![A-Za-z'’])(?:\s*now)?(?:\s*[:=])?|[:=](?:\s*is(?=\s))?"
    r"|->|=>|→|-|to|as|是|为|為)\s*)?)"
    rf"(?P<value>{_QUOTED}|\([^()\s]{{1,64}}\)|[^\s\u3400-\u9fff]{{1,64}})"
    rf"|(?P<zlabel>{_CHINESE_PASSWORD_LABEL})"
    r"(?P<zjoin>\s*(?:(?:是:|就是|是|为|為|改成了?|改为|设置为|設置為|:|=)\s*)?)"
    rf"(?P<zvalue>{_QUOTED}|[\x21-\x7e]{{1,64}})",
    re.IGNORECASE,
)
# The value told before the label: "I use X as my password", "X is my password", "X是我的密码".
_PASSWORD_BEFORE_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?:use|used|using|set|chose|picked)\s+(?P<value>[^\s\u3400-\u9fff]{{4,64}})"
    rf"\s+as\s+(?:(?:my|the|our|a)\s+)?(?:\w+\s+)?{_PASSWORD_LABEL}{NOT_BEFORE_ALNUM}"
    rf"|{NOT_AFTER_ALNUM}(?P<value2>[^\s\u3400-\u9fff]{{4,64}})\s+(?:is|was)\s+(?:my|the)\s+"
    rf"(?:\w+\s+)?{_PASSWORD_LABEL}{NOT_BEFORE_ALNUM}"
    rf"|(?<![\x21-\x7e])(?P<value3>[\x21-\x7e]{{4,64}})\s*(?:就是|是|为|為)(?:我的)?"
    rf"{_CHINESE_PASSWORD_LABEL}",
    re.IGNORECASE,
)
# A Chinese label a few characters before its value: "登录密码忘了，之前用的是X".
_CHINESE_LOOSE_RE = re.compile(
    rf"{_CHINESE_PASSWORD_LABEL}[^。！？!?\n]{{1,12}}?"
    r"(?:(?:之前|以前|原来|原來|原先|一直)(?:用的|設的|设的)?是|改成了?|设成了?|設成了?|改为|改為)\s*"
    r"(?P<value>[\x21-\x7e]{4,64})",
    re.IGNORECASE,
)
# Words that follow "password is" in questions and complaints, not a password.
_NOT_A_PASSWORD = frozenset(
    """
    a an the my your his her our their its this that these those it me you i we they
    is are was were be been being am not no yes too so very also still now just already even
    never always again only ever same different wrong incorrect correct right invalid valid ok okay
    fine good bad weak strong short long empty blank required needed necessary reset changed
    change expired locked lost forgotten forgot known unknown stolen compromised leaked hacked
    safe secure protected hidden saved stored set sent updated accepted rejected denied
    working broken failing failed missing used asked case sensitive and or but if when then than
    because since for to of in on at by with without from into about as after before
    there here what which who how why where whatever something nothing anything everything
    reset? what? manager managers recovery protection policy requirements requirement field
    login log sign signin account app email phone please help issue problem error
    change? works work doesn't dont don't isn't wasn't cannot can't can could would should will
    shall may might must need needs have has had do does did got get gets getting
    length characters character letters digits numbers symbols more less enough same? match
    matches mismatch mismatched 2fa otp code verification question questions n/a none null
    """.split()
)
_STRIP_TAIL = ".,;:?)]}'\"，。；：？）」”"
_PIN_LABEL = re.compile(r"(?:\w+\s+)?pin(?:\s*code)?", re.IGNORECASE)
# A login and its password together, as people paste them: "bob@x.com:Summer2024!",
# "bob@x.com / Summer2024!", "login bob / Summer2024!", "credentials bob@x.com Summer2024!".
_CREDENTIALS_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?P<sep>:|\s*[|/]\s*|\s+)"
    r"(?P<value>[\x21-\x7e]{6,64})"
    r"|(?<![A-Za-z])(?:login|user(?:name)?|account)\s*[:=]?\s*[\w.@+-]{2,64}\s*[/|]\s*"
    r"(?P<value2>[\x21-\x7e]{6,64})",
    re.IGNORECASE,
)


# What may join a stated password to a second one (or a login name to its password).
_SECOND_VALUE_RE = re.compile(
    r"[\"'`”」]?(?:\s*(?:and|&|,|/|、|，|和|及)\s*|\s+)(?P<value>[\x21-\x7e]{4,64})"
    r"(?=\s|$|[，。；、）])",
    re.IGNORECASE,
)


def _password_shaped(text: str) -> bool:
    """Letters with digits, six digits or more, or letters with symbols: not a word of prose."""
    digits = sum(c.isdigit() for c in text)
    letters = sum(c.isalpha() for c in text)
    symbols = sum(c in "!@#$%^&*~+=_" for c in text)
    if digits and letters or text.isdigit() and digits >= 6:
        return True
    return bool(letters and symbols and len(text) >= 6)


def _password_value(value: str, join: str, label: str = "") -> tuple[int, int] | None:
    """Offsets of the password inside ``value``, or None when it is not one."""
    if value[0] == "(" and value.endswith(")"):  # "password (Summer2024!)"
        return (1, len(value) - 1) if _password_shaped(value[1:-1]) else None
    if _PIN_LABEL.fullmatch(label) and re.fullmatch(r"\d{4,8}", value.rstrip(_STRIP_TAIL)):
        return 0, len(value.rstrip(_STRIP_TAIL))  # "my pin 2580": a PIN is digits
    if value[0] in "\"'`“「":
        inner = value[1:-1].strip()
        if not any(c.isalnum() for c in inner):
            return None  # '""}' of {"password": ""}: nothing was stated
        return (1, len(value) - 1) if inner.lower() not in _NOT_A_PASSWORD else None
    stripped = value.rstrip(_STRIP_TAIL)
    if len(stripped) < 3 or stripped.lower() in _NOT_A_PASSWORD:
        return None
    if stripped[0] in ",.;)]}>" or not set(stripped) - set("*xX•·.?#-_"):
        return None  # "密码，UID ...", a masked "********"
    strong = any(c.isdigit() for c in stripped) or not stripped.isalpha() or not stripped.islower()
    join_word = join.strip().lower()
    if join_word in ("", "to", "-", "as") and not strong:
        return None  # "password reset", "password to login": no value was stated
    if join_word in ("", "-", "as") and (stripped[0] in "([{<" or not _password_shaped(stripped)):
        return None  # without "is" or ":" only something password-shaped counts
    if stripped.isalpha() and stripped.lower().endswith(("ing", "ed", "ly", "?")):
        return None
    return 0, len(stripped)


def find_passwords(norm: str, labels: Labels) -> list[tuple]:
    found: list[tuple] = []
    pos = 0
    while (m := _PASSWORD_RE.search(norm, pos)) is not None:
        label = ""
        if m.group("label") is not None:
            value, join, value_start = m.group("value"), m.group("join"), m.start("value")
            label_end, label = m.end("label"), m.group("label")
        else:
            value, join, value_start = m.group("zvalue"), m.group("zjoin"), m.start("zvalue")
            label_end = m.end("zlabel")
        offsets = _password_value(value, join, label)
        if m.group("zlabel") is not None and value[0] not in '"“「':
            stripped = value.rstrip(_STRIP_TAIL)
            if len(stripped) < 4 or stripped.isalpha() and not join:
                offsets = None  # "密码 reset" or "密码6位"
        if offsets is not None:
            end = value_start + offsets[1]
            found.append((value_start + offsets[0], end, "password"))
            pos = m.end()
            # "passwords: X and Y"; "账号密码 name@mail.com Abc123": a second value after it
            second = _SECOND_VALUE_RE.match(norm, end)
            if second is not None:
                value2 = second.group("value").rstrip(_STRIP_TAIL)
                if _password_shaped(value2) and value2.lower() not in _NOT_A_PASSWORD:
                    found.append(
                        (second.start("value"), second.start("value") + len(value2), "password")
                    )
                    pos = max(pos, second.end())
        else:
            pos = label_end  # "密码 password: X": the next label may still hold the value
    for m in _CREDENTIALS_RE.finditer(norm):
        group = "value" if m.group("value") is not None else "value2"
        value = m.group(group).rstrip(_STRIP_TAIL)
        if (
            _password_shaped(value.rstrip("!?"))  # "bob@x.com / Thanks!": a word, not one
            and "@" not in value
            and "://" not in value
            and (group == "value2" or m.group("sep").strip() or _credentials_said(norm, m.start()))
        ):
            found.append((m.start(group), m.start(group) + len(value), "password"))
    for m in _PASSWORD_BEFORE_RE.finditer(norm):
        group = next(g for g in ("value", "value2", "value3") if m.group(g) is not None)
        value = m.group(group).rstrip(_STRIP_TAIL)
        if _password_shaped(value) and "@" not in value:
            found.append((m.start(group), m.start(group) + len(value), "password"))
    for m in _CHINESE_LOOSE_RE.finditer(norm):
        value = m.group("value").rstrip(_STRIP_TAIL)
        label = labels.before(m.start("value"), 20)
        if label is not None and label.start >= m.start():
            continue  # "密码错了，订单号是12345678": a nearer label names the value
        if _password_shaped(value) and "@" not in value and "://" not in value:
            found.append((m.start("value"), m.start("value") + len(value), "password"))
    return found


_CREDENTIAL_WORDS = re.compile(
    r"credentials?|log\s*in|login|account|sign\s*in|账号|帳號|账户|登录|登錄", re.IGNORECASE
)


def _credentials_said(norm: str, start: int) -> bool:
    """An e-mail and a word after it with only a space between are a login and its password
    only when the message says so shortly before ("my credentials bob@x.com Abc123!")."""
    return _CREDENTIAL_WORDS.search(norm, max(0, start - 40), start) is not None


# --- one-time codes ----------------------------------------------------------------------------

_OTPAUTH_RE = re.compile(r"otpauth(?:-migration)?://[^\s<>\"'，。、）]+", re.IGNORECASE)
# Units after a number that make it an amount, a count or a date, not a code.
_UNITS = "%|usdt|usdc|usd|btc|eth|sats?|satoshis?|gwei|cny|rmb|元|块|个|年|月|日|号|点"
# 6-8 digits, maybe split in two ("123 456"), not part of a decimal, amount or longer number.
_CODE_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?<![+/$¥€£])(?<!\d[.,])"
    rf"(?:\d{{6,8}}|\d{{3,4}}[ -]\d{{3,4}}|\d(?: \d){{5,7}}|\d\d(?: \d\d){{2,3}})"
    rf"{NOT_BEFORE_ALNUM}(?![.:/]\d)(?!,\d{{3}})(?!\s*(?:{_UNITS}))",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
# SMS and e-mail codes of 4 or 5 digits: only right after a label of such a code ("验证码
# 4821", "sms code: 48213"; an authenticator's codes have 6 digits, so "2FA 2023" is a year,
# and a bare "code" is an error's: "error code 5001"), not a year unless announced ("验证码是
# 2024"), a date, a quantity, or a sender's number ("验证码 95588 发来的").
_SHORT_CODE_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?<![+/$¥€£#])(?<!\d[.,])\d{{4,5}}{NOT_BEFORE_ALNUM}(?![.:/,\-]\d)"
    rf"(?!\s*(?:{_UNITS}|u\b|分|秒|位|次|天|小时|条|"
    r"开头|開頭|发|發|min|sec|s\b|hours?|days?|times?|digits?|error))",
    re.IGNORECASE,
)
_SHORT_CODE_LABEL = re.compile(
    r"(?:sms|text|e-?mail|phone|verification|verify|login|confirmation|withdrawal)\s*codes?"
    r"|otps?|one[\s-]*time\s*(?:codes?|pass(?:word|code)?s?|pins?)"
    r"|(?:短信|邮箱|郵箱|手机|手機)?(?:验证码|驗證碼)|短信码|短信碼|校验码|校驗碼|动态码|動態碼",
    re.IGNORECASE,
)
_SHORT_CODE_GAP = re.compile(r"\s*(?P<said>is|was|=|:|：|是|为|為)?\s*", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")
# 2FA backup keys: base32, often in groups of four, upper or lower case.
_BASE32_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?:[A-Za-z2-7]{{4}}[ -]){{3,9}}[A-Za-z2-7]{{1,4}}{NOT_BEFORE_ALNUM}"
    rf"|{NOT_AFTER_ALNUM}[A-Za-z2-7]{{16,64}}{NOT_BEFORE_ALNUM}"
)
CODE_REACH = 50
# What may stand between a value and a label after it: "123456 is my 2FA code", "123456是验证码".
_ANNOUNCES = re.compile(
    r"\s*(?:\(|\[)?\s*(?:is|was|=|:|-)?\s*(?:my|the|your|our)?\s*(?:new|current|latest)?\s*"
    r"(?:[A-Za-z][\w.-]*\s+){0,2}"  # "123456 is your Google verification code" (a name)
    r"|\s*(?:是|为|為)?(?:我的|我|新的)?",
    re.IGNORECASE,
)


# Words that say what a code is for, not what the number is: "my 2fa code for the
# withdrawal is 482913", "verification code sent to my phone: 482913", "验证码发到手机了：482913".
_CONTEXT_WORD = re.compile(
    r"withdr[ae]w\w*|deposit\w*|transfer\w*|sent|paid|(?:phone|mobile)(?:\s*number)?|accounts?"
    r"|acct|提现|提币|提幣|充值|转账|轉賬|手机号?|手機號?|电话|電話|账号|帳號|账户|帐号",
    re.IGNORECASE,
)
# "... phone: 482913", "... account is 482913" (but "deposited 500000 sats" is an amount)
_SAID = re.compile(r"(?<![A-Za-z])(?:is|was)(?![A-Za-z])|[:=：是为為]", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[\d.!?;\n。！？；]")


def _code_label_behind(norm: str, labels: Labels, context, pos: int):
    """The code label a context word stands behind, in the same clause with no number
    between it and ``pos`` (None: the context word labels the number itself)."""
    for label in reversed(labels.items):
        if label.end > context.start:
            continue
        if pos - label.end > CODE_REACH or _CLAUSE_END.search(norm, label.end, pos):
            return None
        if label.kind in ("otp", "backup"):
            return label
        if not _CONTEXT_WORD.fullmatch(norm[label.start : label.end]):
            return None
    return None


# A code said in Chinese numerals, after a code label: 4 to 8 of them and nothing else.
_ZH_DIGITS = "零〇一二三四五六七八九两壹贰貳叁參肆伍陆陸柒捌玖"
_ZH_CODE_RE = re.compile(
    rf"(?<![{_ZH_DIGITS}])[{_ZH_DIGITS}]{{4,8}}(?![{_ZH_DIGITS}])"
    r"(?!\s*(?:年|月|日|号|號|点|點|分|秒|次|个|個|遍|天|位|小时|小時|元|块|塊))"
)
_ZH_GAP = re.compile(r"\s*(?:是|为|為|:|：)?\s*")  # right after the label


def _is_base32_secret(candidate: str) -> bool:
    """Tell a base32 key from four ordinary 4-letter words ("when will this work")."""
    letters = candidate.replace(" ", "").replace("-", "")
    if any(c.isdigit() for c in letters):
        return True
    if letters.isupper():
        return True
    if not letters.islower():
        return False  # Mixed case is not base32 (it is case-insensitive but written one way).
    vowels = sum(c in "aeiou" for c in letters)
    return vowels / len(letters) < 0.25


def find_codes(norm: str, labels: Labels) -> list[tuple]:
    """One-time codes and backup keys that follow (or precede) a 2FA label."""
    found: list[tuple] = [(m.start(), m.end(), "otp") for m in _OTPAUTH_RE.finditer(norm)]
    for m in _CODE_RE.finditer(norm):
        if _DATE_RE.fullmatch(m.group()):
            continue
        label = labels.before(m.start(), CODE_REACH)
        if label is None:
            label = labels.after(m.end(), 20)
            if label is not None and not _ANNOUNCES.fullmatch(norm[m.end() : label.start]):
                label = None
        elif _CONTEXT_WORD.fullmatch(norm[label.start : label.end]) and _SAID.search(
            norm, label.end, m.start()
        ):
            label = _code_label_behind(norm, labels, label, m.start()) or label
        if label is not None and label.kind in ("otp", "backup"):
            found.append((m.start(), m.end(), "otp"))
    for m in _SHORT_CODE_RE.finditer(norm):
        label = labels.before(m.start(), 8)
        if label is None or label.kind != "otp":
            continue
        gap = _SHORT_CODE_GAP.fullmatch(norm[label.end : m.start()])
        if (
            gap is not None
            and _SHORT_CODE_LABEL.fullmatch(norm[label.start : label.end])
            and (gap.group("said") or not _YEAR.fullmatch(m.group()))
        ):
            found.append((m.start(), m.end(), "otp"))
    for m in _ZH_CODE_RE.finditer(norm):  # "验证码：四八二九一三"
        label = labels.before(m.start(), 4)
        if (
            label is not None
            and label.kind == "otp"
            and _ZH_GAP.fullmatch(norm[label.end : m.start()])
            and len(set(m.group())) >= 3  # "七七八八" is an idiom, "二零二四年" a year
        ):
            found.append((m.start(), m.end(), "otp"))
    for m in _BASE32_RE.finditer(norm):
        if not _is_base32_secret(m.group()):
            continue
        label = labels.before(m.start(), CODE_REACH)
        if label is None:
            continue
        if label.kind in ("otp", "backup"):
            found.append((m.start(), m.end(), "otp"))
        elif label.kind in ("secret", "api") and (labels.has("otp") or labels.has("backup")):
            found.append((m.start(), m.end(), "otp"))
    return found


# --- payment cards -----------------------------------------------------------------------------

# Groups of digits joined by single spaces or dashes; windows of them are checked below.
_DIGIT_RUN_RE = re.compile(r"(?<![0-9A-Za-z+])(?<!\d[.,])\d+(?:[ \-]\d+)*(?![0-9A-Za-z])")
# Cards written with dots ("4111.1111.1111.1111"): only the card layouts, so that version
# numbers, addresses and amounts with dots are not read as digits of one number.
_DOTTED_CARD_RE = re.compile(
    r"(?<!\d)(?<!\d[./_])(?:\d{4}(?P<sep>[./_])\d{4}(?P=sep)\d{4}(?P=sep)\d{4}"
    r"(?:(?P=sep)\d{3})?|\d{4}(?P<amex>[./_])\d{6}(?P=amex)\d{5})(?![./_]?\d)"
)
# A CVV beside a card, by name or in words ("the code on the back is 123", "背面三位数是123").
_CVV_RE = re.compile(
    rf"{NOT_AFTER_ALNUM}(?:cvv2?|cvc2?|cid|security\s*code|安全码|安全碼"
    r"|(?:(?:three|four|3|4)[\s-]*digits?\s*)?(?:code\s*|number\s*|digits?\s*)?"
    r"(?:on|at)\s*(?:the\s*)?back(?:\s*of\s*(?:the|my)?\s*card)?"
    r"|(?:three|four|3|4)[\s-]*digit\s*(?:code|number)"
    r"|(?:卡)?背面(?:的)?(?:[三四34]位)?(?:数字|數字|数|數|码|碼|号码|號碼)?|[三四34]位(?:数|數|码|碼))"
    r"[^\d\n]{0,6}?"
    rf"(?P<cvv>\d{{3,4}}){NOT_BEFORE_ALNUM}",
    re.IGNORECASE,
)


_CVV_NAMED = re.compile(r"cvv2?|cvc2?|security\s*code|安全码|安全碼", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_ok(digits) and digits.strip("0") != ""


def find_cards(norm: str, labels: Labels, urls: list[tuple[int, int]]) -> list[tuple]:
    found: list[tuple] = []
    covered = 0  # where the last card's text ended
    for m in _DIGIT_RUN_RE.finditer(norm):
        if inside(urls, m.start(), m.end()):
            continue
        if m.end() - m.start() > 200:
            continue  # a table of numbers, not a card
        groups = [
            (g.start() + m.start(), g.end() + m.start()) for g in re.finditer(r"\d+", m.group())
        ]
        label = labels.before(m.start(), 25)
        if (
            label is not None
            and label.kind in ("id", "public", "otp", "backup")
            and not _looks_like_a_card(norm, m.start(), m.end(), groups)
        ):
            continue  # "order 2023...": a number with its own label
        # digits an earlier card's expiry and CVV took ("... 12/27 123 5500 ...": the run
        # after the slash begins with them)
        groups = [g for g in groups if g[0] >= covered]
        if not groups:
            continue
        cards = _cards_in_run(norm, groups)
        if not cards and _is_card("".join(norm[s:e] for s, e in groups)):
            cards = [(groups[0][0], m.end(), "card_number")]  # any other grouping
        if not cards:  # fail closed: a card layout that passes Luhn, whatever follows it
            cards = _card_layout_anywhere(norm, groups)
        found.extend(cards)
        covered = max([covered, *(end for _, end, _ in cards)])
    for m in _DOTTED_CARD_RE.finditer(norm):
        # Only an ID label excuses these digits: a code label does not, because no code is
        # written with dots, so nothing else would catch them.
        label = labels.before(m.start(), 25)
        if inside(urls, m.start(), m.end()) or (
            label is not None and label.kind in ("id", "public")
        ):
            continue
        digits = re.sub(r"[./_]", "", m.group())
        if _is_card(digits):
            found.append((m.start(), m.end(), "card_number"))
        elif len(digits) == 19 and _is_card(digits[:16]):  # "4111.1111.1111.1111.123"
            found.append((m.start(), m.start() + 19, "card_number"))
    for c in _CVV_RE.finditer(norm):  # by name always ("cvv 123"); in words beside a card
        if found or _CVV_NAMED.match(norm, c.start()):
            found.append((c.start("cvv"), c.end("cvv"), "card_number"))
    return found


# Words that say a card is being talked about, shortly before its number.
_CARD_WORDS = re.compile(
    r"(?<![A-Za-z])(?:cards?|visa|master\s*card|amex|debit|credit|unionpay)(?![A-Za-z])"
    r"|银行卡|銀行卡|信用卡|借记卡|借記卡|储蓄卡|儲蓄卡|卡号|卡號|银联|銀聯",
    re.IGNORECASE,
)
# An expiry or a CVV by name after the number ("exp 12/27", "cvv 123", "有效期 12/27").
_CARD_TAIL = re.compile(
    r"[^\n]{0,20}?(?:(?<![0-9A-Za-z])(?:exp\w*|valid\s*(?:thru|through|until)|cvv2?|cvc2?)"
    r"|有效期|安全码|安全碼|(?<![0-9/])(?:0?[1-9]|1[0-2])\s*/\s*\d{2}(?:\d{2})?(?![0-9/]))",
    re.IGNORECASE,
)


def _looks_like_a_card(norm: str, start: int, end: int, groups: list[tuple[int, int]]) -> bool:
    """A number after an ID or amount label ("order number", "deposit", "paid") that is a
    card all the same: written in a card's groups ("5555 5555 5555 4444", which no order
    number is), with a card named shortly before it, or with an expiry or a CVV after it.
    Only a number that passes the card checks is removed (find_cards)."""
    if any(size > 1 for i in range(len(groups)) for size in _card_sizes(norm, groups, i)):
        return True
    if _CARD_WORDS.search(norm, max(0, start - 40), start):
        return True
    return _CARD_TAIL.match(norm, end) is not None


# Card layouts among a run's groups (digits per group): 4-4-4-4-3, 4-4-4-4, Amex's 4-6-5; a
# single group of 13 to 19 digits is tried too.
_LAYOUTS = ((4, 4, 4, 4, 3), (4, 4, 4, 4), (4, 6, 5))
# What members write after a card: the expiry (12/27, 12 / 2027, or 1227 without the slash:
# a real month) and the CVV (three digits, or four after an expiry or for Amex, whose
# numbers start 34 or 37).
_EXPIRY_RE = re.compile(
    r"[ \-]+(?:(?:0?[1-9]|1[0-2])\s*/\s*\d{2}(?:\d{2})?|(?:0[1-9]|1[0-2])\d{2})"
)
_CVV3_RE = re.compile(r"[ \-]+\d{3}")
_CVV34_RE = re.compile(r"[ \-]+\d{3,4}")
# After a run that does not read as cards: the rest of a date and a CVV, whatever they are.
_LOOSE_TAIL_RE = re.compile(r"(?P<date>\s*/\s*\d{2,4})(?:[ \-]+\d{3,4})?(?![0-9A-Za-z/])")
# Where a CVV would begin: the next card instead, in a card layout.
_CARD_AHEAD_RE = re.compile(
    r"[ \-]+(?:\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{1,4}|\d{4}[ \-]\d{6}[ \-]\d{5}|\d{13,19})(?!\d)"
)
_TAIL_END = re.compile(r"(?![0-9A-Za-z/])")


def _cards_in_run(norm: str, groups: list[tuple[int, int]]) -> list[tuple]:
    """A run of digit groups that is nothing but cards, each with the expiry and CVV written
    after it: "4111 1111 1111 1111 123", "4111111111111111 1227 123", "4111 1111 1111 1111
    12/27 123", cards in a row. [] when the run cannot be read so (find_cards then looks
    for a card layout in it all the same)."""
    return _parse_cards(norm, groups, 0, set()) or []


def _parse_cards(
    norm: str, groups: list[tuple[int, int]], i: int, failed: set[int]
) -> list[tuple] | None:
    """The cards of ``groups[i:]``, every group used; None when they cannot all be.
    ``failed``: the positions already known to fail (each is tried once)."""
    if i == len(groups):
        return []
    if i in failed:
        return None
    for size in _card_sizes(norm, groups, i):
        card_end = groups[i + size - 1][1]
        amex = norm[groups[i][0] : groups[i][0] + 2] in ("34", "37")
        for end in _tail_ends(norm, card_end, amex):
            rest = i + size
            while rest < len(groups) and groups[rest][0] < end:
                rest += 1
            if rest < len(groups) and groups[rest - 1][1] > end:
                continue  # the tail stopped inside a group
            after = _parse_cards(norm, groups, rest, failed)
            if after is not None:
                return [(groups[i][0], end, "card_number"), *after]
    failed.add(i)
    return None


def _tail_ends(norm: str, card_end: int, amex: bool) -> list[int]:
    """Where the card's text may end, longest first: after an expiry and a CVV (3 or 4
    digits), an expiry, a CVV alone (4 digits only for Amex), or right after its digits. A
    card layout starting where a CVV would is the next card, not a CVV."""
    ends = []
    expiry = _EXPIRY_RE.match(norm, card_end)
    if expiry:
        cvv = _CVV34_RE.match(norm, expiry.end())
        if (
            cvv
            and _TAIL_END.match(norm, cvv.end())
            and not _CARD_AHEAD_RE.match(norm, expiry.end())
        ):
            ends.append(cvv.end())
        if _TAIL_END.match(norm, expiry.end()):
            ends.append(expiry.end())
    cvv = (_CVV34_RE if amex else _CVV3_RE).match(norm, card_end)
    if cvv and _TAIL_END.match(norm, cvv.end()) and not _CARD_AHEAD_RE.match(norm, card_end):
        ends.append(cvv.end())
    ends.append(card_end)
    return ends


def _card_layout_anywhere(norm: str, groups: list[tuple[int, int]]) -> list[tuple]:
    """The first group from which a card layout passes Luhn, to the end of the run: what is
    left when the run does not read as cards and their tails ("4111 1111 1111 1111 2512",
    an expiry written year first)."""
    for i in range(len(groups)):
        if _card_sizes(norm, groups, i):
            end = groups[-1][1]
            tail = _LOOSE_TAIL_RE.match(norm, end)  # "13/27 123": a mistyped month
            if tail and not _CARD_AHEAD_RE.match(norm, tail.end("date")):
                end = tail.end()
            elif tail:
                end = tail.end("date")
            return [(groups[i][0], end, "card_number")]
    return []


def _card_sizes(norm: str, groups: list[tuple[int, int]], i: int) -> list[int]:
    """How many groups from ``i`` on can make a card in a known layout, longest first."""
    sizes = []
    for layout in _LAYOUTS:
        window = groups[i : i + len(layout)]
        if tuple(e - s for s, e in window) == layout:
            if _is_card("".join(norm[s:e] for s, e in window)):
                sizes.append(len(layout))
    if _is_card(norm[groups[i][0] : groups[i][1]]):
        sizes.append(1)
    return sizes
