"""`supportbot run` without tokens: the console front-end, driven through a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_console(tmp_path: Path, typed: bytes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
    env = {k: v for k, v in env.items() if not k.startswith("DISCORD_")}
    env.update(SUPPORTBOT_DATA_DIR=str(tmp_path / "data"), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", "run"],
        cwd=ROOT,
        env=env,
        input=typed,
        capture_output=True,
        timeout=180,
    )


def test_a_console_session_answers_presses_and_survives_bad_input(tmp_path):
    typed = (
        b"How do I reset my password?\n"
        + b"\xff\xfe caf\xe9 withdrawal\n"  # not UTF-8: once ended the session
        + b"/help\n"
        + b"1\n"  # /help has no buttons: the answer's buttons no longer press
        + b"thanks\n"
        + "忘记密码怎么办\n".encode()
        + b"/quit\n"
    )
    result = run_console(tmp_path, typed)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "Forgot password" in out  # the answer, with its buttons numbered
    assert "[1]" in out
    assert out.count("bot> ") >= 7  # greeting, answer, the odd line, help, "1", thanks, zh
    assert "Send me your question as text" in out  # "1" read as text, not as a press
    assert "You're welcome" in out
    assert "[4] 没有" in out  # the Chinese question answered in Chinese, with its buttons
    assert "Traceback" not in result.stderr.decode()
