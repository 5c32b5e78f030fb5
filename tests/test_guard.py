"""The guard on examples, on the labelled set (recall and false positives) and through the CLI."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from bots.guard_cli import scan_file
from shared.guard import KINDS, PLACEHOLDERS, GuardResult, scan
from shared.guard_seed import VALID_LENGTHS

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
LABELLED = DATA / "guard_labelled.jsonl"
# The shared evaluation CSVs sit beside the repository (BANKING77, CLINC150).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_labelled() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_ordinary() -> list[str]:
    texts: list[str] = []
    for path in sorted(SHARED_DATA.glob("*/*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    return texts


# --- examples -----------------------------------------------------------------------------------

SEED_12 = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
ZH_SEED = "的 一 是 在 不 了 有 和 人 这 中 大"
ZH_GLUED = "希页币品按策秘堡趣采缆鉴"  # a valid 12-character phrase
SEED_LEGAL = "legal winner thank year wave sausage worth useful legal winner thank yellow"
# Another test vector, with two slips (one in six words): "winner" -> "wimner", "wave" -> "ave".
SEED_SLIPPED = "legal winner thank year ave sausage worth useful legal wimner thank yellow"


@pytest.mark.parametrize(
    "text, kind, secret",
    [
        (f"my seed is {SEED_12}, help", "seed_phrase", SEED_12),
        (f"助记词：{ZH_SEED}，请帮我", "seed_phrase", ZH_SEED),
        # typed with no separators: after a label, and alone on its line
        (f"我的助记词是{ZH_GLUED}，谢谢", "seed_phrase", ZH_GLUED),
        (f"钱包还原不了\n{ZH_GLUED}\n怎么办", "seed_phrase", ZH_GLUED),
        ("私钥：0x" + "1f" * 32 + "，谢谢", "private_key", "1f" * 32),
        # a key typed in groups or over lines after its label
        ("private key:\n" + "3a" * 16 + "\n" + "c4" * 16, "private_key", "c4" * 16),
        ("私钥 " + " ".join(["9e8d7c6b"] * 8), "private_key", "9e8d7c6b"),
        ("my password is hunter2!", "password", "hunter2"),
        ("登录密码：Abc12345，登不上", "password", "Abc12345"),
        ("谷歌验证码：４５６７８９", "otp", "４５６７８９"),
        ("2FA backup key: jbsw y3dp ehpk 3pxp", "otp", "jbsw y3dp ehpk 3pxp"),
        ("otpauth://totp/X:me?secret=JBSWY3DPEHPK3PXP", "otp", "JBSWY3DPEHPK3PXP"),
        (
            "API Key：vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv",
            "api_key",
            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv",
        ),
        ("卡号4111111111111111", "card_number", "4111111111111111"),
        # slips: the first word of a phrase sent alone; two first letters
        ("legak" + SEED_LEGAL[len("legal") :], "seed_phrase", "legak winner"),
        (f"seed: {SEED_SLIPPED}, thanks", "seed_phrase", "useful legal wimner"),
        # words separated by emoji or arrows
        ("seed: " + " 🔥 ".join(SEED_LEGAL.split()), "seed_phrase", "wave 🔥 sausage"),
        ("➡️".join(SEED_LEGAL.split()) + " pls", "seed_phrase", "thank➡️year"),
        ("my words " + " -> ".join(SEED_LEGAL.split()), "seed_phrase", "worth -> useful"),
        (  # numbered with keycap emoji
            " ".join(f"{i}\ufe0f\u20e3 {w}" for i, w in enumerate(SEED_LEGAL.split(), 1)),
            "seed_phrase",
            "sausage",
        ),
        # "moon moon moon ...": a few words said over and over is chatter, not a phrase
        # (the test vector "abandon ... about" still counts: its checksum agrees)
        ("card 4111-1111-1111-1111 exp 12/25", "card_number", "4111-1111-1111-1111"),
        ("my card is 4111.1111.1111.1111.", "card_number", "4111.1111.1111.1111"),
        ("amex 3782.822463.10005 pls help", "card_number", "3782.822463.10005"),
        ("card No.4111.1111.1111.1111", "card_number", "4111.1111.1111.1111"),
        ("验证码 4111.1111.1111.1111", "card_number", "4111.1111.1111.1111"),
        # a card with its expiry and CVV after it, or two cards in a row
        ("4111 1111 1111 1111 123", "card_number", "1111 123"),
        ("卡号 6222021234567890128 1227 123", "card_number", "1227 123"),
        ("4111 1111 1111 1111 12/27 123", "card_number", "12/27 123"),
        ("cards: 5555555555554444 4111111111111111", "card_number", "5555555555554444"),
        ("cards: 5555555555554444 4111111111111111", "card_number", "4111111111111111"),
        ("cards 4111 1111 1111 1111 5500 0000 0000 0004", "card_number", "5500 0000"),
        ("cards 4111 1111 1111 1111 5500 0000 0000 0004", "card_number", "4111 1111"),
        (
            "cards 4111 1111 1111 1111 12/27 123 5500 0000 0000 0004 01/28 456",
            "card_number",
            "5500 0000",
        ),
        ("cards 4111 1111 1111 1111 3/27 123 5500 0000 0000 0004", "card_number", "5500 0000"),
        ("cards 4111 1111 1111 1111 3/27 123 5500 0000 0000 0004", "card_number", "/27 123"),
        ("amex 3782 822463 10005 04/25 5500 0000 0000 0004 08/25", "card_number", "0004"),
        ("card 4111 1111 1111 1111 2512", "card_number", "2512"),  # an expiry year first
        ("card 5500 0000 0000 0004 13/27 123", "card_number", "27 123"),  # a mistyped month
        ("card 4111 1111 1111 1111 12/27 1234", "card_number", "1234"),
        # passwords in code: a quoted key, a code block
        ('{"email": "a@b.com", "password": "Summer2024!"}', "password", "Summer2024!"),
        ("ccxt.okx({'apiKey': 'k', 'password': 'Trading2024'})", "password", "Trading2024"),
        ("Password:\n```\nSummer2024!\n```", "password", "Summer2024!"),
        ("密码：\n```\nSummer2024!\n```", "password", "Summer2024!"),
        # a phrase with one word unknown or left out is still guessable
        (
            "fancy muffin ??? equal scorpion harsh caught arm never jar cake hire",
            "seed_phrase",
            "fancy muffin",
        ),
        (
            "fancy muffin equal scorpion harsh caught arm never jar cake hire",
            "seed_phrase",
            "cake hire",
        ),
        # a Chinese phrase after a label, typed in groups or lines
        ("助记词：交古汇闪 莱粉允钱 赞设果复", "seed_phrase", "赞设果复"),
        ("我的助记词是交古汇闪莱粉，允钱赞设果复", "seed_phrase", "交古汇闪莱粉"),
        ("助记词：\n交古汇\n闪莱粉\n允钱赞\n设果复", "seed_phrase", "闪莱粉"),
        (
            "助记词\n帝妇啦曲婆读极机凡赵处烟\n综选沟带展执分蓝国遂凸七",
            "seed_phrase",
            "综选沟带展执分蓝国遂凸七",
        ),
        # two passwords, a login and its password, "as"
        ("passwords: Abc12345 and Xyz98765", "password", "Xyz98765"),
        ("我的账号密码是 test@qq.com abc123456", "password", "abc123456"),
        ("i set password as Qwerty!234", "password", "Qwerty!234"),
        # an API key pair after "credentials", one a line
        (
            "Here are my binance credentials:\nvmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv\n"
            "Qk2Jd8sLw0PzX7aNc4VbR1tYe6UiO3pM",
            "api_key",
            "Qk2Jd8sLw0PzX7aNc4VbR1tYe6UiO3pM",
        ),
        # a Solana keypair as its CLI writes it (id.json: 64 numbers)
        (
            "private key: [" + ", ".join(str((i * 37 + 11) % 256) for i in range(64)) + "]",
            "private_key",
            "11, 48, 85",
        ),
        # one-time and backup codes by their everyday Chinese names
        ("谷歌码 123456", "otp", "123456"),
        ("GA码 482913", "otp", "482913"),
        ("备用码 JBSWY3DPEHPK3PXP", "otp", "JBSWY3DPEHPK3PXP"),
        # 4- and 5-digit SMS and e-mail codes, right after their label
        ("my verification code is 4821", "otp", "4821"),
        ("短信验证码：48213，登不上", "otp", "48213"),
        ("the sms code 4821 didn't work", "otp", "4821"),
        # a card's CVV named in words
        ("card 4111 1111 1111 1111, the code on the back is 123", "card_number", "123"),
        ("卡号4111111111111111 背面三位数是123", "card_number", "123"),
        ("4111111111111111 exp 12/27 the 3 digits on the back 123", "card_number", "123"),
        # a card after an ID or amount word, given away by its groups, a card word or a CVV
        ("my visa number is 4111111111111111 exp 12/27 cvv 123", "card_number", "4111111111"),
        ("deposit failed 4111 1111 1111 1111 exp 12/27 cvv 123", "card_number", "4111 1111"),
        ("I paid with 4111 1111 1111 1111 12/27 123", "card_number", "4111 1111"),
        ("充值 6222 0212 3456 7890 128 失败", "card_number", "6222 0212"),
        ("order number 5555 5555 5555 4444", "card_number", "5555 5555"),
        ("ID: 5555-5555-5555-4444 cvv 987", "card_number", "987"),
        # a code whose label stands behind what it is for
        ("my 2fa code for the withdrawal is 482913", "otp", "482913"),
        ("verification code sent to my phone: 482913", "otp", "482913"),
        ("the code for my account is 482913", "otp", "482913"),
        ("验证码发到手机了：482913", "otp", "482913"),
        # most of a phrase after a seed label (two or three words missing can be tried)
        (
            "seed: abandon ability able about above absent absorb abstract absurd",
            "seed_phrase",
            "absurd",
        ),
        (
            "my seed phrase is legal winner thank year wave sausage worth useful legal winner",
            "seed_phrase",
            "sausage",
        ),
        # a login pasted with its password; a password in brackets or after a clause
        ("bob@x.com:Summer2024!", "password", "Summer2024!"),
        ("bob@x.com / Summer2024!", "password", "Summer2024!"),
        ("login bob / Summer2024!", "password", "Summer2024!"),
        ("here are my credentials bob@x.com Summer2024!", "password", "Summer2024!"),
        ("password (Summer2024!)", "password", "Summer2024!"),
        ("my password, if you need it, is Summer2024!", "password", "Summer2024!"),
        ("my pin 2580", "password", "2580"),
        # a code in Chinese numerals after its label
        ("验证码：四八二九一三", "otp", "四八二九一三"),
        ("我的2FA是 肆捌贰玖壹叁", "otp", "肆捌贰玖壹叁"),
        # an authenticator's code after "GA", a short one-time code after "otp"
        ("GA 482913", "otp", "482913"),
        ("otp 4829", "otp", "4829"),
        # a CVV by name, alone; a card with slashes or underscores between its groups
        ("my cvv is 123", "card_number", "123"),
        ("4111/1111/1111/1111", "card_number", "4111"),
        ("4111_1111_1111_1111", "card_number", "4111"),
        # secrets inside links: a parameter named for one, a password in the address
        (
            "https://api.x.com/v1?apikey=" + "ab" * 20 + "&secret=Zx9kLmN2pQ",
            "api_key",
            "Zx9kLmN2pQ",
        ),
        ("https://bob:Summer2024@x.com/", "password", "Summer2024"),
        ("https://pay.example/p?card=4111111111111111&cvv=123", "card_number", "4111111111111111"),
        (
            "https://w.example/import?seed=abandon%20ability%20able%20about%20above%20absent"
            "%20absorb%20abstract",
            "seed_phrase",
            "abandon",
        ),
        ("https://bob:Sup3r@Secret@db.example.com/x", "password", "Secret"),
        ("https://p.example/?card=4111+1111+1111+1111&cvv=123", "card_number", "4111+1111"),
        (
            "https://w.example/?seed=abandon%0Aability%0Aable%0Aabout%0Aabove%0Aabsent%0Aabsorb"
            "%0Aabstract",
            "seed_phrase",
            "abandon",
        ),
        ("ftp://admin:P4ss#word@10.0.0.1/", "password", "P4ss#word"),
        ("https://x.io/k?private_key=" + "cd" * 32, "private_key", "cdcdcdcd"),
        ("https://x.example/reset?token=abc123def456", "password", "abc123def456"),
        # invisible characters inside a secret
        ("my card 4111\u200b1111\u20601111\ufeff1111 12/27 123", "card_number", "1111"),
        ("pass\u00adword: Summer2024!", "password", "Summer2024!"),
        ("legal win\u200bner " + SEED_LEGAL.split(" ", 2)[2], "seed_phrase", "sausage"),
    ],
)
def test_catches_and_redacts(text: str, kind: str, secret: str) -> None:
    result = scan(text)
    assert kind in result.kinds
    assert result.sensitive
    assert secret not in result.redacted
    assert PLACEHOLDERS[kind] in result.redacted


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password, how do I reset it?",
        "change password as soon as possible",
        "moon " * 12,
        "help? " * 11,
        "I used the same password as Gmail",
        "I set my password as Binance suggested",
        "txid 0x" + "ab" * 32 + " still pending",
        "txid " + "ab" * 16 + "\n" + "cd" * 16 + " still pending",  # a txid over two lines
        "https://etherscan.io/tx/0x" + "cd" * 32,
        "deposit address 0x52908400098527886E0F7030069857D2E4169EE7",
        "Key: 0x742d35Cc6634C0532925a3b844Bc454e4438f44e",  # an address after "key"
        "API whitelist: TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9",  # a TRON address, checksum ok
        "订单号 4111111111111111 还没处理",
        "order number 4111111111111111 still pending",  # one run, no card word, no CVV
        "2FA is on. My account 48291376 can't withdraw",
        "my 2fa code works, order 12345678",
        "my 2fa was disabled after I deposited 500000 sats",
        "family 👨\u200d👩\u200d👧 photo",  # the joiner between emoji stays
        "https://binance.com/en/register?ref=ABC123",
        "email me at bob@x.com thanks",
        "验证码一直收不到",
        "验证码二零二四年以后就收不到了",
        "验证码七七八八都试了",
        "验证码三五分钟才到",
        "my email is bob@example.com: Thanks!",
        "https://shop.example.com/item?pk=12345",
        "https://x.example/?seed=424242",
        "https://shop.example/p?card=visa",
        "my seed phrase is twelve words you write down on paper",
        "mnemonic: abandon ability able about above absent absorb",  # seven: not most of one
        "where do I put my seed phrase when I restore the wallet on a new phone",
        "contact bob@x.com / 2024",
        "password (see below)",
        "my password, which I changed, is not working",
        "GA 2024 conference",
        "https://x.example/login?next=/home&lang=en",
        "UID 12345678, my 2FA is broken",
        "error code 4821 when I withdraw",  # a bare "code": an error, not a login code
        # years, dates, senders' numbers, quantities after a code label
        "短信验证码是 10690 开头的号码发的吗？",
        "验证码 95588 发来的，是官方吗",
        "I set up 2FA 2023, now I lost my phone",
        "Google Authenticator 2024 update broke my codes",
        "谷歌验证 2022 绑的，手机丢了",
        "login code 1001 error again",
        "验证码 2024-05-11 之后就收不到了",
        "二次验证 5000 U 以上才要吗",
        # a cheer: one word over and over, with emoji between
        "冲🚀" * 11,
        "牛🐂" * 24,
        "验证码60秒后才能重发",
        "验证码 2024年就收不到了",
        "sms code 1000 usdt fee?",
        "my phone ends in 1234, verification code not arriving",
        "the code on the back of the parcel is 123",  # no card in the message
        "工单号 20240511 谷歌验证丢了怎么办",
        "please verify my account, the card never arrived",
        "我的充值还没到账，请帮我看看是什么原因",
        "我的助记词是不是被别人偷走了怎么办呢",  # twelve characters after the label
        "种子短语应该怎么备份才最安全可靠呢",
        "card 4111 1111 1111 1112 declined",
        "card 4111.1111.1111.1112 declined",
        "订单号 4111.1111.1111.1111 还没处理",
        "app version 4111.1111.1111.1111.2 crashes, server 10.0.0.1",
        # prose of mostly list words, with everyday words a keystroke from list words
        "For example, if you distribute copies of such a program, whether gratis or for a fee, "
        "you must give the recipients all the rights that you have. You must make sure that "
        "they, too, receive or can get the source code.",
        "First, you pass your input through the transformer model, then you have to apply the "
        "right pooling-operation on-top of the contextualized word embeddings.",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    result = scan(text)
    assert result == GuardResult((), text)
    assert not result.sensitive


def test_unlabelled_glued_chinese_phrases_are_mostly_caught() -> None:
    """A Chinese phrase typed with no separators and no label is found by its checksum and
    its rare characters: about 19 in 20 of random phrases (a phrase made of common
    characters by chance is missed); after a label, every one. Caught ones are removed
    whole."""
    rng = random.Random(7)
    for language in ("chinese_simplified", "chinese_traditional"):
        mnemonic, caught = Mnemonic(language), 0
        for i in range(100):
            n = VALID_LENGTHS[i % len(VALID_LENGTHS)]
            entropy = bytes(rng.randrange(256) for _ in range(n * 4 // 3))
            phrase = mnemonic.to_mnemonic(entropy).replace(" ", "").replace("\u3000", "")
            assert len(phrase) == n
            text = ["{}", "帮我看看 {}", "{}\n对吗？", "check: {} thanks"][i % 4].format(phrase)
            result = scan(text)
            if result.sensitive:
                assert "seed_phrase" in result.kinds and phrase not in result.redacted
                caught += 1
            labelled = scan(f"我的助记词是{phrase}，谢谢")  # after a label: every one
            assert labelled.sensitive and phrase not in labelled.redacted, phrase
        assert caught >= 90, (language, caught)


def test_chinese_prose_never_passes_for_a_glued_phrase() -> None:
    """Every stretch of the shipped knowledge's and the support sets' Chinese prose that is a
    phrase's length, taken as if it stood alone in a message, is left alone."""
    paths = [*ROOT.glob("knowledge/**/*.yaml"), *DATA.glob("support_eval*.csv")]
    prose = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    windows = 0
    for run in re.findall(r"[\u3400-\u9fff]+", prose):
        for n in VALID_LENGTHS:
            for i in range(len(run) - n + 1):
                windows += 1
                assert not scan(run[i : i + n]).sensitive, run[i : i + n]
    assert windows > 1000


def test_nearest_label_decides_for_hex() -> None:
    key, tx = "a1" * 32, "b2" * 32
    assert scan(f"my private key was stolen, txid {tx}").kinds == ()
    assert scan(f"txid {tx} and my private key {key}").kinds == ("private_key",)


def test_every_secret_of_a_message_is_redacted_and_the_rest_kept() -> None:
    text = "pw: Tiger2024! and 2FA code 123456, why is my withdrawal stuck?"
    result = scan(text)
    assert result.kinds == ("password", "otp")
    assert result.redacted == (
        "pw: [password removed] and 2FA code [code removed], why is my withdrawal stuck?"
    )


def test_full_width_secret_is_redacted_in_the_original() -> None:
    result = scan("验证码：１２３４５６，谢谢")
    assert result.redacted == "验证码：[code removed]，谢谢"


JUNK = [
    "", " ", "\x00\xff\ud800", "🙂" * 1000, "a" * 100_000, "1 " * 50_000, "的 " * 40_000,
    # hostile shapes that once took seconds to minutes (backtracking over a blank run)
    '"password' + " " * 50_000, "密码" + " " * 50_000, "password:" + " " * 50_000,
    "助记词" * 16_000, "4111 1111 1111 1111 " * 2_500, "[1," * 16_000,
    "private key " + "abcdef12 \n" * 5_000, "私钥 " + "0123456789 " * 4_500,
    "验证码 4821 " * 5_000, "abandon 🔥 " * 5_000, "冲🚀" * 20_000,
]  # fmt: skip


@pytest.mark.parametrize("text", JUNK, ids=[f"junk{i}" for i in range(len(JUNK))])
def test_never_raises_and_stays_fast(text: str) -> None:
    start = time.perf_counter()
    result = scan(text)
    assert isinstance(result.redacted, str)
    assert time.perf_counter() - start < 2.0


def test_kinds_are_in_the_order_of_kinds() -> None:
    result = scan(f"card 4111111111111111 and seed {SEED_12}")
    assert result.kinds == tuple(k for k in KINDS if k in result.kinds)


# --- the labelled set: recall, false positives, leaks ------------------------------------------


def test_labelled_set_meets_the_targets() -> None:
    """Recall >= 0.99 overall and >= 0.97 per kind; FP <= 0.5%; no secret survives."""
    records = load_labelled()
    total, found = Counter(), Counter()
    leaks, false_positives, negatives = [], 0, 0
    for record in records:
        result = scan(record["text"])
        for kind in record["kinds"]:
            total[kind] += 1
            found[kind] += kind in result.kinds
        for secret in record["secrets"]:
            if secret in result.redacted:
                leaks.append(secret)
        if not record["kinds"]:
            negatives += 1
            false_positives += result.sensitive
    ordinary = load_ordinary()
    false_positives += sum(scan(text).sensitive for text in ordinary)
    negatives += len(ordinary)

    assert set(total) == set(KINDS), "every kind must be in the labelled set"
    per_kind = {kind: found[kind] / total[kind] for kind in KINDS}
    overall = sum(found.values()) / sum(total.values())
    fp_rate = false_positives / negatives
    print(f"\nrecall overall {overall:.4f}; per kind {per_kind}")
    print(f"false positives {false_positives}/{negatives} = {fp_rate:.4%}")
    assert overall >= 0.99
    assert all(recall >= 0.97 for recall in per_kind.values()), per_kind
    assert fp_rate <= 0.005
    assert not leaks, f"{len(leaks)} secrets survived redaction"
    assert sum(total.values()) >= 600 and negatives - len(ordinary) >= 300


def test_ordinary_csvs_are_present() -> None:
    if not SHARED_DATA.exists():
        pytest.skip("shared/data is not beside this checkout")
    assert len(load_ordinary()) > 20_000


# --- the CLI ------------------------------------------------------------------------------------


def test_scan_file_keeps_order_and_survives_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"text": "我的密码是abc12345"}, ensure_ascii=False).encode(),
        b"not json",
        json.dumps({"txt": "no text"}).encode(),
        json.dumps({"text": 5}).encode(),
        b"\xff\xfe broken utf-8",
        b"",
        json.dumps({"text": "hello, where is my deposit?"}).encode(),
        b"[1, 2]",
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    out = io.StringIO()
    assert scan_file(str(path), out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(lines)
    assert rows[0] == {
        "sensitive": True,
        "kinds": ["password"],
        "redacted": "我的密码是[password removed]",
    }
    assert all(set(rows[i]) == {"error"} for i in (1, 2, 3, 4, 5, 7))
    assert rows[6]["sensitive"] is False
    assert "我的密码" in out.getvalue()  # ensure_ascii=False
    assert "abc12345" not in out.getvalue()
    assert "not json" not in out.getvalue()  # errors never quote the input


def test_scan_file_missing_file_returns_status(tmp_path: Path) -> None:
    assert scan_file(str(tmp_path / "missing.jsonl"), io.StringIO()) == 2


# --- two messages read together (shared/guard_split.py) ----------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "kind", "secret", "previous_after"),
    [
        ("my private key is", "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
         "private_key", "4c0883a6", None),
        ("my 2fa code is", "482913", "otp", "482913", None),
        ("my password is", "Summer2024!", "password", "Summer2024!", None),
        ("验证码是", "482913", "otp", "482913", None),
        ("legal winner thank year wave sausage", "worth useful legal winner thank yellow",
         "seed_phrase", "yellow", "[seed phrase removed]"),
        ("482913", "is my 2fa code", "otp", "482913", "[code removed]"),
        ("PIN码是", "2580", "password", "2580", None),
        ("password for my account is", "Summer2024!", "password", "Summer2024!", None),
        ("what's your 2fa backup code? mine is", "482913", "otp", "482913", None),
        ("我的助记词是交古汇闪莱粉", "允钱赞设果复", "seed_phrase", "允钱赞设果复",
         "我的助记词是[seed phrase removed]"),
    ],
)  # fmt: skip
def test_a_secret_split_over_two_messages_is_found(
    previous, current, kind, secret, previous_after
) -> None:
    from shared.guard_split import across

    pair = across(previous, current)
    assert pair is not None and kind in pair.current.kinds
    assert secret not in pair.current.redacted
    assert pair.previous == previous_after


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        ("my password is", "not working"),
        ("how do I reset my password", "it says wrong password"),
        ("my uid is", "12345678"),
        ("what is the fee", "0.1%"),
        ("would you repeat what you just said", "please repeat over what you said"),
    ],
)
def test_two_ordinary_messages_are_no_secret_together(previous, current) -> None:
    from shared.guard_split import across

    assert across(previous, current) is None


def test_ordinary_sentences_after_a_seed_label_are_not_a_partial_phrase() -> None:
    """Most of a phrase after a label counts from eight list words: no sentence of the
    ordinary data has that many in a row."""
    from shared.guard_seed import find_labelled_partial_phrases

    texts = [t for t in load_ordinary() if t.isascii()]
    hits = [t for t in texts if find_labelled_partial_phrases(f"my seed phrase is {t}")]
    print(f"\n{len(hits)} of {len(texts)} sentences after a seed label read as most of a phrase")
    assert len(hits) <= len(texts) // 1000, hits[:5]


def test_pairs_of_ordinary_messages_are_rarely_one_secret() -> None:
    """Every message is also read after the previous one: on pairs of ordinary messages
    (consecutive ones, and as many drawn at random) that must almost never find a secret
    neither message held alone."""
    import random

    from shared.guard_split import across

    texts = [r["text"] for r in load_labelled() if not r["kinds"]] + load_ordinary()
    texts = [t for t in texts if not scan(t).sensitive]
    rng = random.Random(0)
    pairs = list(zip(texts, texts[1:], strict=False))
    pairs += [(rng.choice(texts), rng.choice(texts)) for _ in range(len(pairs))]
    started = time.perf_counter()
    found = [(a, b) for a, b in pairs if across(a, b) is not None]
    each = (time.perf_counter() - started) / len(pairs) * 1000
    print(f"\npairs {len(pairs)}; found a secret across {len(found)}; {each:.3f} ms a pair")
    assert len(found) <= max(1, len(pairs) // 10_000), found[:5]
