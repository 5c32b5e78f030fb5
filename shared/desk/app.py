"""The desk: the page behind every ticket link, and the moderators' queue.

    GET  /t/<token>              the member's ticket: conversation (redacted), status, a form
    POST /t/<token>              the member adds details (guarded like any chat message)
    POST /t/<token>/rate         the member rates a closed ticket (1-5)
    GET  /login, POST /login     moderators log in (5 failures per 15 min per name+IP: 429)
    POST /logout
    GET  /password, POST /password   a moderator changes their own password (ends their
                                 other sessions; wrong current passwords count as failed logins)
    GET  /queue                  the tickets, filtered by status, claim, platform, language,
                                 newest first, last written in first, or longest waiting first
    GET  /queue/<id>             one ticket for moderators
    POST /queue/<id>/claim       claim, release, or take over a colleague's claim
    POST /queue/<id>/reply       answer the member through the bot (the outbox)
    POST /queue/<id>/close       close, asking the member for a rating (the outbox); the
                                 page's "Close" asks to confirm first (GET ?confirm=close)
    POST /queue/<id>/reopen      open a closed ticket again

A link's token is its only key: a wrong one is a plain 404 that shows nothing. Every POST
carries a CSRF token tied to the browser's session cookie (HttpOnly, SameSite=Lax, Secure
when the public URL is https). Pages are never cached, never framed, and send no Referer
(the ticket link must not leak through one). Nothing here logs a path, a token or a text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.accounts import (
    LOGIN_MAX_FAILURES,
    MAX_PASSWORD,
    SESSION_HOURS,
    AccountError,
    Accounts,
    Moderator,
)
from shared.desk.i18n import both, label
from shared.outbox import BOT_PLATFORMS, Outbox, idle_hours_from_env
from shared.settings import Settings
from shared.tickets import ORDERS, REPEATED, Ticket, TicketStore

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "sb_session"
COOKIE_GRACE_HOURS = 7 * 24
MAX_TEXT = 4000  # characters a member or a moderator may send at once
QUEUE_LIMIT = 200  # tickets on one page of the queue
MAX_TICKET_ID = 2**31 - 1  # the databases' integer ids
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class DeskConfig:
    """The desk's settings from the environment (besides shared.settings.Settings)."""

    idle_hours: float | None = 72.0  # SUPPORTBOT_TICKET_IDLE_HOURS (0 or "off": never)
    platforms: tuple[str, ...] | None = None  # SUPPORTBOT_DESK_PLATFORMS: the desk's tickets
    sweep_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> DeskConfig:
        env = dict(os.environ if env is None else env)
        config = cls(idle_hours=idle_hours_from_env(env))
        platforms = [p.strip() for p in env.get("SUPPORTBOT_DESK_PLATFORMS", "").split(",")]
        if any(platforms):
            config.platforms = tuple(p for p in platforms if p)
        return config


def create_app(
    settings: Settings,
    *,
    store: TicketStore | None = None,
    config: DeskConfig | None = None,
    scan=None,
) -> FastAPI:
    """The desk's ASGI app on the bot's database (``store``: share one, e.g. in tests)."""
    config = config or DeskConfig.from_env()
    store = store or TicketStore(settings.sqlalchemy_url, settings.public_url)
    accounts = Accounts(store)
    outbox = Outbox(store)
    csrf_key = accounts.key("csrf")
    secure = settings.public_url.lower().startswith("https://")
    if scan is None:
        from shared.guard import scan

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(both=both, label=label, when=_when)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = asyncio.Event()
        task = None
        if config.idle_hours:
            task = asyncio.create_task(_sweep(store, config, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.accounts = store, accounts
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # --- sessions, CSRF, headers ------------------------------------------------------------

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next):
        sid = request.cookies.get(COOKIE) or ""
        fresh = not (16 <= len(sid) <= 128)
        if fresh:
            sid = secrets.token_urlsafe(32)
        request.state.sid = sid
        request.state.new_sid = None
        response = await call_next(request)
        new_sid = request.state.new_sid
        if new_sid is not None or fresh:
            response.set_cookie(
                COOKIE,
                new_sid or sid,
                # outlives the session by a week: a form posted after the session ended
                # still passes its CSRF check, and its text comes back with the login page
                max_age=(SESSION_HOURS + COOKIE_GRACE_HOURS) * 3600 if new_sid else None,
                path="/",
                httponly=True,
                samesite="lax",
                secure=secure,
            )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        return response

    def csrf_token(request: Request) -> str:
        sid = request.state.new_sid or request.state.sid
        return hmac.new(csrf_key, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()

    def check_csrf(request: Request, token: str) -> None:
        expected = hmac.new(csrf_key, b"csrf:" + request.state.sid.encode(), hashlib.sha256)
        if not token or not hmac.compare_digest(token, expected.hexdigest()):
            raise HTTPException(status_code=403)

    def moderator_of(request: Request) -> Moderator | None:
        return accounts.session_moderator(request.cookies.get(COOKIE))

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("language", "en")
        context.setdefault("lang", context["language"])
        return templates.TemplateResponse(
            request,
            template,
            {"csrf": csrf_token(request), **context},
            status_code=status,
        )

    def visible(ticket: Ticket | None) -> Ticket | None:
        """A ticket this desk serves (SUPPORTBOT_DESK_PLATFORMS), else None."""
        if ticket is None or (
            config.platforms is not None and ticket.platform not in config.platforms
        ):
            return None
        return ticket

    # --- errors ----------------------------------------------------------------------------

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 403:
            return page(request, "error.html", 403, title="forbidden", text="forbidden_text")
        if exc.status_code == 404:
            return page(request, "error.html", 404, title="not_found", text="not_found_text")
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    # --- the member's ticket page ----------------------------------------------------------

    def member_ticket(token: str) -> Ticket:
        ticket = visible(store.by_token(token))
        if ticket is None:
            raise HTTPException(status_code=404)
        return ticket

    def member_page(
        request: Request, ticket: Ticket, token: str, done: str, status: int = 200, draft=""
    ) -> HTMLResponse:
        return page(
            request,
            "ticket.html",
            status,
            ticket=ticket,
            messages=store.messages(ticket.id, notes=False),  # staff notes stay with staff
            language="zh" if ticket.language == "zh" else "en",
            done=done,
            draft=draft,
            token=token,
        )

    @app.get("/t/{token}", response_class=HTMLResponse)
    def ticket_page(request: Request, token: str, done: str = ""):
        ticket = member_ticket(token)
        return member_page(request, ticket, token, done if done in _MEMBER_NOTES else "")

    @app.post("/t/{token}")
    def add_details(request: Request, token: str, text: str = Form(""), csrf: str = Form("")):
        check_csrf(request, csrf)
        ticket = member_ticket(token)
        text = _form_text(text)
        if not text:
            return _back(f"/t/{token}", done="empty" if ticket.status == "open" else "")
        found = scan(text)  # all of it: a cut could leave most of a secret unrecognised
        if len(text) > MAX_TEXT:  # refused, not cut: the words come back to be shortened
            return member_page(request, ticket, token, "too_long", 400, found.redacted)
        if not store.add_message(ticket.id, "user", found.redacted):
            # closed before (an old page) or meanwhile: the words come back, not lost
            closed = store.get(ticket.id)
            return member_page(request, closed, token, "closed_unsent", 409, found.redacted)
        log.info("desk: a member added details to ticket %s", ticket.id)
        return _back(f"/t/{token}", done="removed" if found.sensitive else "sent")

    @app.post("/t/{token}/rate")
    def rate(request: Request, token: str, stars: str = Form(""), csrf: str = Form("")):
        check_csrf(request, csrf)
        ticket = member_ticket(token)
        number = int(stars) if re.fullmatch(r"[1-5]", stars.strip()) else 0
        rated = store.rate(ticket.id, number)  # a closed ticket, once
        if not rated and store.get(ticket.id).rating is not None:
            rated = True  # a second click: the first one was saved
        return _back(f"/t/{token}", done="rated" if rated else "not_rated")

    # --- moderators ------------------------------------------------------------------------

    @app.get("/")
    def home(request: Request):
        return RedirectResponse("/queue" if moderator_of(request) else "/login", 303)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next_page: str = Query("", alias="next")):
        if moderator_of(request):
            return RedirectResponse(_after_login(next_page), 303)
        return page(request, "login.html", moderator=None, next_page=_after_login(next_page))

    login_lock = threading.Lock()

    def check_password(request: Request, name: str, password: str) -> Moderator | str:
        """The moderator, or why not ("login_limited", "login_failed"). Every wrong password
        counts against the limit of failures per name and address, at the login and where a
        logged-in moderator confirms theirs (a stolen session must not guess it either)."""
        address = request.client.host if request.client else "-"
        key = name.lower()
        # One attempt at a time: parallel guesses would all pass the count before any failure
        # was recorded (the routes run in a thread pool).
        with login_lock:
            if accounts.recent_failures(key, address) >= LOGIN_MAX_FAILURES:
                log.warning("desk: login rate limit for a name from %s", address)
                return "login_limited"
            moderator = accounts.authenticate(name, password[:MAX_PASSWORD])
            if moderator is None:
                accounts.record_failure(key, address)
                log.info("desk: wrong password from %s", address)
                return "login_failed"
        accounts.clear_failures(key, address)
        return moderator

    @app.post("/login")
    def login(
        request: Request,
        name: str = Form(""),
        password: str = Form(""),
        csrf: str = Form(""),
        next_page: str = Form("", alias="next"),
    ):
        check_csrf(request, csrf)
        name = name.strip()[:64]
        next_page = _after_login(next_page)
        moderator = check_password(request, name, password)
        if isinstance(moderator, str):
            status = 429 if moderator == "login_limited" else 401
            return page(
                request,
                "login.html",
                status,
                moderator=None,
                error=moderator,
                name=name,
                next_page=next_page,
            )
        request.state.new_sid = accounts.start_session(moderator)  # a new session id: no fixation
        log.info("desk: %s logged in", moderator.name)
        return RedirectResponse(next_page, 303)  # back where the session ran out

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        check_csrf(request, csrf)
        accounts.end_session(request.cookies.get(COOKIE))
        request.state.new_sid = secrets.token_urlsafe(32)
        return RedirectResponse("/login", 303)

    @app.get("/password", response_class=HTMLResponse)
    def password_page(request: Request):
        return page(request, "password.html", moderator=require(request))

    @app.post("/password")
    def change_password(
        request: Request,
        current: str = Form(""),
        new: str = Form(""),
        again: str = Form(""),
        csrf: str = Form(""),
    ):
        check_csrf(request, csrf)
        moderator = require(request)

        def refuse(status: int, error: str) -> HTMLResponse:
            return page(request, "password.html", status, moderator=moderator, error=error)

        checked = check_password(request, moderator.name, current)
        if checked == "login_limited":
            return refuse(429, "login_limited")
        if isinstance(checked, str):
            return refuse(401, "password_wrong")
        if new != again:
            return refuse(400, "password_mismatch")
        if len(new) > MAX_PASSWORD:
            return refuse(400, "password_long")
        try:
            changed = accounts.change_password(moderator.name, new)  # ends all sessions
        except AccountError:
            return refuse(400, "password_short")
        if changed is None:  # disabled meanwhile
            raise _LoginRequired()
        request.state.new_sid = accounts.start_session(changed)  # this browser stays logged in
        log.info("desk: %s changed their password", moderator.name)
        return _back("/queue", done="password_changed")

    def require(request: Request) -> Moderator:
        moderator = moderator_of(request)
        if moderator is None:
            raise _LoginRequired()
        return moderator

    @app.exception_handler(_LoginRequired)
    async def login_required(request: Request, exc: _LoginRequired):
        """To the login, and after it back to the page (a form's page for a POST)."""
        here = _after_login(re.sub(r"/(claim|reply|close|reopen)$", "", request.url.path))
        return RedirectResponse("/login?" + urlencode({"next": here}), 303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(
        request: Request,
        status: str = "open",
        claim: str = "",
        platform: str = "",
        language: str = "",
        sort: str = "newest",
        done: str = "",
        page_number: str = Query("1", alias="page"),
    ):
        moderator = require(request)
        status = status if status in ("open", "closed", "all") else "open"
        sort = sort if sort in ORDERS else "newest"
        number = max(int(page_number), 1) if re.fullmatch(r"[0-9]{1,6}", page_number) else 1
        tickets = store.tickets(
            None if status == "all" else status,
            claimed_by=moderator.name if claim == "mine" else None,
            unclaimed=claim == "unclaimed",
            platforms=config.platforms,
            platform=platform[:32] or None,
            language=language[:16] or None,
            limit=QUEUE_LIMIT + 1,  # one more: is there an older page?
            offset=(number - 1) * QUEUE_LIMIT,
            order=sort,
        )
        older, tickets = len(tickets) > QUEUE_LIMIT, tickets[:QUEUE_LIMIT]
        filters = {
            "status": status,
            "claim": claim,
            "platform": platform,
            "language": language,
            "sort": "" if sort == "newest" else sort,
        }

        def page_url(n: int) -> str:
            query = {k: v for k, v in filters.items() if v}
            return "/queue?" + urlencode({**query, "page": n})

        return page(
            request,
            "queue.html",
            moderator=moderator,
            tickets=tickets,
            last=store.last_messages([t.id for t in tickets]),
            counts=store.counts(config.platforms),
            filters=filters,
            page_number=number,
            newer_url=page_url(number - 1) if number > 1 else "",
            older_url=page_url(number + 1) if older else "",
            done="password_changed" if done == "password_changed" else "",
        )

    def moderator_ticket(ticket_id: int) -> Ticket:
        if not 1 <= ticket_id <= MAX_TICKET_ID:  # no such ticket (and no database overflow)
            raise HTTPException(status_code=404)
        ticket = visible(store.get(ticket_id))
        if ticket is None:
            raise HTTPException(status_code=404)
        return ticket

    def moderator_page(
        request: Request, moderator: Moderator, ticket: Ticket, done: str, status=200, draft=""
    ) -> HTMLResponse:
        return page(
            request,
            "moderator_ticket.html",
            status,
            moderator=moderator,
            ticket=ticket,
            messages=store.messages(ticket.id),
            deliveries=[r for r in outbox.rows(ticket_id=ticket.id) if r["kind"] != "announce"],
            done=done,
            draft=draft,
            delivered=ticket.platform in BOT_PLATFORMS,
        )

    @app.get("/queue/{ticket_id:int}", response_class=HTMLResponse)
    def queue_ticket(request: Request, ticket_id: int, done: str = "", confirm: str = ""):
        moderator = require(request)
        ticket = moderator_ticket(ticket_id)
        done = done if done in _MODERATOR_NOTES else ""
        if confirm == "close" and ticket.status == "open":  # "Close" asks once more
            done = "confirm_close"
        return moderator_page(request, moderator, ticket, done)

    @app.post("/queue/{ticket_id:int}/claim")
    def claim(request: Request, ticket_id: int, action: str = Form(""), csrf: str = Form("")):
        moderator = require(request)
        check_csrf(request, csrf)
        ticket = moderator_ticket(ticket_id)
        release, take_over = action == "release", action == "take_over"
        done = store.claim(ticket.id, moderator.name, release=release, take_over=take_over)
        if done:
            note = "released" if release else "claimed"
        else:  # closed, or a colleague claimed it first: the page shows who has it
            note = "not_open" if store.get(ticket.id).status != "open" else "claimed_by_other"
        return _back(f"/queue/{ticket.id}", done=note)

    @app.post("/queue/{ticket_id:int}/reply")
    def reply(request: Request, ticket_id: int, text: str = Form(""), csrf: str = Form("")):
        check_csrf(request, csrf)
        text = _form_text(text)
        moderator = moderator_of(request)
        if moderator is None:  # the session ran out while typing: the reply is not lost
            return page(
                request,
                "login.html",
                401,
                moderator=None,
                error="session_ended",
                next_page=_after_login(f"/queue/{ticket_id}"),
                draft=scan(text).redacted if text else "",
            )
        ticket = moderator_ticket(ticket_id)
        if not text:
            return _back(f"/queue/{ticket.id}")
        found = scan(text)  # all of it: a cut could leave most of a secret unrecognised
        if len(text) > MAX_TEXT:  # refused, not cut: the reply comes back to be shortened
            return moderator_page(request, moderator, ticket, "reply_too_long", 400, found.redacted)
        replied = store.reply(ticket.id, moderator.name, found.redacted, once=True)
        if replied == REPEATED:  # a double click: the member gets it once
            return _back(f"/queue/{ticket.id}", done="reply_repeat")
        if not replied:
            closed = store.get(ticket.id)  # closed by a colleague: the reply comes back
            return moderator_page(request, moderator, closed, "reply_not_open", 409, found.redacted)
        log.info("desk: %s replied to ticket %s", moderator.name, ticket.id)
        if ticket.platform not in BOT_PLATFORMS:  # `supportbot ask`, the console: no bot
            return _back(f"/queue/{ticket.id}", done="reply_kept")
        return _back(
            f"/queue/{ticket.id}", done="reply_removed" if found.sensitive else "reply_sent"
        )

    @app.post("/queue/{ticket_id:int}/close")
    def close(request: Request, ticket_id: int, csrf: str = Form("")):
        moderator = require(request)
        check_csrf(request, csrf)
        ticket = moderator_ticket(ticket_id)
        done = store.close(ticket.id, reason="moderator", ask_rating=True)
        log.info("desk: %s closed ticket %s", moderator.name, ticket.id)
        return _back(f"/queue/{ticket.id}", done="closed_done" if done else "not_open")

    @app.post("/queue/{ticket_id:int}/reopen")
    def reopen(request: Request, ticket_id: int, csrf: str = Form("")):
        moderator = require(request)
        check_csrf(request, csrf)
        ticket = moderator_ticket(ticket_id)
        done = store.reopen(ticket.id)
        log.info("desk: %s reopened ticket %s", moderator.name, ticket.id)
        return _back(f"/queue/{ticket.id}", done="reopened" if done else "not_reopened")

    @app.get("/healthz")
    def health() -> Response:
        return PlainTextResponse("ok")

    return app


_MEMBER_NOTES = {"sent", "removed", "empty", "rated", "not_rated"}
_MODERATOR_NOTES = {
    "claimed",
    "claimed_by_other",
    "released",
    "reply_sent",
    "reply_kept",
    "reply_repeat",
    "reply_removed",
    "closed_done",
    "not_open",
    "reopened",
    "not_reopened",
}


class _LoginRequired(Exception):
    pass


def _form_text(raw: str) -> str:
    """A form's text as the member or moderator typed it: browsers send line breaks as two
    characters (CR LF) but count them as one against ``maxlength``."""
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def _after_login(path: str) -> str:
    """Where a login leads: a desk page named in ``next``, never another site."""
    return path if re.fullmatch(r"/queue(/[0-9]{1,10})?|/password", path or "") else "/queue"


def _back(path: str, **query: str) -> RedirectResponse:
    """Post/redirect/get: a 303 back to the page (a note in the query, never a text)."""
    query = {k: v for k, v in query.items() if v}
    return RedirectResponse(path + ("?" + urlencode(query) if query else ""), 303)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


async def _sweep(store: TicketStore, config: DeskConfig, stop: asyncio.Event) -> None:
    """Close idle tickets every minute (each member is asked for a rating)."""
    while not stop.is_set():
        try:
            closed = await asyncio.to_thread(store.close_idle, config.idle_hours)
            if closed:
                log.info("desk: closed %d idle ticket(s)", len(closed))
        except Exception as exc:
            log.error("desk: closing idle tickets failed: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), config.sweep_seconds)
        except TimeoutError:
            pass
