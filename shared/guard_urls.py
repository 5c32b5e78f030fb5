"""Secrets inside links: a query parameter named for one, or a password in the address.

The other detectors leave links alone on purpose (a hash in an explorer link is public, a
card-length number in a path is an id). But members paste links their tools made, and some
carry the secret itself: ``?api_key=...&secret=...``, ``?password=...``,
``https://user:password@host/``, ``?seed=abandon%20ability...``. The parameter's name says
what its value is; the value is removed, the rest of the link kept.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

# A parameter's name (case, "-" and "_" ignored) -> the kind of secret its value is.
_NAMES = {
    "password": "password",
    "passwd": "password",
    "pwd": "password",
    "pass": "password",
    "passphrase": "password",
    "apikey": "api_key",
    "apisecret": "api_key",
    "secret": "api_key",
    "secretkey": "api_key",
    "clientsecret": "api_key",
    "accesskey": "api_key",
    "accesstoken": "api_key",
    "refreshtoken": "api_key",
    "token": "password",  # a reset or log-in link's: it opens the account
    "authtoken": "api_key",
    "privatekey": "private_key",
    "privkey": "private_key",
    "seed": "seed_phrase",
    "seedphrase": "seed_phrase",
    "mnemonic": "seed_phrase",
    "recoveryphrase": "seed_phrase",
    "card": "card_number",
    "cardnumber": "card_number",
    "cvv": "card_number",
    "cvc": "card_number",
    "otp": "otp",
    "totp": "otp",
    "2fa": "otp",
}
# name=value inside a link's query or fragment (the value up to the next & or #)
_PARAM = re.compile(r"[?&#;](?P<name>[A-Za-z0-9_.\-]{1,40})=(?P<value>[^&#\s]+)")
# scheme://user:password@host, the password up to the last "@" before the path (a password
# may hold "@" or "#" itself)
_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:\s]+:(?P<password>[^/?\s]+)@")
# What a value must look like, once decoded (%XX, "+"), to be that secret: a "seed=424242"
# or "card=visa" is something else (a random seed, a product option).
_SHAPES = {
    "private_key": re.compile(r"[A-Za-z0-9+/=_\-]{32,}"),
    "seed_phrase": re.compile(
        r"[A-Za-z]+(?:[\s,;_\-]+[A-Za-z]+){7,}|(?:[\u3400-\u9fff][\s,;_\-]*){12,}"
    ),
    "otp": re.compile(r"\d{4,8}"),
    "cvv": re.compile(r"\d{3,4}"),
    "card": re.compile(r"(?:\d[\s\-]?){13,19}"),
}


def find_url_secrets(norm: str, urls: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each secret value in the links at ``urls``."""
    found = []
    for start, end in urls:
        link = norm[start:end]
        userinfo = _USERINFO.match(link)
        if userinfo:
            found.append(
                (start + userinfo.start("password"), start + userinfo.end("password"), "password")
            )
        for param in _PARAM.finditer(link):
            name = re.sub(r"[_\-.]", "", param.group("name")).lower()
            kind = _NAMES.get(name)
            if kind is not None and _looks_like(kind, name, param.group("value")):
                found.append((start + param.start("value"), start + param.end("value"), kind))
    return found


def _looks_like(kind: str, name: str, value: str) -> bool:
    value = unquote_plus(value).strip()
    if len(value) < 3:
        return False
    if kind == "card_number":
        kind = "cvv" if name in ("cvv", "cvc") else "card"
    shape = _SHAPES.get(kind)
    return shape is None or shape.fullmatch(value) is not None
