"""Generate the labelled set of the guard: tests/data/guard_labelled.jsonl.

Each line is {"text": ..., "kinds": [...], "secrets": [...]}: the kinds of secret the message
holds and the exact substrings that must not survive redaction. Negatives have empty lists.

Secrets are generated with real formats and checksums (BIP39 with valid and invalid checksums,
base58check WIF and xprv, Luhn-valid cards, base32 2FA keys) from a seeded generator, so running
this again gives the same file: ``python tests/data/make_guard_set.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from pathlib import Path

from mnemonic import Mnemonic

SEED = 20241125
OUT = Path(__file__).with_name("guard_labelled.jsonl")
rng = random.Random(SEED)

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XRP_B58 = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
LANGS = {"en": "english", "zh": "chinese_simplified", "tw": "chinese_traditional"}
WORDLISTS = {key: Mnemonic(name).wordlist for key, name in LANGS.items()}


def rbytes(n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


def b58encode(data: bytes, alphabet: str = B58) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = alphabet[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return alphabet[0] * pad + out


def b58check(payload: bytes, alphabet: str = B58) -> str:
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return b58encode(payload + check, alphabet)


# --- bech32 (BIP173/BIP350), for realistic addresses -----------------------------------------
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def bech32(hrp: str, data5: list[int], m: bool = False) -> str:
    const = 0x2BC830A3 if m else 1
    values = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + data5
    poly = _polymod(values + [0] * 6) ^ const
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data5 + checksum)


def to5(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for b in data:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


# --- secrets ---------------------------------------------------------------------------------


def bip39(lang: str, n: int, valid: bool = True) -> list[str]:
    words = WORDLISTS[lang]
    if not valid:
        while True:
            phrase = [rng.choice(words) for _ in range(n)]
            if not Mnemonic(LANGS[lang]).check(" ".join(phrase)):
                return phrase
    entropy = rbytes(n * 4 // 3)
    return Mnemonic(LANGS[lang]).to_mnemonic(entropy).split()


def wif(compressed: bool, testnet: bool = False) -> str:
    payload = (b"\xef" if testnet else b"\x80") + rbytes(32) + (b"\x01" if compressed else b"")
    return b58check(payload)


def xprv(testnet: bool = False) -> str:
    version = bytes.fromhex("04358394" if testnet else "0488ade4")
    body = version + bytes([rng.randint(0, 5)]) + rbytes(4) + rbytes(4) + rbytes(32) + b"\0"
    return b58check(body + rbytes(32))


def hex64(prefix: bool | None = None) -> str:
    h = rbytes(32).hex()
    if rng.random() < 0.2:
        h = h.upper()
    if prefix is None:
        prefix = rng.random() < 0.5
    return ("0x" if prefix else "") + h


def alnum(n: int, chars: str = string.ascii_letters + string.digits) -> str:
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def api_key_pair() -> tuple[str, str]:
    style = rng.choice(["binance", "bitfinex", "okx", "bybit", "kucoin", "hex"])
    if style == "binance":
        return alnum(64), alnum(64)
    if style == "bitfinex":
        return alnum(43, string.ascii_letters + string.digits + "_-"), alnum(43)
    if style == "okx":
        key = "-".join(rbytes(k).hex() for k in (4, 2, 2, 2, 6))
        return key, rbytes(16).hex().upper()
    if style == "bybit":
        return alnum(18), alnum(36)
    if style == "kucoin":
        return rbytes(12).hex(), "-".join(rbytes(k).hex() for k in (4, 2, 2, 2, 6))
    return rbytes(32).hex(), rbytes(32).hex()


def base32_secret(groups: bool | None = None) -> str:
    n = rng.choice([16, 16, 32, 26])
    s = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))
    if rng.random() < 0.35:
        s = s.lower()
    if groups is None:
        groups = rng.random() < 0.5
    if groups:
        s = rng.choice([" ", "-"]).join(s[i : i + 4] for i in range(0, len(s), 4))
    return s


def luhn_complete(prefix: str, length: int) -> str:
    digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        cand = digits + d
        total = 0
        for i, ch in enumerate(reversed(cand)):
            v = int(ch)
            if i % 2:
                v = v * 2 - 9 if v > 4 else v * 2
            total += v
        if total % 10 == 0:
            return cand
    raise AssertionError


def card(valid: bool = True) -> str:
    prefix, length = rng.choice(
        [
            ("4", 16),
            ("4", 13),
            ("51", 16),
            ("55", 16),
            ("2221", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 16),
            ("62", 16),
            ("62", 19),
            ("35", 16),
            ("4", 19),
        ]
    )
    number = luhn_complete(prefix, length)
    if not valid:
        number = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    style = rng.random()
    if style < 0.35:
        return number
    sep = rng.choice([" ", "-"])
    if length == 15:
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def password() -> str:
    style = rng.random()
    words = ["sunshine", "dragon", "monkey", "Tiger", "Qwerty", "moon", "Lambo", "Satoshi", "hodl"]
    if style < 0.4:
        return rng.choice(words) + str(rng.randint(1, 9999)) + rng.choice(["", "!", "@", "#", "$"])
    if style < 0.7:
        return alnum(rng.randint(8, 14), string.ascii_letters + string.digits + "!@#$%^&*")
    if style < 0.85:
        return rng.choice(["Abc", "Xyz", "Pass", "Bn", "Ok"]) + str(rng.randint(100000, 99999999))
    return str(rng.randint(100000, 99999999))


def otp_code() -> str:
    n = rng.choice([6, 6, 6, 8])
    code = "".join(str(rng.randint(0, 9)) for _ in range(n))
    if n == 6 and rng.random() < 0.15:
        code = code[:3] + " " + code[3:]
    return code


# --- public values (hard negatives) ----------------------------------------------------------


def address() -> tuple[str, str]:
    chain = rng.choice(
        [
            "btc",
            "p2sh",
            "bech32",
            "taproot",
            "eth",
            "tron",
            "sol",
            "xrp",
            "ltc",
            "ltc1",
            "doge",
            "bch",
            "ada",
            "dot",
            "atom",
            "ton",
            "bnb",
        ]
    )
    if chain == "btc":
        return chain, b58check(b"\x00" + rbytes(20))
    if chain == "p2sh":
        return chain, b58check(b"\x05" + rbytes(20))
    if chain == "bech32":
        return chain, bech32("bc", [0] + to5(rbytes(rng.choice([20, 32]))))
    if chain == "taproot":
        return chain, bech32("bc", [1] + to5(rbytes(32)), m=True)
    if chain == "eth":
        return chain, "0x" + rbytes(20).hex()
    if chain == "tron":
        return chain, b58check(b"\x41" + rbytes(20))
    if chain == "sol":
        return chain, b58encode(rbytes(32))
    if chain == "xrp":
        return chain, b58check(b"\x00" + rbytes(20), XRP_B58)
    if chain == "ltc":
        return chain, b58check(rng.choice([b"\x30", b"\x32"]) + rbytes(20))
    if chain == "ltc1":
        return chain, bech32("ltc", [0] + to5(rbytes(20)))
    if chain == "doge":
        return chain, b58check(b"\x1e" + rbytes(20))
    if chain == "bch":
        return chain, "bitcoincash:q" + "".join(rng.choice(_CHARSET) for _ in range(41))
    if chain == "ada":
        return chain, bech32("addr", to5(rbytes(57)))
    if chain == "dot":
        return chain, b58encode(b"\x00" + rbytes(34))
    if chain == "atom":
        return chain, bech32("cosmos", to5(rbytes(20)))
    if chain == "bnb":
        return chain, bech32("bnb", to5(rbytes(20)))
    import base64

    return chain, rng.choice(["EQ", "UQ"]) + base64.urlsafe_b64encode(rbytes(34)).decode()[:46]


def order_number() -> str:
    return rng.choice(
        [
            str(rng.randint(10**15, 10**19 - 1)),
            "2024" + str(rng.randint(10**11, 10**12 - 1)),
            str(rng.randint(10**7, 10**9)),
            str(rng.randint(100000, 9999999)),
        ]
    )


# --- messages --------------------------------------------------------------------------------

EN_OPEN = [
    "",
    "hi, ",
    "Hello support, ",
    "pls help! ",
    "admin ",
    "urgent: ",
    "hey guys ",
    "Hi team. ",
]
EN_CLOSE = [
    "",
    " please help",
    ", what do I do?",
    " thanks",
    ". is this safe?",
    " can u check",
    " why is my withdrawal stuck",
    "!!",
    " 🙏",
    ".",
]
ZH_OPEN = ["", "你好，", "客服你好，", "急！", "在吗？", "管理员，", "请问", "您好 "]
ZH_CLOSE = [
    "",
    "，请帮我看看",
    "，怎么办",
    "，谢谢",
    "。钱还能找回来吗？",
    "，为什么提现不到账",
    "！！",
    "。",
]


def en(body: str) -> str:
    return rng.choice(EN_OPEN) + body + rng.choice(EN_CLOSE)


def zh(body: str) -> str:
    return rng.choice(ZH_OPEN) + body + rng.choice(ZH_CLOSE)


def seed_text(words: list[str], lang: str) -> str:
    style = rng.choice(
        [
            "space",
            "comma",
            "newline",
            "numbered",
            "numbered_paren",
            "upper",
            "title",
            "ideographic",
            "numbered_inline",
        ]
    )
    if lang != "en" and style in ("upper", "title"):
        style = "space"
    if lang == "en" and style == "ideographic":
        style = "comma"
    if style == "upper":
        return " ".join(w.upper() for w in words)
    if style == "title":
        return " ".join(w.title() for w in words)
    if style == "comma":
        return rng.choice([", ", ",", "，"]).join(words)
    if style == "ideographic":
        return rng.choice(["、", " 、", "，"]).join(words)
    if style == "newline":
        return "\n".join(words)
    if style == "numbered":
        return "\n".join(f"{i + 1}. {w}" for i, w in enumerate(words))
    if style == "numbered_paren":
        return rng.choice(["\n", " "]).join(f"{i + 1}) {w}" for i, w in enumerate(words))
    if style == "numbered_inline":
        return " ".join(f"{i + 1}.{w}" for i, w in enumerate(words))
    return rng.choice([" ", "  ", "\u3000"]).join(words)


def seed_records() -> list[dict]:
    out = []
    for _ in range(240):
        lang = rng.choice(["en", "en", "zh", "tw"])
        n = rng.choice([12, 12, 15, 18, 21, 24, 24])
        phrase = seed_text(bip39(lang, n, valid=rng.random() < 0.75), lang)
        if lang == "en":
            body = rng.choice(
                [
                    "my seed phrase is {p}",
                    "here are my 12 words: {p}",
                    "{p}",
                    "recovery phrase:\n{p}\nwallet empty now",
                    "support asked for my words {p} is it ok",
                    "Seed: {p}",
                    "i typed {p} into the site and coins gone",
                    "Is this right? {p}",
                    "mnemonic = {p}",
                    'my metamask words "{p}"',
                ]
            )
            text = en(body.format(p=phrase))
        else:
            body = rng.choice(
                [
                    "我的助记词是：{p}",
                    "助记词 {p}",
                    "{p}",
                    "助記詞：\n{p}",
                    "这是我的种子 {p} 钱没了",
                    "恢复短语：{p}",
                    "客服让我发助记词 {p}",
                    "我的钱包助记词\n{p}\n请帮我找回",
                ]
            )
            text = zh(body.format(p=phrase))
        out.append({"text": text, "kinds": ["seed_phrase"], "secrets": [phrase]})
    # Unseparated Chinese phrase after a label, with a valid checksum.
    for _ in range(12):
        lang = rng.choice(["zh", "tw"])
        phrase = "".join(bip39(lang, rng.choice([12, 24])))
        text = rng.choice(["助记词：{p}", "我的助记词是{p}，请帮我看看", "種子：{p}"]).format(
            p=phrase
        )
        out.append({"text": text, "kinds": ["seed_phrase"], "secrets": [phrase]})
    return out


def key_records() -> list[dict]:
    out = []
    for _ in range(150):
        r = rng.random()
        if r < 0.3:
            key = wif(compressed=rng.random() < 0.6, testnet=rng.random() < 0.15)
        elif r < 0.5:
            key = xprv(testnet=rng.random() < 0.25)
        else:
            key = hex64()
        if rng.random() < 0.55:
            body = rng.choice(
                [
                    "my private key is {k}",
                    "privkey: {k}",
                    "exported key {k} from metamask",
                    "here is the private key {k} for the wallet",
                    "Private Key = {k}",
                    "{k} is my private key",
                    "I imported this key {k} and funds moved",
                    "wallet key:{k}",
                    "private key ({k})",
                ]
            )
            text = en(body.format(k=key))
        else:
            body = rng.choice(
                [
                    "我的私钥是{k}",
                    "私钥：{k}",
                    "导出的私钥 {k}",
                    "私鑰：{k}",
                    "这是私钥【{k}】",
                    "私钥{k}，请帮我转出来",
                    "小狐狸导出私钥：{k}",
                ]
            )
            text = zh(body.format(k=key))
        out.append({"text": text, "kinds": ["private_key"], "secrets": [key]})
    # A txid earlier in the message does not make a later labelled key public.
    for _ in range(15):
        tx, key = hex64(), hex64()
        text = rng.choice(
            ["txid {t} went to a scam, my private key was {k}", "交易哈希 {t}，私钥 {k}"]
        ).format(t=tx, k=key)
        out.append({"text": text, "kinds": ["private_key"], "secrets": [key]})
    return out


def password_records() -> list[dict]:
    out = []
    for _ in range(150):
        pw = password()
        if rng.random() < 0.55:
            body = rng.choice(
                [
                    "my password is {p}",
                    "pw: {p}",
                    "login password: {p}",
                    "password = {p}",
                    "the password for my account is {p}",
                    "Password:{p}",
                    "pass: {p}",
                    "pwd {p}",
                    'my fund password is "{p}"',
                    "email: bob@mail.com password: {p}",
                    "trading password is {p}",
                    "I changed my password to {p} yesterday",
                    "passcode: {p}",
                    "PW - {p}",
                ]
            )
            text = en(body.format(p=pw))
        else:
            body = rng.choice(
                [
                    "我的密码是{p}",
                    "登录密码：{p}",
                    "资金密码 {p}",
                    "密码：{p}",
                    "交易密码是 {p}",
                    "账号 test@qq.com 密码 {p}",
                    "密碼：{p}",
                    "登录密码是{p}，登不上去",
                    "支付密码为{p}",
                    "密码改成了{p}",
                ]
            )
            text = zh(body.format(p=pw))
        out.append({"text": text, "kinds": ["password"], "secrets": [pw]})
    return out


def otp_records() -> list[dict]:
    out = []
    for _ in range(110):
        code = otp_code()
        if rng.random() < 0.5:
            body = rng.choice(
                [
                    "my 2fa code is {c}",
                    "OTP: {c}",
                    "google authenticator code {c}",
                    "the sms code I got is {c}",
                    "verification code: {c}",
                    "{c} is my 2FA code",
                    "2FA {c}",
                    "here's the code {c}",
                    "email code {c} and UID 88123456",
                    "Authenticator: {c}",
                    "order 12345678 stuck, my 2fa code {c}",
                ]
            )
            text = en(body.format(c=code))
        else:
            body = rng.choice(
                [
                    "验证码{c}",
                    "谷歌验证码：{c}",
                    "短信验证码是 {c}",
                    "我的验证码 {c}",
                    "动态码：{c}",
                    "工单号 20240511 谷歌验证 {c}",
                    "驗證碼：{c}",
                    "邮箱验证码{c}，UID 30012345",
                ]
            )
            text = zh(body.format(c=code))
        out.append({"text": text, "kinds": ["otp"], "secrets": [code]})
    for _ in range(35):
        secret = base32_secret()
        text = rng.choice(
            [
                "my 2fa backup key is {s}",
                "Google Authenticator setup key: {s}",
                "备份密钥：{s}",
                "谷歌验证器密钥 {s}",
                "2FA secret {s}, I lost my phone",
                "backup code: {s}",
                "16位密钥是{s}",
            ]
        ).format(s=secret)
        out.append({"text": text, "kinds": ["otp"], "secrets": [secret]})
    for _ in range(25):
        secret = base32_secret(groups=False).upper().replace(" ", "")
        issuer = rng.choice(["Binance", "OKX", "Bybit", "KuCoin"])
        uri = f"otpauth://totp/{issuer}:user{rng.randint(1, 999)}?secret={secret}&issuer={issuer}"
        text = rng.choice(["scanned {u} is that ok", "{u}", "这是二维码链接 {u}"]).format(u=uri)
        out.append({"text": text, "kinds": ["otp"], "secrets": [uri, secret]})
    return out


def api_records() -> list[dict]:
    out = []
    for _ in range(120):
        key, secret = api_key_pair()
        r = rng.random()
        if r < 0.35:
            text = rng.choice(
                [
                    "API key: {k}\nSecret: {s}",
                    "api key {k} secret key {s}",
                    "my API key is {k} and the secret is {s}",
                    "apiKey={k} apiSecret={s}",
                    "API Key：{k}，Secret Key：{s}",
                    "API密钥 {k} 私钥 {s}",
                ]
            ).format(k=key, s=secret)
            out.append({"text": text, "kinds": ["api_key"], "secrets": [key, secret]})
        elif r < 0.7:
            text = en(
                rng.choice(
                    [
                        "my api key is {k}",
                        "API secret: {s}",
                        "bot needs api_key={k}",
                        "Here is the secret key {s} for the trading bot",
                        "access key {k}",
                    ]
                ).format(k=key, s=secret)
            )
            secret_used = key if "{k}" in text or key in text else secret
            secret_used = key if key in text else secret
            out.append({"text": text, "kinds": ["api_key"], "secrets": [secret_used]})
        else:
            text = zh(
                rng.choice(
                    ["我的API密钥是{k}", "密钥：{s}", "api key：{k}", "秘钥 {s}", "API私钥：{s}"]
                ).format(k=key, s=secret)
            )
            secret_used = key if key in text else secret
            out.append({"text": text, "kinds": ["api_key"], "secrets": [secret_used]})
    return out


def card_records() -> list[dict]:
    out = []
    for _ in range(130):
        number = card()
        if rng.random() < 0.55:
            body = rng.choice(
                [
                    "my card number is {n}",
                    "card: {n}",
                    "{n}",
                    "Visa {n} was charged twice",
                    "deposit with card {n} failed",
                    "card {n} exp 09/27",
                    "CC {n}",
                    "debit card number {n}",
                ]
            )
            text = en(body.format(n=number))
        else:
            body = rng.choice(
                [
                    "卡号{n}",
                    "我的银行卡号是 {n}",
                    "信用卡：{n}",
                    "用这张卡{n}充值失败",
                    "{n} 这张卡被扣款了",
                ]
            )
            text = zh(body.format(n=number))
        out.append({"text": text, "kinds": ["card_number"], "secrets": [number]})
    return out


def multi_records() -> list[dict]:
    out = []
    for _ in range(40):
        pw, code, number = password(), otp_code(), card()
        choice = rng.random()
        if choice < 0.4:
            text = rng.choice(
                [
                    "my password is {p} and the 2fa code is {c}",
                    "密码：{p} 验证码：{c}",
                    "pw {p}, otp {c}",
                ]
            ).format(p=pw, c=code)
            out.append({"text": text, "kinds": ["password", "otp"], "secrets": [pw, code]})
        elif choice < 0.7:
            words = " ".join(bip39("en", 12))
            text = f"seed: {words}\npassword: {pw}"
            out.append({"text": text, "kinds": ["seed_phrase", "password"], "secrets": [words, pw]})
        else:
            key = hex64(False)
            text = f"card {number}, private key {key}"
            out.append(
                {"text": text, "kinds": ["private_key", "card_number"], "secrets": [number, key]}
            )
    return out


# --- hard negatives ----------------------------------------------------------------------------

HAND_NEGATIVES = [
    "I forgot my password, how do I reset it?",
    "my password is not working",
    "password is wrong again, account locked",
    "What is the password policy? how many characters?",
    "my 2fa code is not working, I changed phone",
    "2FA code expired before I could type it",
    "how do I reset Google Authenticator?",
    "Where do I find my API key settings?",
    "API key permission for withdrawals is disabled, why?",
    "is it safe to share my seed phrase with support?",
    "support will never ask for your seed phrase or private key",
    "Never share your 12 words with anyone!",
    "What is a private key?",
    "how do I export my private key from metamask?",
    "Can I pay with my credit card?",
    "my card ending 4242 was declined",
    "I want to verify my account please help, the code never arrives",
    "please help me find the right wallet address for the deposit",
    "I have a question about the fee for this trade",
    "my order has been pending for two days",
    "The withdrawal says processing since 2024-05-11 10:32:05",
    "I deposited 1500 USDT yesterday but balance shows 0",
    "我忘记密码了，怎么重置？",
    "密码错误次数太多，账号被锁了",
    "谷歌验证码一直显示错误怎么办",
    "验证码收不到，已经等了十分钟",
    "助记词丢了还能找回钱包吗？",
    "客服会不会问我要助记词？",
    "我的充值还没到账，请帮我看看是什么原因",
    "提现一直在审核中，已经两天了",
    "怎么绑定银行卡？支持哪些银行",
    "请问API密钥在哪里创建",
    "为什么我的订单被取消了",
    "我想问一下手续费是多少",
    "请问怎么开通合约交易",
    "我在哪里可以找到我的钱包助记词",
    "私钥和助记词有什么区别？",
    "昨天买的币今天还没到账，交易所说要等区块确认",
    "这个活动的奖励什么时候发放",
    "理财产品到期后本金会自动返还吗",
    "account frozen after login from new device, uid 12345678",
    "you need to enable 2FA before withdrawing 100000 USDT",
    "my 2FA was reset on 20240511, ticket 45678912",
    "please check order 4111111111111111",
    "UID 83746512 verification pending, I sent the code request twice",
    "The code 403 appears when I withdraw",
    "error code 100001 when placing order",
    "I got error -2015 Invalid API-key, IP, or permissions for action",
    "which is better, a hardware wallet or paper backup of the seed?",
    "they say the wheel of fortune game gives a free gift to every early user",
    "please help me understand why the system rejects my order and what I can do about it",
    "abandon all hope and ability to trade, the market is absurd, access denied",
    "verify account please help wallet seed phrase order cancel now",
    "the quick brown fox jumps over the lazy dog near the river bank at noon today",
    "My withdrawal txid is 7f9d3c2b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3e2d1c0b9a8f7e6d5c4b",
    "https://tronscan.org/#/transaction/7f9d3c2b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3e2d1c0b9a8f7e6d5c4b",
    "https://mempool.space/tx/7f9d3c2b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3e2d1c0b9a8f7e6d5c4b",
    "0x7f9d3c2b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3e2d1c0b9a8f7e6d5c4b",
    "I lost my private key, tx hash "
    "0x7f9d3c2b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3e2d1c0b9a8f7e6d5c4b",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 is my BTC address",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8 USDT TRC20",
    "rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh memo 123456",
    "addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x",
    "cosmos1hsk6jryyqjfhp5dhc55tc9jtckygx0eph6dd02",
    "EQDtFpEwcFAEcRe5mLVh2N6C0x-_hJEM7W61_JLnSF74p4q2",
    "LQ3B2qmbL9KvVb3Z2Q2h9bx1y6jK9dZ8tE ltc address",
    "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
    "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT6 (DOT)",
    "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV sol",
    "order id 202405110000123456 failed",
    "订单号：202405110000123456",
    "工单号 12345678，问题是谷歌验证码收不到",
    "my UID is 384756921 and 2FA won't work",
    "I withdrew 250000 USDT on 2024-05-11",
    "price 64250.55 now",
    "please verify my account, abandon this ticket if it is solved",
    "i will never share my password or 2fa code with anyone",
    "what is my password? I forgot",
    "the password field is empty",
    "I reset my password yesterday and now 2FA asks for a code",
    "验证码发送失败，请稍后再试",
    "密码修改后24小时内不能提现吗",
    "谷歌验证器换手机了怎么迁移",
    "我的API key被删除了，怎么重新创建",
    "how long does card verification take? 3-5 business days?",
    "phone +1 415 555 2671",
    "call 400-820-1234",
    "version 2.13.0 build 20240511",
    "The quick brown fox jumps over the lazy dog, then wrap the gift and ship the box",
    "助记词一定要抄在纸上，放在安全的地方，不要截图也不要发给任何人",
    "请问提现到账时间一般是多久？我昨天下午提的，现在还没到",
    "my referral code is 123456",
    "邀请码 668899",
    "error code 100013",
    "password: ********",
    "忘记资金密码，UID 12345678",
    "2FA blocked my withdrawal of 150000 USDT",
    "I withdrew 150000 yesterday and now 2fa asks again",
    "my 2fa was disabled after I deposited 500000 sats",
    "Google authenticator not working since update 2.3.1",
    "I got a code but it says expired, order 98765432",
    "My password must contain 8 characters, 1 number, 1 symbol?",
    "Please reset my 2FA. My UID: 123456789",
    "can I change password to something stronger?",
    "The API key I created yesterday stopped working (error -2015)",
    "I'm asking about the API rate limits, 1200 requests per minute",
    "Does the card 4242 work for deposits?",
    "my bank account number 12345678901234 for the wire",
    "Reference: 4532015112830366",
    "Invoice 4532015112830366 unpaid",
    "The secret to success is patience",
    "My key question is about fees",
    "key point: withdrawals take 24h",
    "the hash function sha256 gives 64 chars",
    "API文档在哪里？密钥权限怎么设置",
    "谷歌验证码错误，已经试了 5 次，订单号 20240511123456",
    "验证码在哪里看？短信一直收不到，手机号 13800138000",
    "我的UID是 77889900，请帮我重置谷歌验证",
    "请问私钥导出在哪里？",
    "密码设置要求：8-20位，包含字母和数字",
    "交易密码忘了怎么办",
    "提现 100000 USDT 需要谷歌验证吗",
    "充值 200000 到账了吗？验证码没收到",
    "my secret sauce: 1000000 steps a day",
    "promo code SUMMER2024 not working",
    "I used referral code 4X9KQ2 during signup",
]

NEG_TEMPLATES_EN = [
    "txid {h}",
    "TX hash: {h} still unconfirmed",
    "transaction {h} not credited",
    "withdrawal hash {h}",
    "here is the hash {h} please check",
    "https://etherscan.io/tx/{h}",
    "see https://bscscan.com/tx/{h} for details",
    "deposit to {a} not showing",
    "my deposit address is {a}",
    "I sent to {a} yesterday",
    "is {a} your official address?",
    "{a}",
    "address {a} memo 104857",
    "order {o} not filled",
    "order number {o}",
    "UID {o} needs KYC review",
    "ticket #{o}",
    "withdrawal of 2,345.67 USDT on 2024-03-08 stuck",
    "I got 0.00456789 BTC instead of 0.005",
]
NEG_TEMPLATES_ZH = [
    "交易哈希 {h} 一直没到账",
    "TXID：{h}",
    "交易ID {h}，请查一下",
    "区块浏览器显示 https://tronscan.org/#/transaction/{h}",
    "充值地址 {a} 对吗？",
    "我提到了 {a} 这个地址",
    "地址：{a}",
    "订单号 {o} 还没处理",
    "工单号：{o}",
    "UID：{o} 实名认证失败",
    "订单{o}被取消了，验证码也收不到",
    "提现 12,000 USDT 到现在没到账，订单号 {o}",
    "我的UID是{o}，谷歌验证丢了怎么办",
]


def negative_records() -> list[dict]:
    out = [{"text": t, "kinds": [], "secrets": []} for t in HAND_NEGATIVES]
    for _ in range(420):
        template = rng.choice(NEG_TEMPLATES_EN + NEG_TEMPLATES_ZH)
        h = rng.choice([hex64(), rbytes(32).hex()])
        if "/tx/" in template or "transaction/" in template:
            h = h if h.startswith("0x") or "tronscan" in template else "0x" + h.removeprefix("0x")
        text = template.format(h=h, a=address()[1], o=order_number())
        out.append({"text": text, "kinds": [], "secrets": []})
    # Luhn-invalid card-like numbers and short runs of BIP39 words.
    for _ in range(60):
        out.append(
            {"text": en("card " + card(valid=False) + " declined"), "kinds": [], "secrets": []}
        )
    for _ in range(60):
        words = [rng.choice(WORDLISTS["en"]) for _ in range(rng.randint(3, 9))]
        out.append(
            {
                "text": "I think " + " ".join(words) + " is the problem here",
                "kinds": [],
                "secrets": [],
            }
        )
    return out


# Hand-written messages in the forms users really type (kinds, text, secrets).
HAND_POSITIVES = [
    (
        ["seed_phrase"],
        "助记词致 雪 纖 情 實 蝕 憑 沸 蒼 慮 抬 賢",
        ["致 雪 纖 情 實 蝕 憑 沸 蒼 慮 抬 賢"],
    ),
    (
        ["seed_phrase"],
        "1-palm 2-assume 3-finger 4-number 5-audit 6-type 7-walk 8-talk 9-mandate 10-dirt "
        "11-target 12-million",
        ["palm 2-assume 3-finger 4-number 5-audit 6-type 7-walk 8-talk 9-mandate 10-dirt"],
    ),
    (
        ["seed_phrase"],
        "['legal', 'winner', 'thank', 'year', 'wave', 'sausage', 'worth', 'useful', 'legal', "
        "'winner', 'thank', 'yellow']",
        ["legal', 'winner', 'thank', 'year', 'wave', 'sausage', 'worth', 'useful"],
    ),
    (
        ["seed_phrase"],
        "helper said type your phrase: Legal Winner Thank Year Wave Sausage Worth Useful Legal "
        "Winner Thank Yellow then click sync",
        ["Legal Winner Thank Year Wave Sausage Worth Useful Legal Winner Thank Yellow"],
    ),
    (
        ["seed_phrase"],
        "lega winn than year wave saus wort usef lega winn than yell",
        ["lega winn than year wave saus wort usef lega winn than yell"],
    ),
    (
        ["private_key"],
        "私钥 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
        ["5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"],
    ),
    (
        ["private_key"],
        "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn",
        ["KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"],
    ),
    (
        ["private_key"],
        "privateKey: '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'",
        ["4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"],
    ),
    (
        ["private_key"],
        "here's my key 4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318 can u help",
        ["4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"],
    ),
    (["password"], "my pass is Binance2024", ["Binance2024"]),
    (["password"], "my password is: 12345678", ["12345678"]),
    (["password"], "密码：woaini1314", ["woaini1314"]),
    (["password"], "资金密码 888888", ["888888"]),
    (["password"], "email a@b.com pass Summer2023!", ["Summer2023"]),
    (["password"], "用户名 zhang 密碼 Zz778899", ["Zz778899"]),
    (["otp"], "code: 842913", ["842913"]),
    (["otp"], "google code 123 456", ["123 456"]),
    (["otp"], "2FA: 0 4 8 1 2 3", ["0 4 8 1 2 3"]),
    (["otp"], "My authenticator shows 309112 but it fails", ["309112"]),
    (["otp"], "谷歌验证码 776655 ，订单号 8823344556", ["776655"]),
    (
        ["api_key"],
        "api secret = 0f8a9e7b6c5d4e3f2a1b0c9d8e7f6a5b",
        ["0f8a9e7b6c5d4e3f2a1b0c9d8e7f6a5b"],
    ),
    (
        ["api_key"],
        "我的API Key是 mC3h7F2kLpQ9rT8sV1wX6yZ0aB4dE5gH，Secret是 Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6Za8Bc0De",
        ["mC3h7F2kLpQ9rT8sV1wX6yZ0aB4dE5gH", "Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6Za8Bc0De"],
    ),
    (
        ["password", "api_key"],
        "OKX api key 5b2c8f1e-9d3a-4c7b-8e6f-1a2b3c4d5e6f passphrase Trading#2024",
        ["5b2c8f1e-9d3a-4c7b-8e6f-1a2b3c4d5e6f", "Trading#2024"],
    ),
    (["card_number"], "Visa:4012888888881881 exp 11/26", ["4012888888881881"]),
    (
        ["card_number"],
        "信用卡４１１１１１１１１１１１１１１１",
        ["４１１１１１１１１１１１１１１１"],
    ),
    (["card_number"], "my card 4111-1111-1111-1111, cvv 737", ["4111-1111-1111-1111", "737"]),
]


def hand_records() -> list[dict]:
    return [{"text": t, "kinds": k, "secrets": s} for k, t, s in HAND_POSITIVES]


def main() -> None:
    records = (
        seed_records()
        + key_records()
        + password_records()
        + otp_records()
        + api_records()
        + card_records()
        + multi_records()
        + hand_records()
        + negative_records()
    )
    with OUT.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


if __name__ == "__main__":
    main()
