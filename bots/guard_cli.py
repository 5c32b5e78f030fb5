"""``supportbot guard scan FILE --jsonl``: run the guard over a JSON Lines file.

Each input line is ``{"text": ...}``; each output line is the verdict for the input line at the
same position, ``{"sensitive": bool, "kinds": [...], "redacted": str}``, or ``{"error": ...}`` for
a line that cannot be read. A bad line never stops the scan or shifts the lines after it, and an
error never quotes the input (it may hold a secret).
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from shared.guard import scan


def verdict(raw: bytes) -> dict:
    """The output object for one raw input line (without its newline)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"error": "line is not valid UTF-8"}
    if not line.strip():
        return {"error": "empty line"}
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return {"error": "line is not valid JSON"}
    if not isinstance(record, dict) or "text" not in record:
        return {"error": 'line has no "text" field'}
    text = record["text"]
    if not isinstance(text, str):
        return {"error": '"text" is not a string'}
    result = scan(text)
    return {"sensitive": result.sensitive, "kinds": list(result.kinds), "redacted": result.redacted}


def scan_file(path: str, out: TextIO) -> int:
    """Write one verdict per line of ``path`` to ``out``; return 0, or 2 when it cannot be read."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - read line by line, closed below
    except OSError as exc:
        print(f"guard scan: cannot open {path}: {exc.strerror}", file=sys.stderr)
        return 2
    with handle:
        for raw in handle:
            raw = raw.rstrip(b"\n").rstrip(b"\r")
            out.write(json.dumps(verdict(raw), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":  # python -m bots.guard_cli FILE
    if len(sys.argv) != 2:
        print("usage: python -m bots.guard_cli FILE.jsonl", file=sys.stderr)
        sys.exit(2)
    sys.exit(scan_file(sys.argv[1], sys.stdout))
