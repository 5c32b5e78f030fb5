"""The desk in a real browser: headless Debian chromium driven by Playwright opens a ticket
link (the member adds details with a password in them) and the moderators' queue, and takes
the screenshots shown in README (docs/screenshots/ticket.png and queue.png).

Screenshots go to the test's tmp folder; SUPPORTBOT_UPDATE_SCREENSHOTS=1 (never under CI)
writes them into docs/screenshots instead. Without chromium or Playwright this test skips,
except under CI=true, where it fails (.ci/services.sh installs chromium)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from shared.accounts import Accounts
from shared.desk import DeskConfig, create_app
from shared.settings import Settings
from shared.tickets import TicketStore
from tests.conftest import DESK_PASSWORD, _in_ci

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "Moonshot#2024pw"


def _chromium() -> str:
    path = os.environ.get("SUPPORTBOT_TEST_CHROMIUM") or shutil.which("chromium") or ""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = ""
    if not path:
        if _in_ci():
            pytest.fail("CI=true but chromium or playwright is missing (.ci/services.sh)")
        pytest.skip("chromium (Debian) and the playwright package are needed")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(store: TicketStore) -> tuple[str, int]:
    """A realistic queue: the ticket shown in the screenshot, and a few more."""
    ticket, _ = store.open_ticket(
        platform="telegram",
        conversation_id="1001",
        user_id="1001",
        user_name="@alice",
        language="en",
        category="funds",
        reason="requested",
        transcript=[
            ("user", "My USDT withdrawal has been pending for 3 hours"),
            ("bot", "[answer withdrawal-time]"),
            ("user", "my password is [password removed], can you check my account?"),
            ("user", "I want to talk to a human"),
        ],
    )
    store.reply(ticket.id, "carol", "Hi Alice, we are checking it. Which network did you use?")
    others = [
        ("discord", "2002", "bob", "en", "unknown", "Deposit not credited after 40 confirmations"),
        ("telegram", "3003", "@lihua", "zh", "requested", "我的账户被冻结了，怎么解冻？"),
        ("discord", "4004", "dana", "en", "moderator", "dana: the app crashes when I open P2P"),
        ("telegram", "5005", "@wangfang", "zh", "not_helpful", "提现一直显示审核中"),
    ]
    for platform, user, name, language, reason, text in others:
        other, _ = store.open_ticket(
            platform=platform,
            conversation_id=user,
            user_id=user,
            user_name=name,
            language=language,
            reason=reason,
            transcript=[("user", text)],
        )
        if user == "2002":
            store.claim(other.id, "mod")
    return ticket.token, ticket.id


@pytest.fixture
def served_desk(tmp_path: Path):
    port = _free_port()
    settings = Settings(
        data_dir=tmp_path / "data", public_url=f"http://127.0.0.1:{port}", watch_knowledge=False
    )
    store = TicketStore(settings.sqlalchemy_url, settings.public_url)
    Accounts(store).add("mod", DESK_PASSWORD)
    token, ticket_id = _seed(store)
    app = create_app(settings, store=store, config=DeskConfig(idle_hours=None))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    try:
        yield settings.public_url, token, ticket_id, store
    finally:
        server.should_exit = True
        thread.join(10)
        store.dispose()


def _shots_dir(tmp_path: Path) -> Path:
    if os.environ.get("SUPPORTBOT_UPDATE_SCREENSHOTS") == "1" and not _in_ci():
        folder = REPO / "docs" / "screenshots"
    else:
        folder = tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_ticket_page_and_queue_in_chromium(served_desk, tmp_path):
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    base, token, ticket_id, store = served_desk
    shots = _shots_dir(tmp_path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, chromium_sandbox=False
        )
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()

            # the member follows the bot's link and adds details (with a secret in them)
            response = page.goto(f"{base}/t/{token}")
            assert response is not None and response.status == 200
            assert "Which network did you use?" in page.inner_text("main")
            page.fill("textarea[name=text]", f"TRC20, txid 7f3a9c. Login password {SECRET}")
            page.click("form.stack button")
            page.wait_for_selector(".note.warn")
            text = page.inner_text("main")
            assert "a secret was removed" in text and SECRET not in page.content()
            assert "[password removed]" in text
            page.screenshot(path=str(shots / "ticket.png"), full_page=True)

            altered = token[:-1] + ("x" if token[-1] != "x" else "y")
            wrong = page.goto(f"{base}/t/{altered}")
            assert wrong is not None and wrong.status == 404
            assert "USDT" not in page.content()

            # the moderator logs in and sees the queue
            page.goto(f"{base}/queue")
            assert page.url.endswith("/login?next=%2Fqueue")
            page.fill("input[name=name]", "mod")
            page.fill("input[name=password]", DESK_PASSWORD)
            page.click("form.stack button")
            page.wait_for_selector("table.queue")
            assert page.url.endswith("/queue")
            rows = page.locator("table.queue tbody tr")
            assert rows.count() == 5
            assert f"#{ticket_id}" in page.inner_text("table.queue")
            assert token not in page.content()
            page.screenshot(path=str(shots / "queue.png"), full_page=True)
        finally:
            browser.close()
    for name in ("ticket.png", "queue.png"):
        assert (shots / name).stat().st_size > 10_000
