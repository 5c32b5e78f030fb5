"""A fake Telegram Bot API server on 127.0.0.1, for driving the real python-telegram-bot.

It answers ``POST /bot<token>/<method>`` (form-encoded, JSON or multipart; non-string values
arrive JSON-encoded) the way Telegram does, records every call (method, parameters and the raw
request body), and lets a test inject updates: messages, edits, button presses, photos and
update kinds the bot does not know. Rules real Telegram enforces are enforced here too: texts
over 4,096 characters, callback_data over 64 bytes, replies to deleted messages, deleting
without the right, private messages to users who never started the bot, and a 429 with
``retry_after`` when told to.

    fake = FakeTelegram()
    await fake.start()                     # fake.api_url -> TELEGRAM_API_URL
    fake.send_private("/start")            # queue an update for getUpdates
    call = await fake.wait_call("sendMessage")
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 777000111
BOT_USERNAME = "TestSupportBot"
USER = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice"}
OTHER_USER = {"id": 1002, "is_bot": False, "first_name": "Bob"}
ADMIN_USER = {"id": 1003, "is_bot": False, "first_name": "Carol", "username": "carol_admin"}
GROUP = {"id": -1001234567890, "type": "supergroup", "title": "TestEx Community"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    raw: str  # the request body as received (to search for anything that leaked)
    path: str
    status: int = 200
    result: Any = None  # what the fake answered ("result" of an ok answer)


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
    calls: list[Call] = field(default_factory=list)
    # chat id -> {user id -> status}; the bot is an administrator with delete rights by default
    members: dict[int, dict[int, str]] = field(default_factory=dict)
    can_delete: bool = True
    started_users: set[int] = field(default_factory=set)  # users with a private chat

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._changed = asyncio.Condition()
        self._failures: dict[str, list[dict[str, Any]]] = {}
        self.deleted: set[tuple[int, int]] = set()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # every message, by chat+id
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    # --- server ------------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True  # long polls in progress return at once
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The base URL python-telegram-bot appends the token to."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def api_url_with_placeholder(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot{{token}}"

    # --- what the bot did --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self) -> list[str]:
        return [c.params.get("text", "") for c in self.calls_to("sendMessage")]

    async def wait_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        *,
        timeout: float = 30.0,
        after: int = 0,
    ) -> Call:
        """The first call of ``method`` (from index ``after`` on) that fits ``predicate``."""

        def find() -> Call | None:
            for call in self.calls[after:]:
                if call.method == method and predicate(call):
                    return call
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(find), timeout)
        found = find()
        assert found is not None
        return found

    async def wait_polls(self, count: int = 1, *, timeout: float = 60.0) -> None:
        """Wait until the bot has asked for updates ``count`` more times."""
        start = len(self.calls_to("getUpdates"))
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls_to("getUpdates")) >= start + count),
                timeout,
            )

    async def settle(self, *, polls: int = 2, timeout: float = 30.0) -> None:
        """Wait until every queued update was fetched and the bot polled again ``polls`` times
        (so it has had time to act on them)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: not self._updates), timeout)
        await self.wait_polls(polls, timeout=timeout)

    def fail_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 Too Many Requests."""
        error = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }
        self._failures.setdefault(method, []).extend([error] * times)

    def fail_next_with(
        self, method: str, status: int, description: str, times: int = 1, *, skip: int = 0
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with this HTTP error (502: Telegram
        away for a moment; 400: a request it refuses); ``skip``: let that many go through
        first."""
        error = {"ok": False, "error_code": status, "description": description}
        self._failures.setdefault(method, []).extend([None] * skip + [error] * times)

    # --- updates the test injects --------------------------------------------------------------

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, kind: payload})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def _message(
        self,
        text: str | None,
        chat: dict[str, Any],
        user: dict[str, Any],
        *,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message_id = next(self._message_ids)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **extra,
        }
        if text is not None:
            message["text"] = text
            entities = []
            if text.startswith("/"):
                length = len(text.split()[0]) if text.split() else 1
                entities.append({"type": "bot_command", "offset": 0, "length": length})
            at = text.find("@" + BOT_USERNAME)
            if at >= 0:
                entities.append({"type": "mention", "offset": at, "length": len(BOT_USERNAME) + 1})
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat["id"], message_id)] = message
        return message

    def private_chat(self, user: dict[str, Any] = USER) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def send_private(
        self, text: str | None, user: dict[str, Any] = USER, **extra: Any
    ) -> dict[str, Any]:
        self.started_users.add(user["id"])
        message = self._message(text, self.private_chat(user), user, **extra)
        self.push("message", message)
        return message

    def send_group(
        self,
        text: str | None,
        user: dict[str, Any] = USER,
        *,
        chat: dict[str, Any] = GROUP,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message = self._message(text, chat, user, reply_to=reply_to, **extra)
        self.push("message", message)
        return message

    def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        self.messages[(message["chat"]["id"], message["message_id"])] = edited
        self.push("edited_message", edited)
        return edited

    def send_photo(
        self, user: dict[str, Any] = USER, *, chat: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A photo without a caption."""
        photo = [
            {
                "file_id": "AgACAgIAAxkBAAIBPhotoFileId",
                "file_unique_id": "AQADPhoto",
                "width": 90,
                "height": 90,
                "file_size": 1234,
            }
        ]
        chat = chat or self.private_chat(user)
        if chat["type"] == "private":
            self.started_users.add(user["id"])
        message = self._message(None, chat, user, photo=photo, **extra)
        self.push("message", message)
        return message

    def press(self, bot_message: dict[str, Any], data: str, user: dict[str, Any] = USER) -> int:
        """A press on an inline button under one of the bot's messages."""
        query = {
            "id": str(next(self._update_ids) * 1000),
            "from": user,
            "chat_instance": "42",
            "message": bot_message,
            "data": data,
        }
        return self.push("callback_query", query)

    def push_unknown(self) -> int:
        """An update kind the bot does not subscribe to (and one the library does not know)."""
        self.push(
            "poll",
            {
                "id": "5",
                "question": "Moon?",
                "options": [{"text": "yes", "voter_count": 1}],
                "total_voter_count": 1,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        )
        return self.push("some_future_update", {"whatever": True})

    # --- the Bot API ---------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], str]:
        raw = await request.text() if request.can_read_body else ""
        params: dict[str, Any] = dict(request.query)
        content_type = request.content_type
        if content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif content_type == "multipart/form-data":
            form = await request.post()
            params.update({k: v if isinstance(v, str) else "<file>" for k, v in form.items()})
        elif raw:
            from urllib.parse import parse_qsl

            params.update(parse_qsl(raw, keep_blank_values=True))
        for key, value in list(params.items()):
            if isinstance(value, str) and value[:1] in "[{" and value[-1:] in "]}":
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params, raw

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG fake")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, raw = await self._params(request)
        call = Call(method, params, raw, request.path)
        if method == "getUpdates":  # recorded as it starts: tests wait for the bot to poll
            self.calls.append(call)
            await self._notify()
        response = await self._respond(request, method, params)
        call.status = response.status
        if isinstance(response.body, bytes):
            call.result = json.loads(response.body).get("result")
        if method != "getUpdates":
            self.calls.append(call)
            await self._notify()
        return response

    async def _respond(
        self, request: web.Request, method: str, params: dict[str, Any]
    ) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        failures = self._failures.get(method)
        failure = failures.pop(0) if failures else None
        if failure is not None:
            return web.json_response(failure, status=failure["error_code"])
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return handler(params)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            await self._notify()
        if not self._updates and timeout > 0:
            async with self._changed:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
                except TimeoutError:
                    pass
        return web.json_response({"ok": True, "result": list(self._updates[:100])})

    def _api_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "TestEx Support",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": True,
                "supports_inline_queries": False,
            }
        )

    def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        text = params.get("text", "")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup:
            for row in markup.get("inline_keyboard", []):
                for key in row:
                    if len(key.get("callback_data", "").encode()) > 64:
                        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        entities = params.get("entities") or []
        size = len(text.encode("utf-16-le")) // 2
        for entity in entities:  # as Telegram checks them
            offset, length = int(entity.get("offset", -1)), int(entity.get("length", 0))
            if offset < 0 or length < 1 or offset + length > size:
                return _error(400, "Bad Request: can't parse entities: entity out of range")
            if entity.get("type") == "text_mention" and "id" not in (entity.get("user") or {}):
                return _error(400, "Bad Request: can't parse entities: user not specified")
        if chat_id > 0 and chat_id != BOT_ID and chat_id not in self.started_users:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        quote = params.get("reply_parameters") or {}
        if quote and (chat_id, int(quote["message_id"])) in self.deleted:
            if not quote.get("allow_sending_without_reply"):
                return _error(400, "Bad Request: message to be replied not found")
        if chat_id > 0:
            chat = {"id": chat_id, "type": "private", "first_name": "User"}
        else:
            chat = {**GROUP, "id": chat_id}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "TestEx Support"},
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        if entities:
            message["entities"] = entities
        self.messages[(chat_id, message["message_id"])] = message
        return _ok(message)

    def _api_deleteMessage(self, params: dict[str, Any]) -> web.Response:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key[0] < 0 and not self.can_delete:
            return _error(400, "Bad Request: message can't be deleted")
        if key in self.deleted or key not in self.messages:
            return _error(400, "Bad Request: message to delete not found")
        self.deleted.add(key)
        return _ok(True)

    def _api_getChatMember(self, params: dict[str, Any]) -> web.Response:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        if user_id == BOT_ID:
            return _ok(self._member(BOT_ID, "administrator"))
        status = self.members.get(chat_id, {}).get(user_id, "member")
        return _ok(self._member(user_id, status))

    def _api_getChatAdministrators(self, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        admins = [self._member(BOT_ID, "administrator")]
        admins += [
            self._member(user_id, status)
            for user_id, status in self.members.get(chat_id, {}).items()
            if status in ("administrator", "creator")
        ]
        return _ok(admins)

    def _member(self, user_id: int, status: str) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": f"User{user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=self.can_delete,
                can_manage_video_chats=False,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=False,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        elif status == "creator":
            member.update(is_anonymous=False)
        return member

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_setMyCommands(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> web.Response:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        message = {**message, "reply_markup": params.get("reply_markup")}
        self.messages[key] = message
        return _ok(message)

    def _api_close(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_logOut(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )
