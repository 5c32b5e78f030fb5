"""Which language a message is in. Chat users often carry no language setting, so the
reply follows the text itself; the platform's hint only breaks ties."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def detect_language(text: str, hint: str | None = None, default: str = "en") -> str:
    """'zh' when the text is mostly Chinese, 'en' when it is mostly Latin letters.

    Mixed text such as "我的 USDT deposit 没到账" counts as Chinese: a Chinese reader
    wrote it. Text with no letters at all falls back to the hint, then the default.
    """
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if cjk >= 2 or (cjk and cjk >= latin_words):
        return "zh"
    if latin_words:
        return "en"
    if hint:
        return "zh" if hint.lower().startswith("zh") else hint.split("-")[0].lower()
    return default
