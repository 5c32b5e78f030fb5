"""Phishing links and private-chat lures."""

from __future__ import annotations

import pytest

from shared.phishing import PhishingResult, check

OFFICIAL = ["binance.com", "okx.com"]


@pytest.mark.parametrize(
    "text",
    [
        "see https://www.binance.com/en/support/faq",
        "support.binance.com answers this",
        "OKX.COM/help",
        "how do I withdraw to my bank?",
        "version 1.2.3 is out, e.g. this one",
        "see docs.python.org or example.org",
        "我的充值还没到账",
        "",
        # members asking, not lures
        "Can an admin DM me? My withdrawal is stuck",
        "This is a support question about fees",
        "I'm staff at a bakery, how do I buy BTC?",
        "我是你们的客户，客服怎么联系",
        "https://user:pw@okx.com/x is where the docs are",
    ],
)
def test_ordinary_messages_pass(text: str) -> None:
    assert check(text, OFFICIAL) == PhishingResult((), ())


@pytest.mark.parametrize(
    "text, domain",
    [
        ("claim your airdrop at binnance.com now", "binnance.com"),
        ("login: https://binance.com.evil.io/login", "binance.com.evil.io"),
        ("official: binance-support.net", "binance-support.net"),
        ("okx.co bonus", "okx.co"),
        ("0kx.com giveaway", "0kx.com"),
        ("https://blnance.com/verify", "blnance.com"),
        ("币安官网 binnance。com", "binnance.com"),
        # the address before "@" is only a disguise: the browser goes to what follows
        ("https://binance.com@evil.io/login", "evil.io"),
        ("https://binance@evil.io/login", "evil.io"),
        # short brands: the official domain inside a longer one, or joined by a hyphen
        ("https://okx.com.verify-account.xyz", "okx.com.verify-account.xyz"),
        ("https://www.okx.com.cn", "www.okx.com.cn"),
        ("https://okx-web3.org", "okx-web3.org"),
    ],
)
def test_lookalike_domains(text: str, domain: str) -> None:
    result = check(text, OFFICIAL)
    assert "lookalike_domain" in result.kinds
    assert domain in result.domains
    assert result.suspicious


def test_punycode_and_mixed_script() -> None:
    assert "punycode_domain" in check("visit xn--bnance-x0a.com", OFFICIAL).kinds
    result = check("go to bіnance.com", OFFICIAL)  # Cyrillic і
    assert {"mixed_script_domain", "lookalike_domain"} <= set(result.kinds)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("DM me for support", "dm_lure"),
        ("pm me, I can fix it", "dm_lure"),
        ("send me a dm and I'll help", "dm_lure"),
        ("add me on telegram @helper", "dm_lure"),
        ("有问题私信我", "dm_lure"),
        ("加我微信 abc123 处理", "dm_lure"),
        ("加我电报", "dm_lure"),
        ("I'm an admin, send me your seed phrase", "impersonation"),
        ("I am the official support team", "impersonation"),
        ("我是管理员，帮你解决", "impersonation"),
        ("把你的助记词发给我", "impersonation"),
        ("我是币安客服，请私信", "impersonation"),
        ("我是币安官方客服", "impersonation"),
        ("I'm an admin at Binance, DM me", "impersonation"),
    ],
)
def test_lures_and_impersonation(text: str, kind: str) -> None:
    assert kind in check(text, OFFICIAL).kinds


def test_never_raises_on_junk() -> None:
    for text in ["\x00" * 100, "a." * 50_000, "🙂" * 1000, "xn--." * 100]:
        assert isinstance(check(text, OFFICIAL), PhishingResult)
