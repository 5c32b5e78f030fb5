"""Language detection: the text decides, the platform's hint only breaks ties."""

from __future__ import annotations

import pytest

from shared.language import detect_language, has_cjk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I reset my password?", "en"),
        ("我忘记密码了怎么办", "zh"),
        ("我的 USDT deposit 没到账", "zh"),
        ("my withdrawal 还没到", "zh"),
        ("提现 pending", "zh"),
        ("is the API down today? 谢", "en"),
        ("BTC", "en"),
    ],
)
def test_the_text_decides_the_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("hint", ["en", "zh-CN", "zh-hans", None])
def test_text_with_letters_ignores_the_hint(hint):
    assert detect_language("where is my deposit", hint) == "en"
    assert detect_language("充值没到账", hint) == "zh"


@pytest.mark.parametrize(
    ("text", "hint", "default", "expected"),
    [
        ("123456", "zh-TW", "en", "zh"),
        ("?!", "ZH", "en", "zh"),
        ("👍", "en-GB", "zh", "en"),
        ("", "fr-FR", "en", "fr"),
        ("", None, "zh", "zh"),
        ("1 2 3", "", "en", "en"),
    ],
)
def test_text_without_letters_falls_back_to_hint_then_default(text, hint, default, expected):
    assert detect_language(text, hint, default) == expected


def test_has_cjk():
    assert has_cjk("abc 中 def")
    assert has_cjk("㐀")  # CJK extension A
    assert not has_cjk("abc déjà vu ¥ 123")
    assert not has_cjk("こんにちは")  # kana alone is not Chinese
