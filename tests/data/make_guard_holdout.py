"""Generate the held-out guard set (tests/data/guard_holdout.jsonl).

Written from the spec (issue 3) and the notes on secret formats only, without reading the
guard's code or its own labelled set, so that it measures the guard rather than mirrors it.

Each line: {"text": ..., "kinds": [...], "secrets": [...]}. ``kinds`` is empty for negatives.
``secrets`` are substrings that must not survive in the redacted text. For a seed phrase they are
the runs of three consecutive words as written (so leaking any three adjacent words fails); for a
card, the number as written and the number without its last four digits.

Run: python tests/data/make_guard_holdout.py   (deterministic, seeded)

Figures of the guard BEFORE any fix prompted by this set (1,310 messages: 807 positive, 503
negative): recall 762/807 = 0.944 overall (a secret survived in 43 positives); per kind
api_key 0.926, card_number 1.000, otp 0.935, password 0.906, private_key 1.000,
seed_phrase 0.941; false positives 1/503 = 0.20%.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from pathlib import Path

from mnemonic import Mnemonic

SEED = 20240611
OUT = Path(__file__).with_name("guard_holdout.jsonl")

rng = random.Random(SEED)
EN = Mnemonic("english")
ZHS = Mnemonic("chinese_simplified")
ZHT = Mnemonic("chinese_traditional")

# --------------------------------------------------------------------------- encodings

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B58_XRP = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"


def b58encode(data: bytes, alphabet: str = B58) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return alphabet[0] * pad + out


def b58check(payload: bytes, alphabet: str = B58) -> str:
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return b58encode(payload + chk, alphabet)


def rbytes(n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _convertbits(data, frm, to):
    acc = bits = 0
    out = []
    for v in data:
        acc = (acc << frm) | v
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & ((1 << to) - 1))
    if bits:
        out.append((acc << (to - bits)) & ((1 << to) - 1))
    return out


def bech32(hrp: str, witver: int | None, prog: bytes, m: bool = False) -> str:
    data = ([witver] if witver is not None else []) + _convertbits(prog, 8, 5)
    const = 0x2BC830A3 if m else 1
    hrpx = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(hrpx + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data + chk)


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def hex64(upper: bool = False) -> str:
    h = f"{rng.getrandbits(256):064x}"
    return h.upper() if upper else h


def alnum(n: int, chars: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(chars) for _ in range(n))


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num: str) -> bool:
    return luhn_digit(num[:-1]) == num[-1]


# --------------------------------------------------------------------------- secrets


def wif(compressed: bool) -> str:
    key = rbytes(32)
    return b58check(b"\x80" + key + (b"\x01" if compressed else b""))


def xprv(testnet: bool = False) -> str:
    version = bytes.fromhex("04358394" if testnet else "0488ade4")
    depth = bytes([rng.choice([0, 1, 3])])
    body = version + depth + rbytes(4) + rbytes(4) + rbytes(32) + b"\0" + rbytes(32)
    return b58check(body)


def phrase_words(n: int, lang: Mnemonic = EN, valid: bool = True) -> list[str]:
    ent = rbytes(n * 4 // 3)
    words = lang.to_mnemonic(ent).split(lang.delimiter if lang is EN else " ")
    words = [w for w in words if w]
    if not valid:
        while lang.check(" ".join(words)):
            words[-1] = rng.choice(lang.wordlist)
    return words


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔"


def layout(words: list[str], style: str) -> tuple[str, list[tuple[int, int]]]:
    """Join words in a chat style; return the text and each word's span."""
    parts: list[str] = []
    spans = []
    pos = 0

    def put(s: str, is_word: bool = False):
        nonlocal pos
        if is_word:
            spans.append((pos, pos + len(s)))
        parts.append(s)
        pos += len(s)

    for i, w in enumerate(words, 1):
        if style in {
            " ",
            "  ",
            ", ",
            ",",
            "，",
            "、",
            "\n",
            "\u3000",
            " , ",
            " - ",
            " / ",
            " | ",
            "; ",
            "\t",
            ".",
            "；",
        }:
            if i > 1:
                put(style)
            put(w, True)
        elif style == "json":  # ["word", "word"]
            put('["' if i == 1 else '", "')
            put(w, True)
            if i == len(words):
                put('"]')
        elif style == "num ":  # 1 word 2 word
            put((" " if i > 1 else "") + f"{i} ")
            put(w, True)
        elif style == "#num":
            put(("\n" if i > 1 else "") + f"#{i} ")
            put(w, True)
        elif style == "num.":  # 1. word (one a line)
            put(("\n" if i > 1 else "") + f"{i}. ")
            put(w, True)
        elif style == "num)":
            put(("\n" if i > 1 else "") + f"{i}) ")
            put(w, True)
        elif style == "(num)":
            put(("\n" if i > 1 else "") + f"({i}) ")
            put(w, True)
        elif style == "num-":
            put(("\n" if i > 1 else "") + f"{i}- ")
            put(w, True)
        elif style == "num:":
            put(("\n" if i > 1 else "") + f"{i}:")
            put(w, True)
        elif style == "circled":
            put((" " if i > 1 else "") + CIRCLED[i - 1])
            put(w, True)
        elif style == "inline.":  # 1.word 2.word, four a line
            put(("\n" if i > 1 and i % 4 == 1 else " " if i > 1 else "") + f"{i}.")
            put(w, True)
        elif style == "inline、":
            put((" " if i > 1 else "") + f"{i}、")
            put(w, True)
        elif style == "inline)":
            put((" " if i > 1 else "") + f"{i})")
            put(w, True)
        else:
            raise ValueError(style)
    return "".join(parts), spans


def trigram_secrets(offset: int, phrase: str, spans) -> list[str]:
    out = []
    for i in range(len(spans) - 2):
        out.append(phrase[spans[i][0] : spans[i + 2][1]])
    return out


def password() -> str:
    kind = rng.random()
    words = [
        "dragon",
        "Sunshine",
        "monkey",
        "Tiger",
        "lucky",
        "wang",
        "zhang",
        "li",
        "Chen",
        "btc",
        "moon",
        "Alice",
        "qq",
        "happy",
        "Summer",
        "love",
        "Crypto",
        "jiayou",
    ]
    if kind < 0.45:
        pw = rng.choice(words) + str(rng.randint(10, 99999)) + rng.choice(["", "!", "@", "#", "."])
        if rng.random() < 0.5:
            pw = pw[0].upper() + pw[1:]
    elif kind < 0.6:
        pw = rng.choice(["Aa", "Qq", "Zz", "Ww"]) + str(rng.randint(100000, 99999999))
    elif kind < 0.8:
        pw = alnum(rng.randint(8, 14), "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
        pw += rng.choice(["!", "$", "%", "&", "*", "?", ""])
    else:
        pw = "".join(
            rng.choice(["P@ss", "w0rd", "Secr3t", "Str0ng", "_", "2024", "Xx", "!!"])
            for _ in range(3)
        )
    return pw


def digits(n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def card(kind: str) -> str:
    prefix, length = {
        "visa": ("4" + digits(5), 16),
        "visa13": ("4" + digits(5), 13),
        "mc": (str(rng.randint(51, 55)) + digits(4), 16),
        "amex": (rng.choice(["34", "37"]) + digits(4), 15),
        "unionpay": ("62" + rng.choice(["2202", "1483", "2848", "1700", "5880"]), 16),
        "unionpay19": ("62" + rng.choice(["1226", "1700", "2848"]), 19),
        "jcb": ("35" + str(rng.randint(28, 89)) + digits(2), 16),
        "discover": ("6011" + digits(2), 16),
        "maestro18": ("6759" + digits(2), 18),
        "diners14": ("36" + digits(4), 14),
    }[kind]
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    return body + luhn_digit(body)


def fmt_card(num: str, style: str) -> str:
    if style == "plain":
        return num
    sep = " " if style == "space" else "-"
    if len(num) == 15:
        groups = [num[:4], num[4:10], num[10:]]
    elif len(num) == 14:
        groups = [num[:4], num[4:10], num[10:]]
    else:
        groups = [num[i : i + 4] for i in range(0, len(num), 4)]
    return sep.join(groups)


def b32(n: int = 16) -> str:
    return base64.b32encode(rbytes(n * 5 // 8)).decode()[:n]


def group4(s: str, sep: str = " ") -> str:
    return sep.join(s[i : i + 4] for i in range(0, len(s), 4))


# --------------------------------------------------------------------------- records

records: list[dict] = []


def add(text: str, kinds: list[str], secrets: list[str]) -> None:
    for s in secrets:
        assert s in text, (s, text)
    records.append({"text": text, "kinds": sorted(set(kinds)), "secrets": secrets})


def neg(text: str) -> None:
    records.append({"text": text, "kinds": [], "secrets": []})


def fill(template: str, token: str, value: str) -> tuple[str, int]:
    i = template.index(token)
    return template[:i] + value + template[i + len(token) :], i


# ---- seed phrases -----------------------------------------------------------

SEED_EN_T = [
    "my seed phrase is {p} please help",
    "{p}",
    "Here is my recovery phrase: {p}",
    "wallet got drained?? my {n} words are {p} what happened",
    "助记词：{p}",
    "我的助记词是{p}，钱包里的币不见了",
    "恢复短语如下\n{p}\n请帮我找回资产",
    "is this seed valid? {p}",
    'I wrote down "{p}" but metamask says invalid',
    "support asked for my mnemonic so here: {p}",
    "> {p}",
    "imported {p} into trust wallet and balance is 0 😭",
    "my secret recovery phrase - {p} - can u check",
    "助記詞是 {p} 請幫忙看看",
    "seed:\n{p}\nthx",
    "pls hlep, seed pharse {p}",
    "Metamask 恢复词 {p} 导入失败",
    "{p} <- this is my backup, is it safe?",
    "hi admin 🙏 my wallet words: {p}. why cant i restore?",
    "Ledger 24词：{p}",
    "the {n} words from my paper backup\n\n{p}\n\nstill shows empty balance",
    "Trust Wallet说助记词无效（{p}）怎么办",
    "why my phrase not work?? {p} ?? I typed it 3 times",
    "“{p}” 这是我的助记词，是不是被盗了",
    "restore phrase={p}",
    "```\n{p}\n```\nthis is what I saved",
    "Mnemonic ({n} words): {p}",
    "OK so the words are {p} and the passphrase is empty",
    "恢复助记词 -> {p}",
]
SEED_ZH_T = [
    "我的助记词是：{p}",
    "{p}",
    "助记词\n{p}\n导入后余额为0，求助",
    "这是我的钱包恢复短语：{p}。请帮我看看",
    "老师好，我的助记词 {p} 为什么导入不了？",
    "imToken 助记词（{p}）是否正确",
    "seed phrase (chinese): {p}",
    "备份的{n}个词：{p}，麻烦看看",
    "「{p}」 这样写对吗",
    "{p}\n以上是我的助记词🙏",
]
SEED_ZHT_T = [
    "我的助記詞是：{p}",
    "{p}",
    "助記詞如下\n{p}\n匯入後餘額為0，請幫忙",
    "這是我的錢包恢復短語：{p}。請幫我看看",
    "請問助記詞 {p} 為什麼無法匯入？",
    "{p}\n以上是我的助記詞，謝謝",
]
EN_STYLES = [
    " ",
    " ",
    " ",
    "  ",
    ", ",
    ",",
    "，",
    "、",
    "\n",
    " - ",
    "num.",
    "num)",
    "(num)",
    "num-",
    "num:",
    "circled",
    "inline.",
    "inline、",
    "inline)",
    " / ",
    " | ",
    "; ",
    "\t",
    "json",
    "num ",
    "#num",
]
ZH_STYLES = [
    " ",
    " ",
    "、",
    "，",
    ",",
    "\n",
    "\u3000",
    " , ",
    "num.",
    "num)",
    "circled",
    "inline.",
    "inline、",
    " / ",
    "；",
    "json",
    "num ",
]


def add_seed(template: str, words: list[str], style: str) -> None:
    phrase, spans = layout(words, style)
    text = template.replace("{n}", str(len(words)))
    text, off = fill(text, "{p}", phrase)
    add(text, ["seed_phrase"], trigram_secrets(off, phrase, spans))


for i in range(140):
    n = rng.choice([12, 12, 12, 15, 18, 21, 24, 24])
    words = phrase_words(n, EN, valid=rng.random() > 0.15)
    case = rng.random()
    if case < 0.12:
        words = [w.upper() for w in words]
    elif case < 0.18:
        words = [w.capitalize() for w in words]
    elif case < 0.22:
        words = [words[0].capitalize()] + words[1:]
    add_seed(SEED_EN_T[i % len(SEED_EN_T)], words, rng.choice(EN_STYLES))

for i in range(40):
    n = rng.choice([12, 12, 15, 18, 24])
    words = phrase_words(n, ZHS, valid=rng.random() > 0.15)
    add_seed(SEED_ZH_T[i % len(SEED_ZH_T)], words, rng.choice(ZH_STYLES))

for i in range(22):
    n = rng.choice([12, 12, 18, 24])
    words = phrase_words(n, ZHT, valid=rng.random() > 0.15)
    add_seed(SEED_ZHT_T[i % len(SEED_ZHT_T)], words, rng.choice(ZH_STYLES))

# English phrases written with four-letter abbreviations (unique prefixes, used on steel plates)
for t in ["my steel backup says {p}", "助记词缩写 {p}", "{p} (first 4 letters of each word)"]:
    words = [w[:4] for w in phrase_words(12, EN)]
    add_seed(t, words, " ")

# ---- private keys ------------------------------------------------------------

WIF_T = [
    "my private key {k}",
    "私钥：{k}",
    "WIF: {k}",
    "exported from electrum: {k}",
    "{k}",
    "paper wallet key {k} how to sweep it?",
    "導出的私鑰 {k}",
    "import this key {k} to where?",
    "私钥{k}谢谢",
    "key=`{k}`",
    "here is my btc privkey\n{k}\nplease recover my coins",
    "老的比特币钱包私钥是{k}，能找回吗？",
    "is {k} a valid key? found it on an old usb",
    "私鑰：{k}（舊錢包）",
    "bitaddress gave me {k} 🙂",
]
for i in range(34):
    k = wif(compressed=i % 3 != 0)
    text, _ = fill(WIF_T[i % len(WIF_T)], "{k}", k)
    add(text, ["private_key"], [k])

XPRV_T = [
    "xprv: {k}",
    "my master private key is {k}",
    "{k}",
    "扩展私钥 {k}",
    "electrum wallet_info shows {k} is that safe to share",
    "tprv for testnet faucet bot: {k}",
    "主私钥：{k}，请检查",
    "extended key below\n{k}",
    "帳戶擴展私鑰{k}",
]
for i in range(25):
    k = xprv(testnet=i % 4 == 3)
    text, _ = fill(XPRV_T[i % len(XPRV_T)], "{k}", k)
    add(text, ["private_key"], [k])

HEX_T = [
    "private key: {k}",
    "私钥 {k}",
    "my privkey is {k}",
    "exported the private key from metamask: {k}",
    "私钥是{k}",
    "導出私鑰：{k}",
    "PRIVATE KEY={k}",
    "here's my wallet's private key\n{k}\ncan you check",
    "私钥：\n`{k}`",
    "MetaMask导出的私钥 {k} 导入 OKX 钱包后看不到资产",
    "priv key {k} pls move my funds",
    "钱包私钥{k}谢谢",
    "Private Key（{k}）",
    "eth private key - {k}",
    "I exported the key: {k}",
]
for i in range(40):
    k = hex64(upper=i % 5 == 4)
    if i % 2 == 0:
        k = "0x" + k
    text, _ = fill(HEX_T[i % len(HEX_T)], "{k}", k)
    add(text, ["private_key"], [k])

# a txid earlier in the message, a key label right before the second hex: key wins
for t in [
    "txid {a} didn't arrive, and here is my private key {b} so you can check",
    "交易哈希：{a}\n私钥：{b}",
    "tx hash is {a}; the wallet's private key: {b}",
    "hash {a} 显示成功但没到账。私钥{b}",
    "TXID: {a}\nprivkey: {b}",
    "transaction {a} stuck. exported key {b}",
]:
    a, b = hex64(), "0x" * rng.randint(0, 1) + hex64()
    text = t.replace("{a}", a).replace("{b}", b)
    add(text, ["private_key"], [b])

# ---- passwords -----------------------------------------------------------------

PW_EN_T = [
    "my password is {w}",
    "password: {w}",
    "pwd: {w}",
    "pass = {w}",
    "pw: {w} can u login and check",
    "login alice.w@gmail.com / password {w}",
    "my pass is {w}",
    "passwd={w}",
    "the password I set was {w} but it says wrong",
    "Password：{w}",
    "my password is “{w}”",
    "email bob88@qq.com pwd {w}",
    "I changed my password to {w} yesterday and now locked",
    "new password: {w}",
    "account: trader_jack\npassword: {w}\nplease fix",
    "Password is {w} 🙏",
    "if you need it my password is {w}, just unlock me",
    "my login password is '{w}'",
    "pls check, pass: {w}",
    "密码 password: {w}",
]
PW_ZH_T = [
    "密码是{w}",
    "登录密码：{w}",
    "资金密码 {w}",
    "交易密码：{w}",
    "我的密码是 {w}，登不上去",
    "账号：user8832 密码：{w}",
    "密碼是{w}",
    "登入密碼：{w}",
    "资金密码是{w}帮我提币",
    "密码：{w}（刚改的）",
    "支付密码 {w}",
    "交易密碼 {w}",
    "登录密码是{w}，谷歌验证丢了",
    "我把密码改成了{w}还是不行",
    "邮箱 abc@163.com，密码{w}，帮我看下",
]
for i in range(100):
    zh = i % 2 == 1
    t = (PW_ZH_T if zh else PW_EN_T)[(i // 2) % (len(PW_ZH_T) if zh else len(PW_EN_T))]
    w = (
        digits(6)
        if ("资金" in t or "交易" in t or "支付" in t) and rng.random() < 0.6
        else password()
    )
    text, _ = fill(t, "{w}", w)
    add(text, ["password"], [w])

# ---- one-time codes, otpauth URIs, backup keys --------------------------------------

OTP_EN_T = [
    "2FA code {c}",
    "my 2fa is {c}",
    "OTP is {c}",
    "the code is {c} hurry",
    "google authenticator code: {c}",
    "GA code {c}",
    "here's the verification code {c}",
    "sms code: {c}",
    "email verification code {c} pls",
    "authenticator shows {c} right now",
    "code {c} expires in 30s, quick",
    "2FA: {c}",
    "you asked for the otp: {c}",
    "Verification code – {c}",
    "ok the 2fa code is {c} now log in and fix it",
]
OTP_ZH_T = [
    "验证码：{c}",
    "谷歌验证码 {c}",
    "短信验证码是{c}",
    "邮箱验证码{c}",
    "动态码：{c}",
    "谷歌验证 {c}",
    "驗證碼：{c}",
    "验证码是{c}，快帮我",
    "手机验证码 {c}",
    "谷歌验证器显示 {c}",
    "二次验证码{c}给你",
    "谷歌驗證碼 {c}",
    "客服你要的验证码：{c}",
]
for i in range(70):
    zh = i % 2 == 1
    tl = OTP_ZH_T if zh else OTP_EN_T
    t = tl[(i // 2) % len(tl)]
    r = rng.random()
    if r < 0.65:
        c = digits(6)
    elif r < 0.8:
        d = digits(6)
        c = d[:3] + " " + d[3:]
    elif r < 0.9:
        c = digits(8)
    else:
        d = digits(6)
        c = d[:3] + "-" + d[3:]
    text, _ = fill(t, "{c}", c)
    add(text, ["otp"], [c])

ISSUERS = ["Binance", "OKX", "Bitfinex", "Kraken", "Bybit", "Gate.io", "KuCoin", "HTX"]
OTPAUTH_T = [
    "the QR decodes to {u}",
    "2FA URI: {u}",
    "扫码得到 {u}",
    "{u}",
    "谷歌验证器二维码内容：{u}",
    "backup of my authenticator: {u} in case I lose my phone",
]
for i in range(18):
    sec = b32(rng.choice([16, 32]))
    iss = rng.choice(ISSUERS)
    acct = rng.choice(["alice%40gmail.com", "trader77", "user@qq.com", "13800138000"])
    u = f"otpauth://totp/{iss}:{acct}?secret={sec}&issuer={iss}"
    if i % 3 == 0:
        u += "&algorithm=SHA1&digits=6&period=30"
    text, _ = fill(OTPAUTH_T[i % len(OTPAUTH_T)], "{u}", u)
    add(text, ["otp"], [sec, u])

BACKUP_T = [
    "2FA backup key: {k}",
    "google auth backup key {k}",
    "备份密钥：{k}",
    "谷歌验证器密钥 {k}",
    "authenticator secret: {k}",
    "16位备份密钥是{k}",
    "備份金鑰：{k}",
    "my 2fa recovery key is {k}, I wrote it on paper",
    "totp secret {k}",
    "谷歌验证的备份密钥{k}，换手机了",
    "Google Authenticator setup key:\n{k}",
]
for i in range(30):
    k = b32(rng.choice([16, 16, 16, 32]))
    r = rng.random()
    if r < 0.55:
        written = group4(k, " ")
    elif r < 0.7:
        written = group4(k, "-")
    else:
        written = k
    if rng.random() < 0.35:
        written = written.lower()
    text, _ = fill(BACKUP_T[i % len(BACKUP_T)], "{k}", written)
    groups = written.replace("-", " ").split(" ")
    if len(groups) > 1:
        secrets = []
        pos = 0
        idx = []
        for g in groups:
            j = written.index(g, pos)
            idx.append((j, j + len(g)))
            pos = j + len(g)
        secrets = [written[idx[j][0] : idx[j + 1][1]] for j in range(len(idx) - 1)]
    else:
        secrets = [written]
    add(text, ["otp"], secrets)

# ---- API keys -----------------------------------------------------------------------


def api_pair() -> tuple[str, str]:
    style = rng.choice(["bitfinex", "binance", "bybit", "okx", "kraken", "gate"])
    if style == "bitfinex":
        return alnum(43), alnum(43)
    if style == "binance":
        return alnum(64), alnum(64)
    if style == "bybit":
        return alnum(18), alnum(36)
    if style == "okx":
        return str(uuid.UUID(int=rng.getrandbits(128))), f"{rng.getrandbits(128):032X}"
    if style == "kraken":
        a = base64.b64encode(rbytes(42)).decode()
        b = base64.b64encode(rbytes(64)).decode()
        return a, b
    return f"{rng.getrandbits(128):032x}", hex64()


API_PAIR_T = [
    "api key: {k} secret: {s}",
    "API Key: {k}\nSecret Key: {s}",
    "API密钥：{k} 秘钥：{s}",
    "apikey={k}&secret={s}",
    "my binance api key {k} and secret {s} — bot isn't trading",
    "API Key：{k}，Secret：{s}",
    "apikey 和 secretkey 分别是 {k} / {s}",
    "API金鑰：{k}\n密鑰：{s}",
    "key: {k}\napi secret: {s}\nwhy error -2015?",
    "我的API key是{k}，secret是{s}，机器人下单失败",
    'api_key = "{k}"\napi_secret = "{s}"',
    "Here are my API credentials. Key {k} Secret {s}",
]
API_ONE_T = [
    "API Key {k} is it correct?",
    "api secret: {s}",
    "我的API密钥是{k}",
    "秘钥 {s}",
    "my api key {k} stopped working",
    "API secret key: {s} (read only)",
    "接口密钥：{k}",
    "secret key for the api = {s}",
]
for i in range(60):
    k, s = api_pair()
    t = API_PAIR_T[i % len(API_PAIR_T)]
    text = t.replace("{k}", k).replace("{s}", s)
    add(text, ["api_key"], [k, s])
for i in range(24):
    k, s = api_pair()
    t = API_ONE_T[i % len(API_ONE_T)]
    text = t.replace("{k}", k).replace("{s}", s)
    add(text, ["api_key"], [x for x in (k, s) if x in text])
k, s = api_pair()
pp = password()
add(f"OKX API\nkey: {k}\nsecret: {s}\npassphrase: {pp}", ["api_key", "password"], [k, s, pp])

# ---- cards ----------------------------------------------------------------------------

CARD_T = [
    "my card {c} got charged twice",
    "card number: {c}",
    "卡号：{c}",
    "银行卡号{c}",
    "信用卡 {c} 被扣款了两次",
    "visa {c} exp 08/27, why declined?",
    "pay with {c}?",
    "卡號 {c}",
    "{c}",
    "用这张卡{c}买币失败",
    "Card: {c} (Mastercard)",
    "I bought USDT with card {c} and nothing arrived",
    "我的银行卡 {c} 被冻结了",
    "charged on {c} twice, refund pls 🙏",
    "储蓄卡{c}，开户行工商银行",
]
KINDS = [
    "visa",
    "visa",
    "mc",
    "mc",
    "amex",
    "unionpay",
    "unionpay19",
    "jcb",
    "discover",
    "visa13",
    "maestro18",
    "diners14",
    "unionpay",
]
for i in range(75):
    num = card(KINDS[i % len(KINDS)])
    assert luhn_ok(num)
    style = ["plain", "space", "dash", "space"][i % 4]
    c = fmt_card(num, style)
    text, _ = fill(CARD_T[i % len(CARD_T)], "{c}", c)
    add(text, ["card_number"], [c, c[: len(c) - 4]])


# ---- more formats seen in real chats: .env snippets, forwarded SMS, code -----------------

MORE_KEY_T = [
    "PRIVATE_KEY=0x{h}",
    "pk: {h}",
    "my metamask private key is 0x{h} and the seed I lost",
    "私钥为：{h}",
    "私鑰{h}，請幫我轉出",
    "const privateKey = '0x{h}';",
    "priv={h}",
    "export the privkey -> {h}",
]
for i in range(16):
    h = hex64(upper=i % 6 == 5)
    t = MORE_KEY_T[i % len(MORE_KEY_T)]
    text = t.replace("{h}", h)
    add(text, ["private_key"], [h])

MORE_PW_T = [
    "my pw is {w}",
    "PW: {w}",
    "password -> {w}",
    "pass: {w}",
    "密码:{w}",
    "密码为{w}",
    "pwd是{w}",
    "Password for login: {w}",
    "账户密码 {w} 别告诉别人😂",
    "user: mike2020 pass: {w}",
    "I use {w} as my password everywhere, is that why I got hacked?",
    "登录密码忘了，之前用的是{w}还是不对",
]
for i in range(24):
    w = password()
    text, _ = fill(MORE_PW_T[i % len(MORE_PW_T)], "{w}", w)
    add(text, ["password"], [w])

SMS_T = [
    "【Binance】您的验证码为：{c}，5分钟内有效，请勿泄露给他人。",
    "Your OKX verification code is {c}. Do not share it with anyone.",
    "[Bybit] Verification code: {c}. Valid for 10 minutes.",
    "收到短信：您正在提币，验证码{c}，如非本人操作请忽略",
    'forwarding the email: "Your withdrawal confirmation code is {c}"',
    "G-{c} is your Google verification code",
    "【火币】驗證碼 {c}，請勿告訴他人",
    "one-time password: {c}",
]
for i in range(16):
    c = digits(6) if i % 4 else digits(8)
    text, _ = fill(SMS_T[i % len(SMS_T)], "{c}", c)
    add(text, ["otp"], [c])

MORE_API_T = [
    "BINANCE_API_KEY={k}\nBINANCE_API_SECRET={s}",
    "Access Key: {k}\nSecret Key: {s}",
    "AK {k} SK {s}",
    "exchange = ccxt.binance({{'apiKey': '{k}', 'secret': '{s}'}})",
    "API key - {k}, API secret - {s}",
    "我的apikey：{k}\nsecretkey：{s}",
]
for i in range(18):
    k, s = api_pair()
    t = MORE_API_T[i % len(MORE_API_T)].replace("{{", "{").replace("}}", "}")
    text = t.replace("{k}", k).replace("{s}", s)
    add(text, ["api_key"], [k, s])

# ---- several secrets in one message -------------------------------------------------------

for i in range(45):
    pw = password()
    code = digits(6)
    num = fmt_card(card("visa"), "space")
    k, s = api_pair()
    h = "0x" + hex64()
    wf = wif(True)
    words = phrase_words(12, EN)
    phrase, spans = layout(words, " ")
    zwords = phrase_words(12, ZHS)
    zphrase, zspans = layout(zwords, " ")
    combos = [
        (f"email: jim@x.com, password: {pw}, 2FA: {code}", ["password", "otp"], [pw, code]),
        (
            f"seed {phrase}\nprivate key {h}",
            ["seed_phrase", "private_key"],
            trigram_secrets(0, phrase, spans) + [h],
        ),
        (f"卡号{num} 密码{pw}", ["card_number", "password"], [num, pw]),
        (f"api key {k} secret {s}, my login password is {pw}", ["api_key", "password"], [k, s, pw]),
        (f"验证码 {code}，资金密码 {pw}", ["otp", "password"], [code, pw]),
        (
            f"助记词：{zphrase}\n私钥：{wf}",
            ["seed_phrase", "private_key"],
            trigram_secrets(0, zphrase, zspans) + [wf],
        ),
        (
            f"my pwd is {pw} and the google code {code}, card {num}",
            ["password", "otp", "card_number"],
            [pw, code, num],
        ),
        (f"登录密码：{pw}\n谷歌验证码：{code}\n请帮我提现", ["password", "otp"], [pw, code]),
        (
            f"{phrase}\n\npassword: {pw}",
            ["seed_phrase", "password"],
            trigram_secrets(0, phrase, spans) + [pw],
        ),
    ]
    text, kinds, secrets = combos[i % len(combos)]
    add(text, kinds, secrets)

# --------------------------------------------------------------------------- negatives


def addr_btc() -> str:
    r = rng.random()
    if r < 0.25:
        return b58check(b"\x00" + rbytes(20))
    if r < 0.5:
        return b58check(b"\x05" + rbytes(20))
    if r < 0.8:
        return bech32("bc", 0, rbytes(20))
    return bech32("bc", 1, rbytes(32), m=True)


def addr(chain: str) -> str:
    if chain == "BTC":
        return addr_btc()
    if chain == "ETH":
        h = f"{rng.getrandbits(160):040x}"
        if rng.random() < 0.5:  # mixed case like EIP-55
            h = "".join(c.upper() if rng.random() < 0.5 else c for c in h)
        return "0x" + h
    if chain == "TRON":
        return b58check(b"\x41" + rbytes(20))
    if chain == "SOL":
        return b58encode(rbytes(32))
    if chain == "XRP":
        return b58check(b"\x00" + rbytes(20), B58_XRP)
    if chain == "LTC":
        r = rng.random()
        if r < 0.4:
            return b58check(b"\x30" + rbytes(20))
        if r < 0.6:
            return b58check(b"\x32" + rbytes(20))
        return bech32("ltc", 0, rbytes(20))
    if chain == "DOGE":
        return b58check(b"\x1e" + rbytes(20))
    if chain == "BCH":
        return "bitcoincash:q" + "".join(rng.choice(BECH) for _ in range(41))
    if chain == "ADA":
        return bech32("addr", None, rbytes(57))
    if chain == "DOT":
        body = b"\x00" + rbytes(32)
        chk = hashlib.blake2b(b"SS58PRE" + body, digest_size=64).digest()[:2]
        return b58encode(body + chk)
    if chain == "ATOM":
        return bech32("cosmos", None, rbytes(20))
    if chain == "TON":
        body = bytes([rng.choice([0x11, 0x51]), 0]) + rbytes(32)
        return base64.urlsafe_b64encode(body + crc16(body).to_bytes(2, "big")).decode()
    raise ValueError(chain)


CHAINS = ["BTC", "ETH", "TRON", "SOL", "XRP", "LTC", "DOGE", "BCH", "ADA", "DOT", "ATOM", "TON"]
ADDR_T = [
    "my {c} deposit address is {a}, funds not credited",
    "充值地址：{a}",
    "sent {c} to {a} 2 hours ago",
    "{a}",
    "is this the right {c} address? {a}",
    "提币到 {a} 一直显示处理中",
    "Deposit address ({c}): {a}",
    "我的{c}地址{a}，到现在还没到账",
    "withdrawal to {a} failed, why",
    "請問 {a} 是正確的{c}充值地址嗎？",
    "whitelist address {a} (network {c})",
]
for i in range(96):
    c = CHAINS[i % len(CHAINS)]
    a = addr(c)
    text = ADDR_T[i % len(ADDR_T)].replace("{c}", c).replace("{a}", a)
    if c == "XRP" and i % 2 == 0:
        text += f" tag {digits(9)}"
    if c == "TON" and i % 2 == 1:
        text += f" memo {digits(6)}"
    neg(text)

TX_T = [
    "txid: {h}",
    "TXID：{h}",
    "交易哈希：{h}",
    "my withdrawal tx hash is {h} still pending",
    "hash {h}",
    "transaction id {h} shows confirmed but not credited",
    "交易ID {h}，请查一下",
    "区块哈希 {h}",
    "Tx: {h} — 12 confirmations already",
    "交易哈希{h}谢谢",
    "here's the transaction: {h}",
    "提币哈希：\n{h}",
    "sha256 of the installer: {h} does it match?",
    "I never shared my private key! txid: {h}",
    "私钥没泄露过，交易哈希是 {h}",
    "Block hash {h} has the deposit",
    "轉帳哈希 {h}",
    "txn hash {h} on BSC",
]
for i in range(72):
    h = hex64(upper=i % 7 == 6)
    if i % 3 == 0:
        h = "0x" + h
    neg(TX_T[i % len(TX_T)].replace("{h}", h))

EXPLORERS = [
    lambda: f"https://etherscan.io/tx/0x{hex64()}",
    lambda: f"https://tronscan.org/#/transaction/{hex64()}",
    lambda: f"https://mempool.space/tx/{hex64()}",
    lambda: f"https://blockchair.com/bitcoin/transaction/{hex64()}",
    lambda: f"https://solscan.io/tx/{b58encode(rbytes(64))}",
    lambda: f"https://bscscan.com/tx/0x{hex64()}",
    lambda: f"https://www.blockchain.com/explorer/transactions/btc/{hex64()}",
    lambda: f"https://polygonscan.com/tx/0x{hex64()}",
    lambda: f"https://arbiscan.io/tx/0x{hex64()}",
    lambda: f"https://xrpscan.com/tx/{hex64(upper=True)}",
    lambda: f"https://etherscan.io/address/{addr('ETH')}",
    lambda: f"https://tronscan.org/#/address/{addr('TRON')}",
    lambda: f"https://mempool.space/address/{addr_btc()}",
    lambda: f"https://solscan.io/account/{addr('SOL')}",
    lambda: f"https://tonviewer.com/transaction/{hex64()}",
    lambda: f"https://blockchair.com/ethereum/transaction/0x{hex64()}",
]
LINK_T = [
    "{u}",
    "see {u}",
    "转账记录 {u} 还没到",
    "my private key got stolen I think, look: {u}",
    "here: {u} status success but no deposit",
    "链上显示成功：{u}",
    "{u} <- confirmed 30 min ago",
    "explorer: {u}\nplease check",
]
for i in range(48):
    u = EXPLORERS[i % len(EXPLORERS)]()
    neg(LINK_T[i % len(LINK_T)].replace("{u}", u))

LABELLED_NUM_T = [
    "order {n} still pending",
    "UID {n}",
    "工单号 {n}",
    "my ticket {n} has no reply for 3 days",
    "订单号：{n}，什么时候到账",
    "UID：{n} 账户被冻结",
    "I lost my 2FA phone, UID {n}",
    "2FA reset request, order {n} stuck",
    "谷歌验证器丢了，UID：{n}",
    "工单号 {n} 关于谷歌验证码重置",
    "my ticket {n} about the 2FA code problem",
    "验证码收不到，订单号 {n}",
    "Order ID: {n} — the 2fa step keeps failing",
    "uid:{n} can't receive sms code",
    "訂單編號 {n}",
    "referral code {n}",
    "邀请码 {n}",
    "error code {n} when I submit the verification code",
    "case #{n} 2FA disabled?",
    "用户ID {n}，验证码一直不对",
]
for i in range(60):
    n = digits(rng.choice([6, 6, 7, 8, 9]))
    neg(LABELLED_NUM_T[i % len(LABELLED_NUM_T)].replace("{n}", n))

MISC_NEG = [
    "I forgot my password",
    "how do I reset my 2FA",
    "what is a seed phrase",
    "忘记密码了怎么办",
    "资金密码怎么设置？",
    "how to change my login password?",
    "谷歌验证器丢了怎么重置",
    "the verification code never arrives",
    "验证码收不到",
    "my password doesn't work after the update",
    "is it safe to share my 12 words with support?",
    "助记词有几个单词？12个还是24个？",
    "how do I create an API key for trading bots?",
    "API密钥怎么创建？需要开通什么权限",
    "what permissions should the api key have",
    "never share your seed phrase or private key with anyone",
    "客服会不会问我要私钥？",
    "I changed my password yesterday and now withdrawals are locked for 24h",
    "where do I find my 2FA backup key?",
    "备份密钥丢了还能找回吗",
    "Does the exchange support card payments? Visa or Mastercard?",
    "银行卡买币失败，提示风控",
    "my card was declined",
    "what is an otpauth link?",
    "I typed the wrong password 5 times and got locked",
    "do you support otp via sms or only google authenticator",
    "how long is the 2FA code valid?",
    "交易密码和登录密码一样吗",
    "why do I need a fund password",
    "private key vs seed phrase, what's the difference?",
    "my password is too weak it says, what are the rules?",
    "password reset link expired",
    "The code is not working, I tried 3 times",
    "2FA is enabled but the app shows a different code each time, is that normal?",
    "登录密码错误次数太多，账户锁定了",
    "the api secret is only shown once, right?",
    "Where can I see my UID?",
    "我的订单为什么被取消了",
    "hello, deposit of 0.5 BTC not credited since 2024-03-15 14:22",
    "withdraw 1,234.56 USDT fee is 1 USDT?",
    "I sent 250 USDT on 2024/05/01, still nothing",
    "call me at +86 138 1234 5678",
    "my phone number is 13812345678, please call",
    "+1 (415) 555-0132 is my number",
    "timestamp 1710488551 on the receipt",
    "充值 5000 USDT 到现在没到，时间 2024年3月15日 下午三点",
    "price went from 65,432.10 to 61,000 in an hour",
    "I bought 0.00123456 BTC at 67890.12",
    "提现金额 12345.678 USDT，手续费 1 USDT",
    "Binance Smart Chain or ERC20? I used BEP20",
    "please verify my account, the deposit arrived late again and the fee was high",
    "there is a problem with my order, the price moved and I lost money",
    "I want to buy more bitcoin but the market is crazy today",
    "the wallet said invalid address, then I tried again and it worked",
    "can you check the status of my withdrawal, it says review",
    "is there a limit on daily withdrawal amount for level one users?",
    "my friend said the token will pump, should I buy now or wait for a dip",
    "this app is slow, the chart does not load and the button is gray",
    "I need help with my account, it was frozen after a login from a new device",
    "Apple, banana, orange: random words are not a seed, right?",
    "The words abandon, ability and able are on the BIP39 list, I read that online.",
    "Secret: I really love this exchange 😄",
    "my password manager crashed lol",
    "OTP not received, resend please",
    "验证码已发送到邮箱 a***@gmail.com，但是没收到",
    "Your verification code is valid for 10 minutes — that's what the email says, but empty",
    "what is my API key limit? I have 5 keys already",
    "card ending in 4242 was charged",
    "卡号尾号 8899 的卡被扣了两次款",
    "I have a question about KYC level 2, it needs a passport and a selfie",
    "the pool mining reward arrived, thanks!",
    "password must contain upper case, lower case and a number?",
    "请问 助记词 和 私钥 有什么区别",
    "How do I export my private key from Trust Wallet? (I won't post it)",
    "verify your email to continue says the app",
    "invalid code error again",
    "please check txid in my previous message",
    "network fee 0.0005 BTC, arrival 30-60 min",
    "margin call at 1.1 ratio?",
    "futures funding rate -0.0125% every 8h",
    "Staking APR 4.5% or 5%?",
    "系统提示：谷歌验证码错误，请重新输入",
    "账户冻结了，客服工单一直不回复",
]
for t in MISC_NEG:
    neg(t)

# Luhn-invalid 16-digit numbers
for i in range(24):
    num = card(["visa", "mc", "unionpay"][i % 3])
    bad = num[:-1] + str((int(num[-1]) + rng.randint(1, 9)) % 10)
    assert not luhn_ok(bad)
    style = ["plain", "space", "dash"][i % 3]
    t = [
        "reference {c}",
        "流水号 {c}",
        "card {c} declined?",
        "卡号 {c} 付款失败",
        "bank transfer ref {c}",
        "{c}",
        "serial {c} on the hardware wallet box",
        "交易单号{c}",
    ][i % 8]
    neg(t.replace("{c}", fmt_card(bad, style)))

ZH_PROSE = [
    "你好，我昨天下午在平台上充值了一笔USDT，走的是TRC20网络，钱包那边显示已经成功转出，"
    "但是到现在账户里还没有到账，请问这个一般需要多长时间？是不是需要我提供什么信息才能处理？",
    "我的账户在进行身份认证的时候一直提示照片不清晰，我已经换了好几次光线和角度，"
    "还是没有办法通过，请问有没有其他的认证方式，或者能不能人工帮我审核一下？",
    "请问合约交易的资金费率是怎么计算的？我看到每八个小时就会扣一次，"
    "有时候是正的有时候是负的，不太明白这个机制，能不能详细解释一下。",
    "最近市场波动很大，我的现货账户里有一些比特币和以太坊，想问一下平台有没有理财产品，"
    "可以让这些币产生一些收益，风险大不大，赎回需要多长时间。",
    "提现的时候系统提示需要等待二十四小时，因为我刚刚修改了登录密码，"
    "这个限制可以提前解除吗？我这边比较着急用钱，希望客服能帮忙处理一下。",
    "我在手机上下载了你们的应用，但是打开以后一直显示网络错误，换了无线网络和数据流量都不行，"
    "电脑网页版倒是可以正常使用，请问是什么原因？",
    "上个月我参加了新用户活动，按照规则应该有一百个代币的奖励，但是到现在都没有发放，"
    "能帮我查一下是不是我哪里操作不对吗？",
    "朋友推荐我来这个交易所，说手续费比较低，我想了解一下现货和合约的手续费分别是多少，"
    "持有平台币能不能抵扣手续费，有没有会员等级的优惠。",
    "我不小心把币充值到了错误的网络上，本来应该用以太坊网络，结果选成了币安智能链，"
    "请问这种情况还能找回吗？需要支付多少手续费？",
    "客服你好，我想注销我的账户，里面已经没有任何资产了，请问注销的流程是什么？"
    "注销以后还能不能用同一个手机号重新注册？",
    "请问你们平台支持哪些法币入金方式？我在国外生活，想用当地的银行卡购买数字货币，"
    "不知道是否支持，以及到账时间大概是多久。",
    "我收到一条短信说我的账户存在异常需要点击链接验证，这是你们官方发的吗？"
    "我有点担心是诈骗信息，所以没有点开，先来问一下。",
    "为什么我的限价单一直没有成交？价格明明已经到了我设置的位置，是不是深度不够的原因，"
    "还是系统出现了什么问题，麻烦帮我看一下。",
    "我是一名新手，对区块链不太了解，想问一下什么是冷钱包，什么是热钱包，"
    "把币放在交易所里安全吗，还是应该转到自己的钱包里面。",
    "在這個平台上交易已經一年多了，最近發現出金速度變慢，以前幾分鐘就到帳，"
    "現在要等好幾個小時，請問是系統升級了還是有其他原因？",
    "請問如何開啟雙重驗證？我想提高帳戶的安全性，但是找不到設定的位置，"
    "是在個人中心裡面還是在安全設定裡面？",
    "昨天晚上系统维护以后，我的挂单全部被撤销了，有些订单是我很早以前就挂好的，"
    "请问维护期间的订单为什么会被取消，有没有补偿。",
    "我想了解一下平台的安全措施，比如资产是存放在冷钱包还是热钱包，"
    "有没有保险基金，如果平台被黑客攻击用户的资产怎么保障。",
    "为了账户安全，请不要把助记词、私钥、密码或者验证码告诉任何人，"
    "官方客服不会主动私信你，也不会要求你转账到任何地址。",
    "他说他是管理员，让我把钱包的恢复短语发给他帮我解冻，我觉得不对劲，就没有发，"
    "想确认一下你们的客服是不是真的会这样要求。",
    "我在一个群里看到有人说可以帮忙找回被盗的币，只需要先付一笔手续费，这种是不是骗局？",
    "请问一下，我的邀请返佣是按照什么比例计算的？好友交易以后多久能收到返佣？",
    "平台币的价格最近跌了很多，请问项目方有没有回购计划，未来会不会有新的使用场景。",
    "我用的是苹果手机，系统版本是最新的，但是人脸识别一直失败，提示请保持面部在框内。",
    "你们的客服上班时间是几点到几点？周末有没有人值班？我的问题比较紧急。",
]
for t in ZH_PROSE:
    neg(t)
# combined paragraphs for longer messages
for _i in range(15):
    a, b = rng.sample(ZH_PROSE, 2)
    neg(a + "\n" + b)

ZH_SPACED = [
    "你好 请问 提币 多久 到账",
    "充值 没有 到账 怎么办",
    "我的 账户 被 冻结 了 怎么 解冻",
    "请问 手续费 是 多少",
    "支持的币种：比特币、以太坊、泰达币、瑞波币、莱特币、狗狗币、波场、索拉纳、艾达币、波卡、原子币、吨币",
    "需要准备：身份证、护照、驾照、银行卡、手机号、邮箱、住址证明",
    "步骤：打开应用，点击资产，选择充值，复制地址，粘贴到钱包，确认转账，等待到账",
    "我 的 钱 呢",
    "現在 無法 登入 帳戶 請 協助",
    "问题：登录、充值、提币、交易、合约、理财、活动、返佣、认证、安全",
]
for t in ZH_SPACED:
    neg(t)

EN_PROSE = [
    "Hello team, I have been using the exchange for two years and recently my withdrawals take "
    "much longer than before. Yesterday I withdrew to my own wallet and it took four hours. "
    "Is there a reason for this? I would appreciate an explanation.",
    "I tried to deposit using the lightning network but the invoice expired before my wallet "
    "could pay it. Can you tell me whether lightning deposits are supported and what the minimum "
    "amount is?",
    "Quick question: when I place a stop limit order, does the stop price trigger on the last "
    "price or the mark price? I got liquidated even though the chart never touched my level.",
    "I received an email saying my account will be suspended unless I verify my wallet. It has "
    "a link to a site I do not recognise. Is this real? I did not click anything.",
    "Someone in the group offered to help me recover my funds if I send them my wallet words. "
    "I said no. Please warn people, this is clearly a scam.",
    "The mobile app keeps logging me out every few minutes after the latest update. I have "
    "reinstalled it twice and cleared the cache, but nothing changes.",
    "I want to close my account. Please tell me what happens to the small balances that are "
    "below the minimum withdrawal amount.",
    "Can I transfer funds between my spot wallet and my futures wallet without paying a fee? "
    "The transfer screen shows zero fee but I want to be sure.",
    "My verification was rejected because the address on my bill does not match, but I moved "
    "last month. Can I upload a bank statement instead?",
    "Could you explain the difference between cross margin and isolated margin, and which one "
    "is safer for a beginner who only uses small leverage?",
    "Thanks for the quick help earlier, the deposit finally arrived and everything looks fine "
    "now. Have a nice weekend!",
    "Just a heads up: the staking page shows the wrong APR for ETH, it says 45% which cannot be "
    "right.",
    "I used the old address from last year to deposit, is it still valid or did it change when "
    "you migrated wallets?",
    "please help me, I am a grandmother and my grandson set this up, I do not understand how to "
    "see my balance or how to sell",
    "where is the option to turn off email notifications? I get ten emails a day about promotions",
    "The airdrop snapshot was on the first of the month, when will the tokens be distributed to "
    "eligible accounts?",
    "My bank says the transfer was sent on Monday with reference number in the notes, but the "
    "fiat balance still shows zero.",
    "I think there is a bug: when I switch the language to Chinese the order book disappears.",
    "Wow, the new interface is great. One suggestion: add a dark mode toggle on the login page "
    "too.",
    "If I lose my phone, how do I get back into my account? I have two factor turned on and I "
    "am worried.",
]
for t in EN_PROSE:
    neg(t)


# xpubs and other public material people are asked for or share freely
for i in range(10):
    version = bytes.fromhex(["0488b21e", "04b24746", "043587cf"][i % 3])
    body = version + bytes([1]) + rbytes(8) + rbytes(32) + bytes([2 + i % 2]) + rbytes(32)
    t = [
        "my xpub is {x}, watch-only wallet shows 0",
        "{x}",
        "扩展公钥：{x}",
        "zpub for the hardware wallet: {x}",
        "public key 0{p}{h}",
    ][i % 5]
    neg(t.replace("{x}", b58check(body)).replace("{p}", str(2 + i % 2)).replace("{h}", hex64()))
for i in range(6):
    inv = "lnbc" + str(rng.randint(1, 900)) + "u1p" + "".join(rng.choice(BECH) for _ in range(250))
    neg(["lightning invoice: {i}", "{i}", "闪电网络发票 {i} 付不了"][i % 3].replace("{i}", inv))

MORE_NEG = [
    "my password is correct, I checked twice",
    "my password is not working",
    "密码是对的但是登录不了",
    "密码是正确的，为什么提示错误",
    "my password is the same as before",
    "password: I don't remember it",
    "the code is wrong every time",
    "2FA code invalid, tried 3 times, UID 20394857",
    "验证码错误，还剩3次机会",
    "code expired after 60 seconds",
    "the 6-digit code from google authenticator does not work",
    "I got error code 10001",
    "withdraw 200000 CNY worth of USDT, is there a limit?",
    "sent 123456 USDT to the wrong address",
    "at 12:30:45 my order filled at 0.618",
    "my API key has IP restriction, how to add another IP?",
    "API key expired? it says invalid signature",
    "what is the secret key used for in the api?",
    "私钥和公钥有什么区别？",
    "请问导出私钥安全吗？",
    "Where do I enter the backup key when I reset 2FA?",
    "is 2FA mandatory for withdrawals over 10000 USDT?",
    "apikey 权限只开了读取",
    "Visa card 4 digits 1234 — the last four match my statement",
    "交易密码设置成功了吗？我收到提示：交易密码已修改",
    "referral link https://example-exchange.com/register?ref=ABCD1234",
    "Google Authenticator or Authy, which one do you recommend?",
    "seed phrase generators online are scams, never type your words there",
    "the passphrase (25th word) is optional right?",
    "I wrote my seed on paper and put it in a safe, is that good enough?",
    "rebate 15% for the first month, code WELCOME2024",
    "block 840000 halving done 🎉",
    "gas price 35 gwei, nonce 142, gas limit 21000",
    "contract 0xdAC17F958D2ee523a2206206994597C13D831ec7 is official USDT?",
]
for t in MORE_NEG:
    neg(t)

# --------------------------------------------------------------------------- write


def main() -> None:
    pos = sum(1 for r in records if r["kinds"])
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(records)} records ({pos} positive, {len(records) - pos} negative) -> {OUT}")


if __name__ == "__main__":
    main()
