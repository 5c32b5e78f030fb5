"""The Discord front-end: a thin translator between discord.py and the core.

    Discord event -> :class:`Incoming` (with a :class:`DiscordChannel`) -> ``pipeline.handle``

Every decision (the guard, answers, tickets, warnings, wording) is the core's. This module
only decides what Discord makes it decide: whether a server message is addressed to the bot,
who counts as a moderator, and how a :class:`Reply` becomes Discord calls (split at 2,000
characters, buttons as components, private replies by DM or as ephemeral follow-ups).

Environment (besides DISCORD_TOKEN, DISCORD_API_URL and DISCORD_GATEWAY_URL in Settings):

    DISCORD_SUPPORT_CHANNELS  comma-separated channel ids where the bot answers everything
                              (threads under them too); elsewhere only when mentioned
    DISCORD_MODERATOR_ROLE    comma-separated role names (or ids) that count as moderators,
                              besides members with the Manage Messages permission
    DISCORD_SHARDED           1 to run as an AutoShardedClient (large bots)
    DISCORD_SHARD_COUNT       optional fixed shard count (default: what Discord recommends)
    DISCORD_STAFF_CHANNEL     channel id where new tickets are announced (a link to the desk,
                              no message text); unset: tickets are not announced

The desk's outbox (shared.outbox) is delivered from here: moderators' replies (by DM for a
server ticket, falling back to the channel with a mention), requests for a rating when a
ticket closes, and the announcements. A row is marked delivered only after Discord accepted
the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from shared.messages import Button, Incoming, Reply
from shared.outbox import (
    SKIPPED,
    OutboxItem,
    PermanentFailure,
    Unsent,
    buttons_for,
    idle_hours_from_env,
    interval_from_env,
    rest_after,
    run_outbox,
    without_ticket_links,
)
from shared.pipeline import Pipeline
from shared.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE = 2000  # Discord's limit for one message
MAX_BUTTONS = 25  # 5 rows of 5
MAX_LABEL = 80
MAX_CUSTOM_ID = 100
ESCALATE_MENU = "Escalate to ticket"
TEXT_COMMANDS = ("!escalate", "!reload", "!status")

# The library's own addresses, restored whenever the settings leave them unset.
_DEFAULT_API = discord.http.Route.BASE
_DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


@dataclass
class DiscordOptions:
    """The Discord-only settings this front-end reads from the environment."""

    support_channels: frozenset[int] = field(default_factory=frozenset)
    moderator_roles: frozenset[str] = field(default_factory=frozenset)
    sharded: bool = False
    shard_count: int | None = None
    staff_channel: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DiscordOptions:
        env = os.environ if env is None else env

        def items(name: str) -> list[str]:
            return [p.strip() for p in env.get(name, "").split(",") if p.strip()]

        channels = frozenset(int(p) for p in items("DISCORD_SUPPORT_CHANNELS") if p.isdigit())
        roles = frozenset(p.lower() for p in items("DISCORD_MODERATOR_ROLE"))
        sharded = env.get("DISCORD_SHARDED", "").strip().lower() in ("1", "true", "yes")
        count = env.get("DISCORD_SHARD_COUNT", "").strip()
        staff = env.get("DISCORD_STAFF_CHANNEL", "").strip()
        return cls(
            channels,
            roles,
            sharded,
            int(count) if count.isdigit() else None,
            int(staff) if staff.isdigit() else None,
        )


def apply_urls(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_URL / DISCORD_GATEWAY_URL, or back at Discord."""
    api = (settings.discord_api_url or "").strip().rstrip("/")
    discord.http.Route.BASE = api or _DEFAULT_API
    gateway = (settings.discord_gateway_url or "").strip()
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = (
        yarl.URL(gateway) if gateway else (_DEFAULT_GATEWAY)
    )


def intents() -> discord.Intents:
    """Servers, server messages, DMs, and message content (privileged: enable it in the
    Developer Portal, or server messages arrive empty)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a line break or a space when possible;
    never an empty piece."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit + 1)
        if cut < 0:
            cut = rest.rfind(" ", limit // 2, limit + 1)
        if cut < 0:
            cut = limit
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


class ButtonsView(discord.ui.View):
    """The buttons of one reply. Presses are handled in ``on_interaction`` by custom_id (the
    core's payload), so they keep working after a restart; the view is never stored."""

    def __init__(self, buttons: Iterable[Button]) -> None:
        super().__init__(timeout=None)
        seen: set[str] = set()
        for button in buttons:
            custom_id = button.payload[:MAX_CUSTOM_ID]
            if custom_id in seen or len(seen) >= MAX_BUTTONS:
                continue
            seen.add(custom_id)
            style = discord.ButtonStyle.secondary
            if custom_id == "ticket" or custom_id.startswith("fb:"):
                style = discord.ButtonStyle.primary
            label = (button.label or custom_id)[:MAX_LABEL]
            self.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))

    def is_dispatchable(self) -> bool:  # handled in on_interaction, not by the view store
        return False


_NO_PINGS = discord.AllowedMentions.none()


class DiscordChannel:
    """The core's OutputChannel for one Discord message, button press or command."""

    def __init__(
        self,
        channel: discord.abc.Messageable,
        author: discord.abc.User,
        *,
        message: discord.Message | None = None,
        interaction: discord.Interaction | None = None,
    ) -> None:
        self.channel = channel
        self.author = author
        self.message = message
        self.interaction = interaction
        self.deleted = False
        self.sent = 0

    @property
    def in_guild(self) -> bool:
        return getattr(self.channel, "guild", None) is not None

    async def send(self, reply: Reply) -> None:
        pieces = split_text(reply.text or "")
        view = ButtonsView(reply.buttons) if reply.buttons else None
        if not pieces:
            if view is None:
                return  # never post an empty message
            pieces = ["\u2026"]
        private = reply.private and self.in_guild
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            sent_privately = await self._send_piece(
                piece, view if last else None, private, reply.kind, reply.fallback
            )
            self.sent += 1
            if sent_privately is False:  # DMs closed and the fallback said instead
                return

    async def _send_piece(
        self,
        text: str,
        view: discord.ui.View | None,
        private: bool,
        kind: str,
        fallback: str | None = None,
    ) -> bool | None:
        """Post one piece; False when a private piece could not be sent and ``fallback`` was
        said in the channel instead."""
        extra: dict[str, Any] = {"allowed_mentions": _NO_PINGS}
        if view is not None:
            extra["view"] = view
        if self.interaction is not None:
            await self.interaction.followup.send(text, ephemeral=private, **extra)
            return None
        if private:
            try:
                await self.author.send(text, **extra)
                return True
            except discord.HTTPException:  # DMs closed: say it where the member is
                log.info("could not DM a member; replying in the channel")
                if fallback is not None:
                    await self.channel.send(fallback, allowed_mentions=_NO_PINGS)
                    return False
        reference = None
        if (
            self.message is not None
            and self.in_guild
            and not self.deleted
            and kind != "warn"
            and self.sent == 0
        ):
            reference = self.message.to_reference(fail_if_not_exists=False)
        await self.channel.send(text, reference=reference, **extra)  # type: ignore[arg-type]
        return None

    async def clear_buttons(self) -> None:
        interaction = self.interaction
        if interaction is None or interaction.type != discord.InteractionType.component:
            return
        try:  # the press was acknowledged as an update of the message that holds the buttons
            await interaction.edit_original_response(view=None)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.info("could not take the buttons off a message: %s", type(exc).__name__)

    async def delete_incoming(self) -> bool:
        message = self.message
        if message is None or message.guild is None:  # bots cannot delete in DMs
            return False
        me = message.guild.me
        if me is None or not message.channel.permissions_for(me).manage_messages:  # type: ignore[union-attr]
            return False
        try:
            await message.delete()
        except discord.NotFound:
            pass  # gone already
        except discord.HTTPException:
            return False
        self.deleted = True
        return True


def message_text(message: discord.Message) -> str:
    """The text a member posted, with the text of any message they forwarded (a forward's
    own content is empty: what it carries is in its snapshots, and the guard must see it)."""
    parts = [message.content or ""]
    parts += [s.content for s in getattr(message, "message_snapshots", None) or [] if s.content]
    return "\n".join(p for p in parts if p)


def strip_mention(text: str, bot_id: int) -> str:
    return re.sub(rf"<@!?{bot_id}>", " ", text).strip()


def is_moderator(
    member: discord.abc.User, channel: Any, options: DiscordOptions, permissions=None
) -> bool:
    """Manage Messages in this channel, or one of the configured moderator roles."""
    if not isinstance(member, discord.Member):
        return False
    if permissions is None:
        try:
            permissions = channel.permissions_for(member)
        except Exception:
            permissions = member.guild_permissions
    if permissions.manage_messages or permissions.administrator:
        return True
    return any(
        role.name.lower() in options.moderator_roles or str(role.id) in options.moderator_roles
        for role in member.roles
    )


def _language_hint(interaction: discord.Interaction) -> str | None:
    locale = str(interaction.locale or "")
    return locale or None


class DiscordFrontEnd:
    """Holds the client, the command tree and the event handlers."""

    def __init__(self, pipeline: Pipeline, settings: Settings, options: DiscordOptions) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.options = options
        self._tasks: set[asyncio.Task] = set()
        self._build_client()

    def _build_client(self) -> None:
        cls = discord.AutoShardedClient if self.options.sharded else discord.Client
        kwargs: dict[str, Any] = {"intents": intents()}
        if self.options.sharded and self.options.shard_count:
            kwargs["shard_count"] = self.options.shard_count
        self.client: discord.Client = cls(**kwargs)
        self.tree = app_commands.CommandTree(self.client)
        self._register_events()
        self._register_commands()

    # --- events -------------------------------------------------------------------------

    def _register_events(self) -> None:
        client = self.client

        async def setup_hook() -> None:
            if (
                self.options.sharded
                and self.settings.discord_gateway_url
                and getattr(client, "shard_count", None) is None
            ):
                # /gateway/bot names Discord's own gateway; keep the configured one.
                client.shard_count, _, _ = await client.http.get_bot_gateway()  # type: ignore[attr-defined]
            self._spawn(self.sync_commands())

        async def on_ready() -> None:
            log.info("connected to Discord as bot %s", client.user.id if client.user else "?")

        async def on_message(message: discord.Message) -> None:
            await self._guarded(self.on_message(message))

        async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
            await self._guarded(self.on_edit(payload))

        async def on_interaction(interaction: discord.Interaction) -> None:
            if interaction.type == discord.InteractionType.component:
                await self._guarded(self.on_button(interaction))

        async def on_error(event: str, *args, **kwargs) -> None:
            # Only the type: a library exception's text may quote the event's payload.
            log.error("error in Discord event %s: %s", event, sys.exc_info()[0].__name__)

        for handler in (setup_hook, on_ready, on_message, on_raw_message_edit, on_interaction):
            setattr(client, handler.__name__, handler)
        client.on_error = on_error  # type: ignore[method-assign]

    async def _guarded(self, coro) -> None:
        """Run a handler; a failure is logged by type only (never a message text)."""
        try:
            await coro
        except Exception as exc:  # one bad message must not stop the bot
            log.error("handling a Discord event failed: %s", type(exc).__name__)
            log.debug("details", exc_info=True)

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def addressed(self, message: discord.Message) -> bool:
        """DMs always; in servers, a mention, a reply to the bot, or a support channel."""
        if message.guild is None:
            return True
        me = self.client.user
        if me is not None and me.id in message.raw_mentions:
            return True
        ref = message.reference
        if me is not None and ref is not None and isinstance(ref.resolved, discord.Message):
            if ref.resolved.author.id == me.id:
                return True
        channel = message.channel
        ids = {channel.id, getattr(channel, "parent_id", None)}
        return bool(ids & self.options.support_channels)

    def incoming(
        self,
        message: discord.Message,
        *,
        edited: bool = False,
        text: str | None = None,
    ) -> Incoming:
        me = self.client.user
        content = message_text(message) if text is None else text
        if me is not None:
            content = strip_mention(content, me.id)
        channel = message.channel
        return Incoming(
            text=content,
            channel=DiscordChannel(channel, message.author, message=message),
            platform="discord",
            conversation_id=str(channel.id),
            user_id=str(message.author.id),
            user_name=message.author.display_name,
            message_id=str(message.id),
            is_private=isinstance(channel, discord.DMChannel),
            # an edit is never answered again (the pipeline sees ``edited``); addressed or
            # not decides whether it joins the member's open ticket
            addressed=self.addressed(message),
            edited=edited,
            is_moderator=is_moderator(message.author, channel, self.options),
        )

    def _ignored(self, message: discord.Message) -> bool:
        if message.author.bot or (self.client.user and message.author.id == self.client.user.id):
            return True  # Discord echoes the bot's own posts; other bots are not members
        return message.type not in (discord.MessageType.default, discord.MessageType.reply)

    async def on_message(self, message: discord.Message) -> None:
        if self._ignored(message):
            return
        msg = self.incoming(message)
        scanned = self.pipeline.scan(msg.text) if msg.text else None
        command = msg.text.strip().split(" ", 1)[0].lower() if msg.text else ""
        # "!escalate <why>" too; a command holding a secret is guarded, not run
        if command in TEXT_COMMANDS and message.guild is not None and not scanned.sensitive:
            await self.text_command(command, message, msg)
            return
        await self.pipeline.handle(msg, scanned)  # each member's messages in order there

    async def on_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """The guard sees edits too: scammers and careless members edit secrets in later."""
        if "content" not in payload.data:
            return  # an embed or flag update, not an edit of the text
        message = payload.message
        if self._ignored(message):
            return
        before = payload.cached_message
        if before is not None and before.content == message.content:
            return
        await self.pipeline.handle(self.incoming(message, edited=True))

    async def text_command(self, command: str, message: discord.Message, msg: Incoming) -> None:
        """``!escalate`` (as a reply to a member's message), ``!reload``, ``!status``."""
        if command == "!escalate":
            target = await self._referenced(message)
            if target is None:  # not a reply, or to a message deleted meanwhile
                usage = Reply(self.pipeline.t("en", "escalate_usage"), "info", private=True)
                await msg.channel.send(usage)
                return
            await self.pipeline.escalate(
                msg,
                target_user_id=str(target.author.id),
                target_user_name=target.author.display_name,
                target_text=target.content or "",
                target_is_bot=target.author.bot,
            )
            return
        msg.command = command[1:]
        msg.addressed = True
        await self.pipeline.handle(msg)

    async def _referenced(self, message: discord.Message) -> discord.Message | None:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return None
        if isinstance(ref.resolved, discord.Message):
            return ref.resolved
        with contextlib.suppress(discord.HTTPException):
            return await message.channel.fetch_message(ref.message_id)
        return None

    # --- interactions -------------------------------------------------------------------

    def _interaction_incoming(
        self, interaction: discord.Interaction, *, text: str = "", **fields
    ) -> Incoming:
        channel = interaction.channel
        user = interaction.user
        channel_id = interaction.channel_id or (channel.id if channel else 0)
        return Incoming(
            text=text,
            channel=DiscordChannel(channel, user, interaction=interaction),  # type: ignore[arg-type]
            platform="discord",
            conversation_id=str(channel_id),
            user_id=str(user.id),
            user_name=user.display_name,
            message_id=str(interaction.message.id) if interaction.message else None,
            is_private=interaction.guild_id is None,
            addressed=True,
            language=_language_hint(interaction),
            is_moderator=is_moderator(user, channel, self.options, interaction.permissions),
            **fields,
        )

    async def on_button(self, interaction: discord.Interaction) -> None:
        data = interaction.data or {}
        custom_id = str(data.get("custom_id") or "")
        if not custom_id:
            return
        await interaction.response.defer()  # acknowledge within 3 s; replies are follow-ups
        label = _button_label(interaction.message, custom_id)
        await self.pipeline.handle(
            self._interaction_incoming(interaction, text=label, payload=custom_id)
        )

    async def command(
        self,
        interaction: discord.Interaction,
        name: str,
        *,
        text: str = "",
        ephemeral: bool = False,
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        await self.pipeline.handle(self._interaction_incoming(interaction, text=text, command=name))

    async def escalate(
        self,
        interaction: discord.Interaction,
        target_user: discord.abc.User,
        target_text: str,
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        msg = self._interaction_incoming(interaction, command="escalate")
        await self.pipeline.escalate(
            msg,
            target_user_id=str(target_user.id),
            target_user_name=target_user.display_name,
            target_text=target_text,
            target_is_bot=target_user.bot,
        )

    def _register_commands(self) -> None:
        tree = self.tree
        front = self

        @tree.command(name="faq", description="Browse the frequently asked questions")
        async def faq(interaction: discord.Interaction) -> None:
            await front._guarded(front.command(interaction, "faq"))

        @tree.command(name="ticket", description="Talk to a human: open a support ticket")
        async def ticket(interaction: discord.Interaction) -> None:
            await front._guarded(front.command(interaction, "ticket", ephemeral=True))

        @tree.command(
            name="escalate", description="Moderators: turn a member's issue into a ticket"
        )
        @app_commands.guild_only()
        @app_commands.describe(member="The member who needs help")
        async def escalate(interaction: discord.Interaction, member: discord.User) -> None:
            last = _last_message_of(front.client, interaction.channel_id, member.id)
            await front._guarded(front.escalate(interaction, member, last))

        @tree.context_menu(name=ESCALATE_MENU)
        @app_commands.guild_only()
        async def escalate_message(
            interaction: discord.Interaction, message: discord.Message
        ) -> None:
            await front._guarded(front.escalate(interaction, message.author, message.content))

        @tree.command(name="reload", description="Moderators: reload the knowledge")
        async def reload(interaction: discord.Interaction) -> None:
            await front._guarded(front.command(interaction, "reload", ephemeral=True))

        @tree.command(name="status", description="Moderators: show the bot's status")
        async def status(interaction: discord.Interaction) -> None:
            await front._guarded(front.command(interaction, "status", ephemeral=True))

        @tree.error
        async def on_tree_error(interaction: discord.Interaction, error: Exception) -> None:
            log.error("a Discord command failed: %s", type(error).__name__)

        del faq, ticket, escalate, escalate_message, reload, status, on_tree_error

    async def sync_commands(self) -> None:
        """Register the slash commands when Discord's list differs from ours; never fatal."""
        try:
            app_id = self.client.application_id
            if app_id is None:
                return
            registered = await self.client.http.get_global_commands(app_id)
            have = {(c["name"], c.get("type", 1), c.get("description", "")) for c in registered}
            want = {
                (d["name"], d.get("type", 1), d.get("description", ""))
                for d in (c.to_dict(self.tree) for c in self.tree.get_commands())
            }
            if have != want:
                await self.tree.sync()
                log.info("registered %d application commands", len(want))
        except Exception as exc:
            log.warning("could not register slash commands: %s", type(exc).__name__)

    # --- the outbox -----------------------------------------------------------------------

    async def deliver(self, item: OutboxItem) -> str | None:
        """One outbox row -> Discord. Raises when Discord refused (the row is retried, or
        given up on a PermanentFailure); returns SKIPPED when there is nowhere to send it."""
        client = self.client
        if item.kind == "announce":
            if not self.options.staff_channel:
                return SKIPPED
            staff = client.get_partial_messageable(self.options.staff_channel)
            await _send_all(staff, item.text, _NO_PINGS, save_rest=item.save_rest)
            return None
        channel_id, user_id = int(item.conversation_id or 0), int(item.user_id or 0)
        buttons = buttons_for(item)  # the rating stars (a press comes back as an interaction)
        # The member by DM first, whatever the ticket's channel: a DM ticket's channel is that
        # DM, and a server channel must not get the ticket link. (Asking discord.py's cache
        # which it is fails for threads: archived ones leave the cache.)
        unsent = Unsent(item)
        if user_id:
            try:
                dm = await client.create_dm(discord.Object(id=user_id))
                await _send_all(dm, item.text, _NO_PINGS, buttons, unsent.save_rest)
                return None
            except (discord.Forbidden, discord.NotFound):  # DMs closed, or no such user
                # any other error: the row is retried
                log.info("outbox: the member's DMs are closed; answering in the channel")
        # DMs closed: the member where the ticket began, mentioned, the link left out
        # (for a DM ticket that is the same closed DM, refused again: given up).
        target = client.get_partial_messageable(channel_id)
        users = [discord.Object(id=user_id)] if user_id else []
        mention = discord.AllowedMentions(users=users)
        text = without_ticket_links(unsent.text)  # what the DM did not get
        try:
            await _send_all(
                target,
                f"<@{user_id}> {text}" if user_id else text,
                mention,
                buttons,
                item.save_rest,
            )
        except (discord.NotFound, discord.Forbidden) as exc:  # retrying will not help
            raise PermanentFailure(type(exc).__name__) from None
        return None

    # --- running ------------------------------------------------------------------------

    async def run(self, token: str, stop: asyncio.Event) -> None:
        """Connect and serve until ``stop``; a crash of the connection (not a bad token or
        missing intents) reconnects with a growing pause instead of ending the bot."""
        delay = 1.0
        while True:
            error = await self._run_once(token, stop)
            if error is None or stop.is_set():
                return
            if isinstance(error, discord.PrivilegedIntentsRequired):
                log.error(
                    "Discord refused the Message Content intent: enable it for the bot in "
                    "the Developer Portal (Bot > Privileged Gateway Intents)"
                )
                raise error
            if isinstance(error, discord.LoginFailure):
                log.error("Discord refused DISCORD_TOKEN")
                raise error
            log.error(
                "the Discord connection failed (%s); reconnecting in %.0f s",
                type(error).__name__,
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
                return
            delay = min(delay * 2, 60.0)
            self._build_client()

    async def _run_once(self, token: str, stop: asyncio.Event) -> BaseException | None:
        client = self.client
        runner = asyncio.create_task(client.start(token), name="discord-client")
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            for task in list(self._tasks):
                task.cancel()
            # discord.py dispatches "ready" from a task that fails once the client is
            # closed (its loop is gone): end that task first when stopping early.
            ready_task = getattr(client._connection, "_ready_task", None)
            if ready_task is not None:
                ready_task.cancel()
            if not client.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.close(), timeout=10)
            if not runner.done():
                try:
                    await asyncio.wait_for(runner, timeout=5)
                except (TimeoutError, asyncio.CancelledError):
                    runner.cancel()
        if runner.done() and not runner.cancelled():
            return runner.exception()
        return None


async def _send_all(
    target,
    text: str,
    mentions: discord.AllowedMentions,
    buttons: list[Button] | None = None,
    save_rest: Callable[[str], Awaitable[None]] | None = None,
) -> None:
    """``text`` in as many messages as it takes; the buttons go under the last one.
    ``save_rest(rest)`` is told what is left after each piece but the last (the outbox
    keeps it, so that a retry does not repeat what went out)."""
    pieces = split_text(text)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        view = ButtonsView(buttons) if buttons and last else None
        await target.send(piece, allowed_mentions=mentions, view=view)
        if save_rest is not None and not last:
            await save_rest(rest_after(text, pieces, i + 1))


def _button_label(message: discord.Message | None, custom_id: str) -> str:
    """The pressed button's label: it is in the member's language, so it tells the core
    which language to answer in."""
    if message is None:
        return ""
    for row in message.components:
        for item in getattr(row, "children", [row]):
            if getattr(item, "custom_id", None) == custom_id:
                return getattr(item, "label", "") or ""
    return ""


def _last_message_of(client: discord.Client, channel_id: int | None, user_id: int) -> str:
    for message in reversed(client.cached_messages):
        if message.channel.id == channel_id and message.author.id == user_id:
            return message.content or ""
    return ""


def quiet_library_logs() -> None:
    """discord.py logs raw gateway events (message texts) at DEBUG: keep it at WARNING."""
    for name in ("discord", "discord.client", "discord.gateway", "discord.http", "discord.state"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING or logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


async def serve(
    pipeline: Pipeline,
    settings: Settings,
    stop: asyncio.Event,
    *,
    options: DiscordOptions | None = None,
) -> None:
    """Run the Discord bot until ``stop`` is set, then close the connection cleanly."""
    if not settings.discord_token:
        raise RuntimeError("DISCORD_TOKEN is not set")
    quiet_library_logs()
    apply_urls(settings)
    options = options or DiscordOptions.from_env()
    front = DiscordFrontEnd(pipeline, settings, options)
    log.info(
        "starting the Discord bot (%s, %d support channel(s))",
        "sharded" if options.sharded else "single connection",
        len(options.support_channels),
    )
    outbox_stop = asyncio.Event()
    deliveries = asyncio.create_task(
        run_outbox(
            pipeline.store,
            "discord",
            front.deliver,
            outbox_stop,
            interval=interval_from_env(),
            idle_hours=idle_hours_from_env(),
            ready=lambda: front.client.is_ready() and not front.client.is_closed(),
        ),
        name="discord-outbox",
    )
    try:
        await front.run(settings.discord_token, stop)
    finally:
        outbox_stop.set()  # a delivery in progress finishes (and is marked) first
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(deliveries, 10)
