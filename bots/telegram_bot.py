"""The Telegram front-end: Telegram updates in, :class:`Incoming` to the core, replies out.

Run by ``supportbot run telegram``. All decisions (the guard, answers, tickets, warnings and
their wording) are the core's; this module only translates:

- a message or an *edited* message (text or caption) -> ``pipeline.handle``. In groups every
  message goes to the core, so the guard sees all chatter and every edit; ``addressed`` is True
  only when the bot is mentioned, replied to or given one of its commands, and the core stays
  quiet otherwise.
- a button press (callback query) -> ``Incoming.payload``; the query is answered by the first
  reply (a private notice in a group becomes an alert to the presser alone), else after it.
- ``/escalate`` replying to a member's message in a group -> ``pipeline.escalate`` for that
  member (group administrators only; the core tells others they may not).
- ``/reload`` and ``/status``: group administrators and the ids in ``TELEGRAM_ADMIN_IDS`` are
  moderators.

Environment (besides ``TELEGRAM_TOKEN`` and ``TELEGRAM_API_URL`` in shared.settings):

- ``TELEGRAM_ADMIN_IDS``: comma-separated Telegram user ids that may ``/reload`` and
  ``/status`` anywhere (also in a private chat with the bot).
- ``TELEGRAM_POLL_TIMEOUT``: long-polling timeout in seconds (default 30).
- ``TELEGRAM_FILE_URL``: the file download URL of a self-hosted Bot API server (default:
  derived from ``TELEGRAM_API_URL``).
- ``TELEGRAM_WEBHOOK_URL``: the public HTTPS URL Telegram should post updates to; when set,
  the bot runs a webhook server instead of polling. ``TELEGRAM_WEBHOOK_LISTEN`` (default
  0.0.0.0) and ``TELEGRAM_WEBHOOK_PORT`` (default 8443) say where that server listens (behind
  a reverse proxy that terminates TLS); ``TELEGRAM_WEBHOOK_SECRET`` fixes the secret token
  Telegram sends along (default: a new random one at every start).
- ``TELEGRAM_STAFF_CHAT``: the chat id of the staff group where new tickets are announced
  (a link to the desk, no message text). Unset: tickets are not announced.

The desk's outbox (shared.outbox) is delivered from here: moderators' replies to the member
(privately first for a group ticket, else in the chat the ticket came from), requests for a
rating when a ticket closes, and the announcements. A row is marked delivered only after
Telegram accepted the message.

Nothing here logs a message text or the token; the library's loggers stay at WARNING.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllPrivateChats,
    Chat,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bots.telegram_channel import Sender, TelegramChannel, keyboard
from shared.messages import Incoming
from shared.outbox import (
    SKIPPED,
    OutboxItem,
    PermanentFailure,
    Unsent,
    buttons_for,
    idle_hours_from_env,
    interval_from_env,
    run_outbox,
    without_ticket_links,
)
from shared.pipeline import Pipeline
from shared.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org/bot"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
# Commands the bot answers in a group even without @botname (others may belong to other bots).
OWN_COMMANDS = {"start", "help", "faq", "ticket", "escalate", "reload", "status"}
MODERATOR_COMMANDS = {"escalate", "reload", "status"}
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
ADMIN_CACHE_SECONDS = 60.0
LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore", "aiohttp.access")
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+|$)")


@dataclass
class TelegramConfig:
    """The Telegram-only settings, read from the environment (see the module docstring)."""

    token: str = field(repr=False)  # never in a printed config or a traceback
    api_url: str = DEFAULT_API_URL
    file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: set[str] = field(default_factory=set)
    poll_timeout: float = 30.0
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    staff_chat: str | None = None  # TELEGRAM_STAFF_CHAT

    @classmethod
    def from_env(cls, settings: Settings, env: dict[str, str] | None = None) -> TelegramConfig:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        if not settings.telegram_token:
            raise ValueError("TELEGRAM_TOKEN is not set")
        api_url, file_url = api_urls(settings.telegram_api_url, get("TELEGRAM_FILE_URL"))
        admin_ids = {part.strip() for part in (get("TELEGRAM_ADMIN_IDS") or "").split(",")}
        return cls(
            token=settings.telegram_token,
            api_url=api_url,
            file_url=file_url,
            admin_ids={i for i in admin_ids if i},
            poll_timeout=float(get("TELEGRAM_POLL_TIMEOUT") or 30),
            webhook_url=get("TELEGRAM_WEBHOOK_URL"),
            webhook_listen=get("TELEGRAM_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=int(get("TELEGRAM_WEBHOOK_PORT") or 8443),
            webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
            staff_chat=get("TELEGRAM_STAFF_CHAT"),
        )


def api_urls(api_url: str | None, file_url: str | None = None) -> tuple[str, str]:
    """python-telegram-bot's base_url and base_file_url for TELEGRAM_API_URL.

    The token is appended to the URL, or put where it holds ``{token}``. A URL without
    ``{token}`` that does not end in ``/bot`` gets ``/bot`` added, so the address of a
    self-hosted Bot API server (``http://host:8081``) works as it is.
    """
    if not api_url:
        return DEFAULT_API_URL, file_url or "https://api.telegram.org/file/bot"
    url = api_url.strip()
    if "{token}" not in url.lower() and not url.endswith("/bot"):
        url = url.rstrip("/") + "/bot"
    if file_url:
        return url, file_url
    at = url.rfind("/bot")
    return url, (url[:at] + "/file" + url[at:]) if at >= 0 else url


# --- updates -> Incoming -----------------------------------------------------------------------


@dataclass
class Parsed:
    """What the adapter reads off one message before it becomes an Incoming."""

    text: str
    command: str | None = None
    addressed: bool = False
    hidden_links: tuple[str, ...] = ()


def replied_to(message: Message) -> Message | None:
    """The message this one answers. In a forum topic Telegram sets every message's
    reply_to_message to the topic's creation message, even when the user replied to nothing."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return replied


def sender_of(message: Message) -> tuple[User | None, int, str]:
    """(the person, the sender's id, the sender's name). A message posted on behalf of a
    chat (a channel, or an anonymous administrator as the group itself) carries a placeholder
    account in from_user, the same for everyone: the chat is the sender then."""
    poster = message.sender_chat
    if poster is not None:
        return None, poster.id, poster.title or poster.username or ""
    user = message.from_user
    if user is None:
        return None, 0, ""
    return user, user.id, f"@{user.username}" if user.username else user.full_name


def hidden_links(message: Message) -> tuple[str, ...]:
    """The addresses of text links (a word whose link is not shown), in text and caption."""
    entities = (message.entities or ()) + (message.caption_entities or ())
    return tuple(e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url)


class TelegramFrontend:
    def __init__(self, pipeline: Pipeline, config: TelegramConfig, sender: Sender) -> None:
        self.pipeline = pipeline
        self.config = config
        self.sender = sender
        self.bot_id: int = 0
        self.username: str = ""
        self._admins: dict[tuple[int, int], tuple[float, bool]] = {}

    # --- reading a message ---------------------------------------------------------------

    def parse(self, message: Message, is_private: bool) -> Parsed:
        text = message.text or message.caption or ""
        links = hidden_links(message)
        own = self.username.lower()
        match = _COMMAND.match(text)
        if match:
            name, target = match.group(1).lower(), (match.group(2) or "").lower()
            rest = text[match.end() :].strip()
            if target == own or (not target and (is_private or name in OWN_COMMANDS)):
                return Parsed(rest, command=name, addressed=True, hidden_links=links)
        mentioned = False
        if own:
            mention = re.compile(rf"(?i)@{re.escape(self.username)}\b")
            if mention.search(text):
                mentioned = True
                text = " ".join(mention.sub(" ", text).split())
        entities = (message.entities or ()) + (message.caption_entities or ())
        for entity in entities:
            if entity.type == MessageEntity.TEXT_MENTION and entity.user:
                mentioned = mentioned or entity.user.id == self.bot_id
        replied = replied_to(message)
        to_bot = bool(replied and replied.from_user and replied.from_user.id == self.bot_id)
        return Parsed(text, addressed=is_private or mentioned or to_bot, hidden_links=links)

    async def is_moderator(
        self, chat: Chat, user_id: int, message: Message | None, *, listed: bool = True
    ) -> bool:
        """A group administrator (asked of Telegram, cached a minute); with ``listed`` also
        an id from TELEGRAM_ADMIN_IDS."""
        if listed and str(user_id) in self.config.admin_ids:
            return True
        if chat.type == ChatType.PRIVATE:
            return False
        if message is not None and message.sender_chat and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator posts as the group itself
        key = (chat.id, user_id)
        cached = self._admins.get(key)
        if cached and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
            return cached[1]
        try:
            member = await self.sender.call(lambda: chat.get_member(user_id))
        except TelegramError as exc:
            log.warning("could not look up a chat member's status: %s", exc.message)
            return False
        verdict = member.status in ADMIN_STATUSES
        self._admins[key] = (time.monotonic(), verdict)
        return verdict

    # --- handlers ------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message or update.edited_message
        if message is None:
            return
        chat = message.chat
        is_private = chat.type == ChatType.PRIVATE
        user, sender_id, user_name = sender_of(message)
        edited = update.edited_message is not None
        parsed = self.parse(message, is_private)
        channel = TelegramChannel(
            self.sender,
            chat.id,
            is_private=is_private,
            user_id=user.id if user else None,
            incoming_id=message.message_id,
            reply_to=message.message_id,
            thread_id=message.message_thread_id if message.is_topic_message else None,
        )
        moderator = False
        if parsed.command in MODERATOR_COMMANDS and not edited:
            # /escalate is for the group's own administrators; /reload and /status also for
            # the bot's operators listed in TELEGRAM_ADMIN_IDS.
            listed = parsed.command != "escalate"
            moderator = await self.is_moderator(chat, sender_id, message, listed=listed)
        msg = Incoming(
            text=parsed.text,
            channel=channel,
            platform="telegram",
            conversation_id=str(chat.id),
            thread_id=str(message.message_thread_id) if message.is_topic_message else None,
            user_id=str(sender_id),
            user_name=user_name or "",
            message_id=str(message.message_id),
            is_private=is_private,
            addressed=parsed.addressed,
            edited=edited,
            command=parsed.command,
            language=user.language_code if user else None,
            is_moderator=moderator,
            hidden_links=parsed.hidden_links,
        )
        target = replied_to(message)
        scanned = self.pipeline.scan(msg.text) if msg.text else None
        raw = message.text or message.caption or ""
        if parsed.command and raw and not (scanned and scanned.sensitive):
            # the command word can be what makes a secret one ("/password Summer2024!")
            whole = self.pipeline.scan(raw)
            if whole.sensitive:
                msg, scanned = replace(msg, text=raw, command=None), whole
        if (
            parsed.command == "escalate"
            and not (scanned and scanned.sensitive)
            and not is_private
            and not edited
            and target is not None
            and (target.from_user or target.sender_chat)
        ):
            await self.escalate(msg, target)
        else:  # the core keeps each member's messages in order (a secret goes first)
            await self.pipeline.handle(msg, scanned)

    async def escalate(self, msg: Incoming, target: Message) -> None:
        _, target_id, target_name = sender_of(target)
        await self.pipeline.escalate(
            msg,
            target_user_id=str(target_id),
            target_user_name=target_name,
            target_text=target.text or target.caption or "",
            target_is_bot=bool(target.from_user and target.from_user.is_bot),
        )

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if message is None or not query.data:
            try:
                await query.answer()  # stop the spinner: an inline-mode message or a game
            except TelegramError as exc:
                log.info("could not answer a callback query: %s", type(exc).__name__)
            return
        chat = message.chat
        is_private = chat.type == ChatType.PRIVATE
        label = ""
        if isinstance(message, Message) and message.reply_markup:
            for row in message.reply_markup.inline_keyboard:
                for key in row:
                    if key.callback_data == query.data:
                        label = key.text
        user = query.from_user
        topic = (
            getattr(message, "message_thread_id", None)
            if getattr(message, "is_topic_message", False)
            else None
        )
        channel = TelegramChannel(
            self.sender,
            chat.id,
            is_private=is_private,
            user_id=user.id,
            reply_to=message.message_id,
            thread_id=topic,
            pressed_id=message.message_id,
            press=query,  # answered by the first reply (see TelegramChannel.send) or below
        )
        msg = Incoming(
            text=label,
            channel=channel,
            platform="telegram",
            conversation_id=str(chat.id),
            thread_id=str(topic) if topic is not None else None,
            user_id=str(user.id),
            user_name=f"@{user.username}" if user.username else user.full_name,
            is_private=is_private,
            addressed=True,
            payload=query.data,
            language=user.language_code,
        )
        try:
            await self.pipeline.handle(msg)
        finally:
            await channel.answer_press()  # a press that got no reply still stops spinning

    async def deliver(self, item: OutboxItem) -> str | None:
        """One outbox row -> Telegram. Raises when Telegram refused (the row is retried, or
        given up on a PermanentFailure); returns SKIPPED when there is nowhere to send it."""
        if item.kind == "announce":
            if not self.config.staff_chat:
                return SKIPPED
            try:
                await self.sender.send_text(
                    self.config.staff_chat, item.text, save_rest=item.save_rest
                )
            except (Forbidden, BadRequest) as exc:
                raise PermanentFailure(f"staff chat: {type(exc).__name__}") from None
            return None
        chat_id, user_id = int(item.conversation_id or 0), int(item.user_id or 0)
        markup = keyboard(buttons_for(item))  # the rating stars (a press comes back as a query)
        # Users have positive ids (a private chat's id is its user's); groups and channels
        # negative: a ticket of a channel poster, or of an anonymous administrator (who posts
        # as the group), has no private chat, and its link must not go to a channel or group.
        private_ticket = chat_id > 0 and user_id == chat_id
        unsent = Unsent(item)
        if not private_ticket and user_id > 0:  # a group ticket: the member privately first
            try:
                await self.sender.send_text(
                    user_id, item.text, markup=markup, save_rest=unsent.save_rest
                )
                return None
            except (Forbidden, BadRequest):
                log.info("outbox: the member has no private chat with the bot; using the group")
        text = unsent.text if private_ticket else without_ticket_links(unsent.text)
        thread = int(item.thread_id) if item.thread_id else None  # its forum topic
        mention = None
        if not private_ticket and user_id > 0:  # the member, named and notified in the group
            mention = (user_id, await self._member_name(item))
        try:
            await self.sender.send_text(
                chat_id,
                text,
                markup=markup,
                thread_id=thread,
                save_rest=item.save_rest,
                mention=mention,
            )
        except (Forbidden, BadRequest) as exc:
            raise PermanentFailure(type(exc).__name__) from None
        return None

    async def _member_name(self, item: OutboxItem) -> str:
        """The name the ticket knows its member by (for a mention in the group)."""
        if item.ticket_id is None:
            return ""
        ticket = await asyncio.to_thread(self.pipeline.store.get, item.ticket_id)
        return ticket.user_name.lstrip("@") if ticket is not None else ""

    async def on_other(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.debug("ignored an update of a kind the bot does not handle")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else "-"
        # The exception's type and traceback only: its message might quote user text.
        log.error(
            "error while handling Telegram update %s: %s",
            update_id,
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )


# --- running -----------------------------------------------------------------------------------


class _NoReceivedData(logging.Filter):
    """The library logs a whole batch of updates (message texts included) when it cannot
    read one; keep the fact, drop the data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "Received data was" in record.msg:
            record.msg = record.msg.split("Received data was")[0] + "(data not logged)"
            record.args = None
        return True


def quiet_library_loggers() -> None:
    """At DEBUG the library logs the token (in the URL) and every message text."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET too: the root may be at DEBUG
            logger.setLevel(logging.WARNING)
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoReceivedData) for f in logger.filters):
            logger.addFilter(_NoReceivedData())


class TolerantBot(ExtBot):
    """An ExtBot that skips an update the library cannot read instead of stopping on it.

    When Telegram's API and the library disagree about one update (a new required field, a
    changed type), python-telegram-bot fails the whole getUpdates batch, never advances the
    offset and fetches the same batch forever: the bot goes deaf. Here such an update is
    replaced by an empty one with the same id, so the offset moves on and the rest is handled.
    """

    __slots__ = ()

    async def _do_post(self, endpoint: str, data, **kwargs):  # type: ignore[override]
        result = await super()._do_post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            result = [self._readable(update) for update in result]
        return result

    def _readable(self, update: dict) -> dict:
        try:
            Update.de_json(copy.deepcopy(update), self)
        except Exception as exc:
            log.warning(
                "skipped Telegram update %s: the library cannot read it (%s)",
                update.get("update_id"),
                type(exc).__name__,
            )
            return {"update_id": update.get("update_id")}
        return update


def build_application(config: TelegramConfig) -> Application:
    bot = TolerantBot(
        token=config.token,
        base_url=config.api_url,
        base_file_url=config.file_url,
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )
    return Application.builder().bot(bot).concurrent_updates(True).job_queue(None).build()


async def _register_commands(app: Application) -> None:
    """The command menus (best effort: a bot without them still works)."""
    private = [
        BotCommand("start", "Start / 开始"),
        BotCommand("help", "Help / 帮助"),
        BotCommand("faq", "Topics / 常见问题"),
        BotCommand("ticket", "Talk to a human / 转人工"),
    ]
    admins = [
        BotCommand("escalate", "Reply to a message: open a ticket / 回复消息以创建工单"),
        BotCommand("reload", "Reload the knowledge / 重新加载知识库"),
        BotCommand("status", "Knowledge status / 知识库状态"),
    ]
    try:
        await app.bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
        await app.bot.set_my_commands(admins, scope=BotCommandScopeAllChatAdministrators())
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc.message)


async def _start_webhook(app: Application, config: TelegramConfig):
    """An aiohttp server that puts Telegram's POSTed updates on the application's queue."""
    from aiohttp import web

    secret = config.webhook_secret or secrets.token_urlsafe(32)
    path = urlsplit(config.webhook_url or "").path or "/"

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except Exception as exc:  # answer 200 anyway, or Telegram sends it again forever
            log.warning(
                "webhook: skipped an update the library cannot read (%s)", type(exc).__name__
            )
            return web.Response()
        if update is not None:
            await app.update_queue.put(update)
        return web.Response()

    web_app = web.Application()
    web_app.router.add_post(path, receive)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, config.webhook_listen, config.webhook_port).start()
    await app.bot.set_webhook(
        url=config.webhook_url,
        allowed_updates=ALLOWED_UPDATES,
        secret_token=secret,
        drop_pending_updates=False,
    )
    log.info(
        "telegram: webhook server on %s:%d%s",
        config.webhook_listen,
        config.webhook_port,
        path,
    )
    return runner


async def serve(pipeline: Pipeline, settings: Settings, stop: asyncio.Event) -> None:
    """Run the Telegram bot until ``stop`` is set, then shut down cleanly."""
    config = TelegramConfig.from_env(settings)
    quiet_library_loggers()
    app = build_application(config)
    sender = Sender(app.bot)
    frontend = TelegramFrontend(pipeline, config, sender)
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE, frontend.on_message
        )
    )
    app.add_handler(CallbackQueryHandler(frontend.on_callback))
    app.add_handler(TypeHandler(object, frontend.on_other))
    app.add_error_handler(frontend.on_error)

    def polling_failed(exc: TelegramError) -> None:
        log.warning("telegram: polling failed (%s); trying again", type(exc).__name__)

    try:
        await app.initialize()  # getMe: a wrong token fails here
    except TelegramError as exc:  # the library's message holds the token: never print it
        detail = str(exc).replace(config.token, "[token]")
        raise RuntimeError(f"Telegram start-up failed: {type(exc).__name__}: {detail}") from None
    runner = None
    deliveries: asyncio.Task | None = None
    outbox_stop = asyncio.Event()
    try:
        frontend.bot_id, frontend.username = app.bot.id, app.bot.username or ""
        await _register_commands(app)
        await app.start()
        if config.webhook_url:
            runner = await _start_webhook(app, config)
        else:
            await app.updater.start_polling(
                timeout=config.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                error_callback=polling_failed,
            )
            log.info("telegram: polling as @%s", frontend.username)
        deliveries = asyncio.create_task(
            run_outbox(
                pipeline.store,
                "telegram",
                frontend.deliver,
                outbox_stop,
                interval=interval_from_env(),
                idle_hours=idle_hours_from_env(),
            ),
            name="telegram-outbox",
        )
        await stop.wait()
        log.info("telegram: stopping")
    finally:
        sender.stopping.set()
        outbox_stop.set()  # a delivery in progress finishes (and is marked) first
        if deliveries is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(deliveries, 10)
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if runner is not None:
            await runner.cleanup()
        if app.running:
            await app.stop()  # lets the answers in progress finish
        await app.shutdown()
        log.info("telegram: stopped")
