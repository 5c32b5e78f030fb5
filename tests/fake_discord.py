"""A fake Discord (REST + gateway) on 127.0.0.1 for running the real discord.py against.

    fake = FakeDiscord()
    await fake.start()
    # point discord.py at fake.api_url (REST base, ends in /api/v10) and fake.gateway_url
    await fake.wait_identified()
    await fake.message_create(fake.dm_message("hello"))
    post = await fake.wait_for_post(channel_id=fake.dm_channel_id)
    await fake.close()

Every HTTP request is recorded (method, path, query, headers, raw body, parsed JSON), and
every gateway frame the client sends too, so a test can search the whole log for text that
must never leave the bot. The gateway speaks plain JSON text frames (discord.py asks for
zlib-stream but accepts uncompressed frames).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

# Permission bits (https://discord.com/developers/docs/topics/permissions)
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
READ_MESSAGE_HISTORY = 1 << 16

API_PREFIX = "/api/v10"


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    json: Any = None

    def dump(self) -> str:
        """Everything the client sent in this request, as one searchable string."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        decoded = json.dumps(self.json, ensure_ascii=False) if self.json is not None else ""
        return f"{self.method} {self.path}?{self.query}\n{headers}\n{self.body}\n{decoded}"


@dataclass
class _Failure:
    status: int
    retry_after: float = 0.0
    code: int = 0
    message: str = ""


@dataclass
class FakeDiscord:
    bot_id: int = 900000000000000001
    app_id: int = 900000000000000002
    guild_id: int = 800000000000000001
    support_channel_id: int = 800000000000000010
    general_channel_id: int = 800000000000000011
    moderator_role_id: int = 800000000000000020
    bot_role_id: int = 800000000000000021
    heartbeat_interval_ms: int = 41250
    bot_can_manage_messages: bool = True
    requests: list[Request] = field(default_factory=list)
    gateway_frames: list[dict] = field(default_factory=list)  # what the client sent
    commands: list[dict] = field(default_factory=list)  # registered application commands

    def __post_init__(self) -> None:
        self._ids = itertools.count(700000000000000001)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._failures: dict[tuple[str, str], list[_Failure]] = {}
        self._dm_closed: set[int] = set()
        self._dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.messages: dict[int, dict] = {}  # every message the fake knows, by id
        self.identified = 0
        self.heartbeats = 0
        self.connections = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def new_id(self) -> int:
        return next(self._ids)

    # --- test controls ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path: str,
        status: int = 429,
        *,
        retry_after: float = 0.5,
        code: int = 0,
        message: str = "",
        skip: int = 0,
    ) -> None:
        """Answer the next METHOD PATH (without /api/v10) with an error (429 by default);
        ``skip``: let that many go through first."""
        failure = _Failure(status, retry_after, code, message)
        queue = self._failures.setdefault((method.upper(), path), [])
        queue.extend([None] * skip + [failure])

    def rate_limit_next_post(self, channel_id: int, retry_after: float = 0.5) -> None:
        """The next POST /channels/{id}/messages gets a 429 with Retry-After."""
        self.fail_next("POST", f"/channels/{channel_id}/messages", 429, retry_after=retry_after)

    def close_dms(self, user_id: int) -> None:
        """Sending to this user's DM channel fails like a user with DMs closed (50007)."""
        self._dm_closed.add(user_id)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until predicate() is truthy (checked after every request and frame)."""

        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(waiter(), timeout)

    async def wait_identified(self, count: int = 1, timeout: float = 15.0) -> None:
        await self.wait_until(lambda: self.identified >= count, timeout)

    def posts(self, channel_id: int | None = None, *, since: int = 0) -> list[Request]:
        """Successful message posts (channel messages and interaction follow-ups)."""
        found = []
        for req in self.requests[since:]:
            if req.method != "POST" or getattr(req, "status", 200) >= 300:
                continue
            if channel_id is not None and req.path == f"/channels/{channel_id}/messages":
                found.append(req)
            elif channel_id is None and (
                req.path.endswith("/messages") or req.path.startswith("/webhooks/")
            ):
                found.append(req)
        return found

    async def wait_for_post(
        self, channel_id: int | None = None, *, since: int = 0, count: int = 1, timeout=15.0
    ) -> list[Request]:
        return await self.wait_until(
            lambda: (p := self.posts(channel_id, since=since)) and len(p) >= count and p, timeout
        )

    async def wait_for_request(
        self, method: str, path: str, *, since: int = 0, timeout: float = 15.0
    ) -> Request:
        def find() -> Request | None:
            for req in self.requests[since:]:
                if req.method == method and req.path == path:
                    return req
            return None

        return await self.wait_until(find, timeout)

    def log_text(self) -> str:
        """Every request and every gateway frame the client sent, as one string."""
        parts = [r.dump() for r in self.requests]
        parts += [json.dumps(f, ensure_ascii=False) for f in self.gateway_frames]
        return "\n".join(parts)

    # --- payload builders ---------------------------------------------------------------

    def user(self, user_id: int, name: str = "alice", *, bot: bool = False) -> dict:
        return {
            "id": str(user_id),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }

    def member(self, roles: list[int] | None = None) -> dict:
        return {
            "roles": [str(r) for r in roles or []],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        }

    def _message(self, channel_id: int, content: str, author: dict, **extra) -> dict:
        mid = extra.pop("id", None) or self.new_id()
        data = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        data.update(extra)
        self.messages[mid] = data
        return data

    def dm_message(
        self, content: str, *, user_id: int = 600000000000000001, name: str = "alice", **extra
    ) -> dict:
        """A direct message from a member to the bot (no guild_id; channel_type 1)."""
        channel_id = self._dm_channels.setdefault(user_id, self.new_id())
        extra.setdefault("channel_type", 1)
        return self._message(channel_id, content, self.user(user_id, name), **extra)

    def dm_channel_of(self, user_id: int = 600000000000000001) -> int:
        return self._dm_channels.setdefault(user_id, self.new_id())

    def guild_message(
        self,
        content: str,
        *,
        channel_id: int | None = None,
        user_id: int = 600000000000000002,
        name: str = "bob",
        roles: list[int] | None = None,
        mention_bot: bool = False,
        **extra,
    ) -> dict:
        """A message in a server channel (the general channel unless told otherwise)."""
        channel_id = channel_id or self.general_channel_id
        if mention_bot:
            content = f"<@{self.bot_id}> {content}"
            extra.setdefault("mentions", [self.user(self.bot_id, "supportbot", bot=True)])
        extra.setdefault("guild_id", str(self.guild_id))
        extra.setdefault("member", self.member(roles))
        return self._message(channel_id, content, self.user(user_id, name), **extra)

    def edited(self, message: dict, content: str) -> dict:
        """The MESSAGE_UPDATE payload for an edit of ``message`` (a full message object)."""
        data = dict(message, content=content, edited_timestamp="2024-01-01T00:01:00+00:00")
        self.messages[int(data["id"])] = data
        return data

    def attachment(self, filename: str = "screenshot.png") -> dict:
        return {
            "id": str(self.new_id()),
            "filename": filename,
            "size": 1234,
            "url": f"http://127.0.0.1:{self.port}/attachments/{filename}",
            "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{filename}",
            "content_type": "image/png",
        }

    def interaction(
        self,
        type_: int,
        data: dict,
        *,
        user_id: int = 600000000000000002,
        name: str = "bob",
        channel_id: int | None = None,
        in_guild: bool = True,
        roles: list[int] | None = None,
        permissions: int = VIEW_CHANNEL | SEND_MESSAGES,
        message: dict | None = None,
        locale: str = "en-US",
    ) -> dict:
        """INTERACTION_CREATE: type 2 = application command, 3 = component (button)."""
        iid = self.new_id()
        channel_id = channel_id or (
            self.general_channel_id if in_guild else self.dm_channel_of(user_id)
        )
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": type_,
            "data": data,
            "channel_id": str(channel_id),
            "token": f"itoken{iid}",
            "version": 1,
            "locale": locale,
            "app_permissions": str(VIEW_CHANNEL | SEND_MESSAGES | MANAGE_MESSAGES),
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        user = self.user(user_id, name)
        if in_guild:
            payload["guild_id"] = str(self.guild_id)
            payload["guild_locale"] = "en-US"
            payload["channel"] = self._channel(channel_id, "general")
            payload["member"] = dict(self.member(roles), user=user, permissions=str(permissions))
            payload["context"] = 0
        else:
            payload["user"] = user
            payload["channel"] = {
                "id": str(channel_id),
                "type": 1,
                "recipients": [user],
            }
            payload["context"] = 1
        if message is not None:
            payload["message"] = message
        return payload

    def button_press(self, message: dict, custom_id: str, **kw) -> dict:
        """A press of the button ``custom_id`` under a message the bot posted."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self.interaction(3, data, message=message, **kw)

    def slash_command(self, name: str, options: list[dict] | None = None, **kw) -> dict:
        cmd = self._command_id(name, 1)
        data = {"id": cmd, "name": name, "type": 1, "options": options or []}
        if kw.get("in_guild", True):
            data["guild_id"] = str(self.guild_id)
        return self.interaction(2, data, **kw)

    def message_command(self, name: str, target: dict, **kw) -> dict:
        cmd = self._command_id(name, 3)
        data = {
            "id": cmd,
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
            "guild_id": str(self.guild_id),
        }
        return self.interaction(2, data, **kw)

    def _command_id(self, name: str, type_: int) -> str:
        for command in self.commands:
            if command["name"] == name and command.get("type", 1) == type_:
                return command["id"]
        return str(self.new_id())

    def message_from_post(self, req: Request) -> dict | None:
        """The message object the fake answered a post with."""
        return getattr(req, "answer", None)

    # --- gateway ------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict) -> None:
        assert self._ws is not None, "no client connected"
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        await self._ws.send_str(json.dumps(frame))

    async def message_create(self, data: dict) -> None:
        await self.dispatch("MESSAGE_CREATE", data)

    async def message_update(self, data: dict) -> None:
        await self.dispatch("MESSAGE_UPDATE", data)

    async def interaction_create(self, data: dict) -> None:
        await self.dispatch("INTERACTION_CREATE", data)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._ws = ws
        self.connections += 1
        await ws.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            self.gateway_frames.append(frame)
            op = frame.get("op")
            if op == 1:
                self.heartbeats += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._ready(ws, frame["d"])
                self.identified += 1
            elif op == 6:
                await ws.send_str(
                    json.dumps({"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}})
                )
            await self._notify()
        if self._ws is ws:
            self._ws = None
        await self._notify()
        return ws

    async def _ready(self, ws: web.WebSocketResponse, identify: dict) -> None:
        shard = identify.get("shard") or [0, 1]
        ready = {
            "v": 10,
            "user": dict(self.user(self.bot_id, "supportbot", bot=True), verified=True),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "shard": shard,
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": ready}))
        await ws.send_str(
            json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": self._guild()})
        )

    def _channel(self, channel_id: int, name: str) -> dict:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def _guild(self) -> dict:
        everyone = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
        bot_perms = everyone | (MANAGE_MESSAGES if self.bot_can_manage_messages else 0)

        def role(rid: int, name: str, perms: int, position: int) -> dict:
            return {
                "id": str(rid),
                "name": name,
                "permissions": str(perms),
                "position": position,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }

        return {
            "id": str(self.guild_id),
            "name": "TestEx Community",
            "icon": None,
            "owner_id": "600000000000000099",
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "voice_states": [],
            "presences": [],
            "roles": [
                role(self.guild_id, "@everyone", everyone, 0),
                role(self.moderator_role_id, "Support Team", everyone, 1),
                role(self.bot_role_id, "Supportbot", bot_perms, 2),
            ],
            "channels": [
                self._channel(self.support_channel_id, "support"),
                self._channel(self.general_channel_id, "general"),
            ],
            "members": [
                dict(
                    self.member([self.bot_role_id]),
                    user=self.user(self.bot_id, "supportbot", bot=True),
                )
            ],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "system_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
        }

    # --- REST ---------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        parsed = None
        if request.content_type == "application/json" and body:
            parsed = json.loads(body)
        elif body and request.content_type.startswith("multipart/"):
            parsed = _payload_json(body)
        path = "/" + request.match_info["tail"]
        req = Request(
            request.method, path, dict(request.query), dict(request.headers), body, parsed
        )
        self.requests.append(req)
        try:
            status, answer = await self._route(req)
        except _Reject as exc:
            status, answer = exc.status, exc.body
            req.status = status  # type: ignore[attr-defined]
            await self._notify()
            return exc.response()
        req.status = status  # type: ignore[attr-defined]
        req.answer = answer  # type: ignore[attr-defined]
        await self._notify()
        if status == 204:
            return web.Response(status=204)
        return _json(answer, status)

    async def _route(self, req: Request) -> tuple[int, Any]:
        failures = self._failures.get((req.method, req.path))
        failure = failures.pop(0) if failures else None
        if failure is not None:
            if failure.status == 429:
                raise _Reject(
                    429,
                    {
                        "message": "You are being rate limited.",
                        "retry_after": failure.retry_after,
                        "global": False,
                    },
                    # discord.py treats a 429 without a Via header as a Cloudflare ban
                    # and raises instead of waiting; Discord's own 429s carry one.
                    {
                        "Retry-After": str(failure.retry_after),
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
            raise _Reject(
                failure.status, {"message": failure.message or "error", "code": failure.code}
            )
        method, parts = req.method, req.path.strip("/").split("/")
        if method == "GET" and req.path == "/users/@me":
            return 200, dict(self.user(self.bot_id, "supportbot", bot=True), verified=True)
        if method == "GET" and req.path == "/oauth2/applications/@me":
            return 200, self._application()
        if method == "GET" and req.path in ("/gateway/bot", "/gateway"):
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if parts[:1] == ["applications"] and parts[2:3] == ["commands"]:
            if method == "GET":
                return 200, self.commands
            if method == "PUT":
                self.commands = [
                    {
                        "type": 1,
                        "description": "",
                        **c,
                        "id": str(self.new_id()),
                        "application_id": str(self.app_id),
                        "version": "1",
                    }
                    for c in req.json or []
                ]
                return 200, self.commands
        if method == "POST" and req.path == "/users/@me/channels":
            user_id = int(req.json["recipient_id"])
            channel_id = self.dm_channel_of(user_id)
            return 200, {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.user(user_id)],
            }
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            channel_id = int(parts[1])
            if method == "POST" and len(parts) == 3:
                if any(channel_id == self._dm_channels.get(u) for u in self._dm_closed):
                    raise _Reject(
                        403, {"message": "Cannot send messages to this user", "code": 50007}
                    )
                return 200, self._posted(channel_id, req.json or {})
            if len(parts) == 4:
                mid = int(parts[3])
                if method == "DELETE":
                    if not self.bot_can_manage_messages:
                        raise _Reject(403, {"message": "Missing Permissions", "code": 50013})
                    if self.messages.pop(mid, None) is None:
                        raise _Reject(404, {"message": "Unknown Message", "code": 10008})
                    return 204, None
                if method == "GET":
                    if mid not in self.messages:
                        raise _Reject(404, {"message": "Unknown Message", "code": 10008})
                    return 200, self.messages[mid]
                if method == "PATCH":
                    return 200, self.edited(self.messages[mid], (req.json or {}).get("content"))
            if method == "GET" and len(parts) == 3:
                found = [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]
                return 200, list(reversed(found))[: int(req.query.get("limit", 50))]
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return 200, {
                "interaction": {
                    "id": parts[1],
                    "type": (req.json or {}).get("type", 5),
                    "response_message_loading": (req.json or {}).get("type") == 5,
                    "response_message_ephemeral": bool(
                        ((req.json or {}).get("data") or {}).get("flags", 0) & 64
                    ),
                }
            }
        if parts[0] == "webhooks" and len(parts) >= 3:
            if method == "POST":
                return 200, self._posted(self.general_channel_id, req.json or {}, webhook=True)
            if method in ("PATCH", "GET"):
                return 200, self._posted(self.general_channel_id, req.json or {}, webhook=True)
        raise _Reject(404, {"message": "404: Not Found (fake)", "code": 0})

    def _posted(self, channel_id: int, body: dict, *, webhook: bool = False) -> dict:
        content = body.get("content") or ""
        data = self._message(
            channel_id,
            content,
            self.user(self.bot_id, "supportbot", bot=True),
            components=body.get("components") or [],
            embeds=body.get("embeds") or [],
            flags=body.get("flags", 0),
        )
        if webhook:
            data["webhook_id"] = str(self.app_id)
        return data

    def _application(self) -> dict:
        return {
            "id": str(self.app_id),
            "name": "supportbot",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user(600000000000000099, "owner"),
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": (1 << 15) | (1 << 19),  # message content intent (limited) granted
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }


class _Reject(Exception):
    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}

    def response(self) -> web.Response:
        return _json(self.body, self.status, self.headers)


def _json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    # Exactly "application/json": discord.py's login fails on a charset suffix.
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _payload_json(body: str) -> Any:
    """The payload_json part of a multipart body (messages with files), if any."""
    marker = 'name="payload_json"'
    if marker not in body:
        return None
    rest = body.split(marker, 1)[1]
    start = rest.find("{")
    if start < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(rest[start:])[0]
    except ValueError:
        return None
