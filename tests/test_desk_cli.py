"""From the outside: `supportbot ask` hands out a link under SUPPORTBOT_PUBLIC_URL, and
`supportbot desk` on the same data folder serves it (real processes, real HTTP)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import MINI_KB

PASSWORD = "Hunter2!xyz99"
MODERATOR_PASSWORD = "a long moderator passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        ["supportbot", *args], env=env, input=stdin, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture
def env(tmp_path: Path) -> dict:
    port = free_port()
    return {
        **os.environ,
        "SUPPORTBOT_DATA_DIR": str(tmp_path / "data"),
        "SUPPORTBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SUPPORTBOT_PORT_FOR_TEST": str(port),
        "HF_HUB_OFFLINE": "1",
        "SUPPORTBOT_DESK_ACCESS_LOG": "1",  # on, to show that it is scrubbed
    }


@pytest.fixture
def desk_process(env: dict, tmp_path: Path):
    port = env["SUPPORTBOT_PORT_FOR_TEST"]
    log_path = tmp_path / "desk.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bots.cli", "desk", "--host", "127.0.0.1", "--port", port],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the desk did not start"
            time.sleep(0.2)
        try:
            yield base, log_path
        finally:
            proc.terminate()
            proc.wait(15)


def test_the_ticket_link_from_supportbot_ask_is_served_by_supportbot_desk(env, desk_process):
    base, log_path = desk_process
    kb = ["--json", "--kb", str(MINI_KB)]
    first = run(["ask", f"I want to talk to a human, my password is {PASSWORD}", *kb], env)
    assert '"warn"' in first.stdout and PASSWORD not in first.stdout
    second = run(["ask", "I want to talk to a human", *kb], env)
    url = json.loads(second.stdout)["ticket_url"]
    assert url.startswith(base + "/t/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits in URL-safe base64

    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        assert page.status_code == 200
        assert "I want to talk to a human" in page.text and "[password removed]" in page.text
        assert PASSWORD not in page.text

        altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        wrong = browser.get(f"{base}/t/{altered}")
        assert wrong.status_code == 404 and "talk to a human" not in wrong.text

        for path in ("/", "/queue", "/queue/1", "/queue?status=all", "/login", "/t/", "/x"):
            other = browser.get(base + path)
            assert "talk to a human" not in other.text and token not in other.text, path

        # the member adds details with a secret in them, through the page's own form
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        added = browser.post(url, data={"text": f"password: {PASSWORD} TxID 0x9f", "csrf": csrf})
        assert added.status_code == 200 and "a secret was removed" in added.text
        assert PASSWORD not in added.text and "TxID 0x9f" in added.text

    run(["desk", "add-moderator", "carol"], env, stdin=MODERATOR_PASSWORD + "\n")
    with httpx.Client(follow_redirects=True, timeout=10) as moderator:
        form = moderator.get(base + "/login")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text).group(1)
        queue = moderator.post(
            base + "/login",
            data={"name": "carol", "password": MODERATOR_PASSWORD, "csrf": csrf},
        )
        assert queue.status_code == 200 and str(queue.url) == base + "/queue"
        assert 'href="/queue/1"' in queue.text and token not in queue.text
        assert PASSWORD not in moderator.get(base + "/queue/1").text

    log = log_path.read_text()
    assert "GET /t/[token]" in log  # the access log is on here, with the token scrubbed
    assert token not in log and PASSWORD not in log and MODERATOR_PASSWORD not in log
