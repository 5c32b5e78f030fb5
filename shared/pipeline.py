"""The core: every message from every front-end goes through :meth:`Pipeline.handle`.

    message -> guard (secrets, phishing) -> commands and buttons
            -> explicit requests for a human -> match -> answer | suggest | hand-off

The guard runs first, on every message the bot sees (group chatter and edits too), so
nothing after it (matching, history, tickets, logs) ever holds a secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared import smalltalk
from shared.conversation import Conversations, ConversationState, PreviousMessage, Turns
from shared.knowledge import CONTACT_KEYS, Entry, Knowledge, load_knowledge
from shared.language import detect_language
from shared.matching import AsyncMatcher, Index, MatchResult, Model, decide, model_for
from shared.messages import Button, Incoming, Reply
from shared.settings import Settings
from shared.templates import DEFAULT_TEMPLATES
from shared.tickets import Ticket, TicketStore
from shared.watcher import LiveKnowledge, ReloadResult

if TYPE_CHECKING:
    from shared.guard import GuardResult

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer messages are matched on their start
HISTORY_ANSWER_CHARS = 500  # how much of each answer a ticket's transcript keeps

HUMAN_REQUEST = re.compile(
    r"(?i)\b(talk|speak|chat|connect me)\b.{0,20}"
    r"\b(human|person|agent|someone|staff|support team)\b"
    r"|\b(real|live|human) (person|agent|human|support)\b|\bhuman (agent|support)\b"
    r"|\bcustomer (service|support) (agent|representative|rep)\b|\bescalate\b|\bopen a ticket\b"
    r"|人工(?!智能)|真人|转客服|找客服|客服人员|联系客服人员|(?:提交|开|创建|建|发|要|申请)(?:个|一个)?工单"
)
# A question about tickets or staff ("how do I open a ticket?", "提交工单要写哪些资料") is for
# the knowledge, when it answers it; a request ("I want to talk to a human") is not.
QUESTION = re.compile(
    r"(?i)[?？]|^\W*(how|what|where|when|why|which|who|is|are|can|could|do|does|should|will)\b"
    r"|\b(how|what|where|when|why|which|can i|could i|should i|do i|is there)\b"
    r"|吗|怎么|如何|哪|什么|为什么|是否|能不能|可不可以|多久|还是"
)
# "That didn't help", as the whole (short) message: inside a longer one these words belong to
# a new question ("有没有用户交流群" holds 没有用).
NOT_HELPFUL = re.compile(
    r"(?i)\W*(no|nope|nah|没有|不是|不对|不行)?\W*"
    r"((that |this |it )?(didn'?t|did not|doesn'?t|does not|still doesn'?t) (help|work)"
    r"|not helpful|(that'?s|thats|it'?s) not (it|what i (asked|meant))|wrong answer"
    r"|没用|没有用|没帮助|没有帮助|没解决|没有解决|不是这个|答非所问|还是不行|不管用)?\W*"
)
NOT_HELPFUL_MAX_CHARS = 40


@dataclass
class Outcome:
    """What the pipeline decided, in the shape `supportbot ask --json` prints."""

    action: str  # answer | suggest | escalate | warn | info | none
    faq_id: str | None = None
    score: float | None = None
    language: str = "en"
    text: str | None = None
    suggestions: list[str] | None = None
    ticket_url: str | None = None
    kinds: list[str] = field(default_factory=list)  # what the guard found (never the secret)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("kinds")
        if self.action == "warn":
            data["kinds"] = list(self.kinds)
        return data


def _default_scan(text: str):
    from shared.guard import scan

    return scan(text)


def _default_check(text: str, domains: Sequence[str]):
    from shared.phishing import check

    return check(text, domains)


class Pipeline:
    def __init__(
        self,
        live: LiveKnowledge,
        store: TicketStore,
        *,
        scan: Callable = _default_scan,
        check_links: Callable = _default_check,
    ) -> None:
        self.live = live
        self.store = store
        self.scan = scan
        self.check_links = check_links
        self.conversations = Conversations()
        self.turns = Turns()

    # --- assembly -------------------------------------------------------------------------

    @classmethod
    async def start(cls, settings: Settings, *, watch: bool | None = None, **kwargs) -> Pipeline:
        """Load the knowledge and the model (off the event loop) and open the database."""
        knowledge = await asyncio.to_thread(load_knowledge, settings.knowledge_path)

        def model_of(k: Knowledge) -> Model:
            return model_for(settings.model or k.settings.matching.model, k, settings.data_dir)

        cache = settings.cache_dir
        matcher = AsyncMatcher(None)  # type: ignore[arg-type]
        matcher.index = await matcher.run_blocking(
            lambda: Index(knowledge, model_of(knowledge), cache)
        )
        live = LiveKnowledge(Path(settings.knowledge_path), knowledge, matcher, model_of, cache)
        store = await asyncio.to_thread(TicketStore, settings.sqlalchemy_url, settings.public_url)
        pipeline = cls(live, store, **kwargs)
        if settings.watch_knowledge if watch is None else watch:
            live.start_watching()
        return pipeline

    async def close(self) -> None:
        await self.live.stop()
        await self.live.matcher.close()
        self.store.dispose()

    @property
    def knowledge(self) -> Knowledge:
        return self.live.knowledge

    # --- text helpers -------------------------------------------------------------------------

    def t(self, language: str, key: str, **values: Any) -> str:
        """A template in ``language`` (knowledge overrides first, then built-in, then English)."""
        overrides = self.knowledge.settings.templates
        for lang in (language, "en"):
            text = overrides.get(lang, {}).get(key) or DEFAULT_TEMPLATES.get(lang, {}).get(key)
            if text:
                break
        values.setdefault("exchange_name", self.knowledge.settings.exchange_name)
        return _fill(text, values) if text else key

    def render(self, text: str, language: str) -> str:
        """Fill {exchange_name} and {contact} placeholders from the knowledge settings."""
        settings = self.knowledge.settings
        values: dict[str, str] = {"exchange_name": settings.exchange_name}
        for key in CONTACT_KEYS:  # an unset contact reads as a neutral phrase
            values[key] = settings.contacts.get(key) or self.t(language, f"unset_{key}")
        return _fill(text, values)

    def link_lines(self, entry: Entry, language: str) -> list[str]:
        """The entry's links, "title: url", in the answer's language. A link whose address
        is a contact the admin has not set yet is left out (it would read as a phrase)."""
        default = self.knowledge.settings.default_language
        lines = []
        for link in entry.links:
            url = self.render(link.url, language).strip()
            if not url.startswith(("https://", "http://", "mailto:")) or " " in url:
                continue  # a contact not set yet reads as a phrase: no link
            titles = link.title
            title = titles.get(language) or titles.get(default) or next(iter(titles.values()), "")
            lines.append(f"{title}: {url}" if title else url)
        return lines

    def answer_text(self, entry: Entry, language: str) -> tuple[str, str]:
        """The entry's answer in the user's language, else the default, else any; and the
        language actually used."""
        default = self.knowledge.settings.default_language
        for lang in (language, default, *entry.answer):
            if lang in entry.answer:
                return self.render(entry.answer[lang], lang), lang
        return "", language

    def title(self, entry: Entry, language: str) -> str:
        return entry.title_in(language, self.knowledge.settings.default_language)

    # --- the pipeline ---------------------------------------------------------------------

    async def handle(self, msg: Incoming, scanned: GuardResult | None = None) -> Outcome:
        """Run one incoming message (or command, or button press) through the core.
        ``scanned``: the guard's result for ``msg.text``, when a front-end has it already."""
        text = msg.text or ""
        msg.user_name = self._safe_name(msg.user_name)
        language = detect_language(text, msg.language, self.knowledge.settings.default_language)
        state = self.conversations.state(msg.platform, msg.conversation_id, msg.user_id)
        if msg.payload is not None or not _has_words(text):
            language = state.language or language  # a button press continues the conversation
        # 1. The guard, before anything else sees the text; with the member's previous
        # message too, for a secret split over two messages.
        found = scanned if scanned is not None else (self.scan(text) if text else None)
        if msg.command and not (found is not None and found.sensitive):
            # the command word can be what makes a secret one ("/password Summer2024!")
            whole = self.scan(f"/{msg.command} {text}".strip())
            if whole.sensitive:
                msg.command, msg.text, text, found = None, whole.redacted, whole.redacted, whole
        earlier = None  # the previous message, when part of a secret was in it
        if text and msg.payload is None and not msg.edited:
            found, earlier = await self._across_messages(msg, state, text, found)
        if found is not None and found.sensitive:
            outcome = await self._warn_secret(msg, found.kinds, language)
            text = found.redacted
            self._remember(msg, state, text)
            if (
                msg.addressed
                and msg.is_private
                and not msg.edited
                and _has_words(_strip_placeholders(text))
            ):
                await self._respond(msg, state, text, language)  # still help with the rest
            if earlier is not None:
                # in the member's turn: after the earlier message was handled and stored,
                # however long it waited (a reply in flood control, the model)
                async with self.turns.of(msg.platform, msg.conversation_id, msg.user_id):
                    await self._take_back(*earlier, state)
            return outcome  # at once: not after the member's earlier reply (see below)
        if found is not None:
            text = found.redacted  # equal to the message unless the guard could not check it
        # 2. The rest in the member's turn: their messages in order. A secret above never
        # waits for it (an earlier reply may be waiting out a platform's flood control).
        async with self.turns.of(msg.platform, msg.conversation_id, msg.user_id):
            return await self._handle_in_turn(msg, state, text, language)

    def _safe_name(self, name: str) -> str:
        """A display name is chosen by its owner, and some put a password or a seed phrase
        there: such a name is never repeated in a warning nor stored with a ticket."""
        return "" if name and self.scan(name).sensitive else name

    async def _across_messages(
        self, msg: Incoming, state: ConversationState, text: str, found: GuardResult | None
    ) -> tuple[GuardResult | None, tuple[PreviousMessage, str] | None]:
        """The guard's result for ``text`` read after the member's previous message: "my
        private key is" then the key, a seed phrase six words at a time. When part of the
        secret was in the previous message, that message is deleted at once where the bot
        may, and (previous message, its redacted text) is returned for ``_take_back``."""
        from shared.guard_split import WINDOW_S, across

        previous, state.previous = state.previous, None
        now = time.monotonic()
        if found is None or not found.sensitive:
            stored = found.redacted if found is not None else text
            state.previous = kept = PreviousMessage(text, stored, msg, now)
            # forgotten after the window even if the member says nothing more
            asyncio.get_running_loop().call_later(WINDOW_S, _forget, state, kept)
        if previous is None or now - previous.at > WINDOW_S:
            return found, None
        pair = across(previous.text, text, found.redacted if found is not None else None)
        if pair is None:
            return found, None
        state.previous = None  # the pair is dealt with: nothing of it waits for a third
        if pair.previous is None:
            return pair.current, None
        if not previous.msg.is_private:
            try:
                await previous.msg.channel.delete_incoming()
            except Exception:  # no right to delete, or gone: the warning still comes
                log.warning("could not delete the first part of a split secret")
        log.info("guard: a secret split over two messages on %s", msg.platform)
        return pair.current, (previous, pair.previous)

    async def _take_back(
        self, previous: PreviousMessage, redacted: str, state: ConversationState
    ) -> None:
        """The previous message held part of a secret: its stored copies (history, the
        chat's lines, the member's open ticket, feedback) get the redacted text instead."""
        msg, old = previous.msg, previous.stored
        for i, (who, line) in enumerate(state.history):
            if who == "user" and line == old:
                state.history[i] = ("user", redacted)
        if state.last_question == old:
            state.last_question = redacted
        room = self.conversations.room(msg.platform, msg.conversation_id)
        name = msg.user_name or msg.user_id
        for i, (who, line) in enumerate(room):
            if who == "user" and line in (old, f"{name}: {old}"):
                room[i] = ("user", line[: len(line) - len(old)] + redacted)
        # rows written since the message came (a second's margin for the clocks' reading)
        age = time.monotonic() - previous.at + 1.0
        since = datetime.now(UTC) - timedelta(seconds=age)
        await asyncio.to_thread(
            self.store.take_back, msg.platform, msg.user_id, old, redacted, since
        )

    async def _handle_in_turn(
        self, msg: Incoming, state: ConversationState, text: str, language: str
    ) -> Outcome:
        # a link's address counts even where its text hides it ("claim it on the official page")
        checked = " ".join([text, *msg.hidden_links]).strip()
        links = (
            self.check_links(checked, self.knowledge.settings.official_domains) if checked else None
        )
        self._remember(msg, state, text)
        if links is not None and links.suspicious:
            return await self._warn_phishing(msg, links, language)
        if msg.edited:  # an edit is guarded, not answered a second time
            if (msg.addressed or msg.is_private) and text.strip():
                await self._edit_joins_ticket(msg, text)
            return Outcome("none", language=language)
        if not msg.addressed:
            return Outcome("none", language=language)
        state.language = language
        return await self._respond(msg, state, text, language)

    async def _edit_joins_ticket(self, msg: Incoming, text: str) -> None:
        """A member who corrects a message (a txid, an amount) while their ticket is open:
        the corrected words join the ticket too, marked as an edit."""
        await self._join_open_ticket(msg, f"(edited) {text}")

    async def _join_open_ticket(self, msg: Incoming, text: str) -> Ticket | None:
        """The member's open ticket, with ``text`` added to it (nothing they say is lost),
        also when they answer privately a reply to the ticket they opened in a group."""
        if self.store.holders.surely_none(msg.platform, msg.user_id):
            return None  # most members: known without asking the database
        ticket = await asyncio.to_thread(
            self.store.find_open, msg.platform, msg.conversation_id, msg.user_id, msg.is_private
        )
        if ticket is not None and text.strip():
            if not await asyncio.to_thread(self.store.add_message, ticket.id, "user", text):
                return None  # closed meanwhile: the message is a new question
        return ticket

    async def _respond(
        self, msg: Incoming, state: ConversationState, text: str, language: str
    ) -> Outcome:
        if msg.payload is not None:
            return await self._button(msg, state, msg.payload, language)
        if msg.command:
            return await self._command(msg, state, msg.command, text, language)
        chat = smalltalk.kind_of(text)  # "hi", "thanks", "谢谢", "bye": no question in it
        human = chat is None and bool(HUMAN_REQUEST.search(text))
        asks_about_staff = human and bool(QUESTION.search(text))  # the knowledge may answer
        not_helpful = bool(
            chat is None
            and state.last_answer_id
            and len(text) <= NOT_HELPFUL_MAX_CHARS
            and text.strip()
            and NOT_HELPFUL.fullmatch(text)
        )
        # A question is matched while the database is asked about open tickets (the model
        # is started first; the lookup still adds a few tenths of a millisecond: README).
        ranking = None
        matched = chat is None and (not human or asks_about_staff) and not not_helpful
        if matched and _has_words(text):
            ranking = self.live.matcher.submit(text[:MAX_QUESTION_CHARS])
            # if the database fails first, a matching error must not go unretrieved
            ranking.add_done_callback(lambda t: t.cancelled() or t.exception())
        try:
            open_ticket = await self._join_open_ticket(msg, text)
        except BaseException:
            if ranking is not None:
                ranking.cancel()
            raise
        if chat is not None:  # after the ticket lookup: "ok thanks" joins an open ticket too
            return await self._say(msg, language, "info", self.t(language, f"smalltalk_{chat}"))
        if human and not asks_about_staff:
            return await self._hand_off(msg, state, language, "requested")
        if not_helpful:
            return await self._not_helpful(msg, state, language)
        if ranking is None:
            return await self._say(msg, language, "info", self.t(language, "empty_message"))
        result = await ranking
        if human:  # a question about staff or tickets: answered only when the knowledge is sure
            settings = result.settings or self.live.matcher.index.settings
            if decide(result, settings).action != "answer":
                return await self._hand_off(msg, state, language, "requested")
        state.last_question = text
        return await self._decide(msg, state, result, language, open_ticket)

    async def _decide(
        self,
        msg: Incoming,
        state: ConversationState,
        result: MatchResult,
        language: str,
        open_ticket: Ticket | None,
    ) -> Outcome:
        # the thresholds calibrated for the index that scored the question
        settings = result.settings or self.live.matcher.index.settings
        decision = decide(result, settings)
        others = [c for c in result.candidates if c.score >= settings.suggest_threshold]
        if decision.action == "answer":
            best = decision.candidates[0]
            state.alternatives = [c.entry.id for c in others[1:]][: settings.max_suggestions]
            return await self._answer(msg, state, best.entry, best.score, language)
        if decision.action == "suggest":
            close = decision.candidates
            state.alternatives = [c.entry.id for c in close]
            state.last_answer_id = None
            buttons = [Button(self.title(c.entry, language), f"faq:{c.entry.id}") for c in close]
            buttons.append(Button(self.t(language, "none_of_these"), _for(msg, "ticket")))
            lines = [self.t(language, "suggest_intro")]
            lines += [f"{i}. {b.label}" for i, b in enumerate(buttons[:-1], 1)]
            text = "\n".join(lines)
            await msg.channel.send(Reply(text, "suggest", buttons))
            return Outcome(
                "suggest",
                score=round(close[0].score, 4),
                language=language,
                text=text,
                suggestions=[c.entry.id for c in close],
            )
        best = decision.candidates[0] if decision.candidates else None
        category = best.entry.category if best else None
        if open_ticket is not None:
            url = self.store.url_for(open_ticket)
            text = self.t(language, "handoff_existing", ticket_url=url)
            await self._send_ticket_link(msg, text, language)
            return Outcome("escalate", language=language, text=text, ticket_url=url)
        return await self._hand_off(msg, state, language, "unknown", category=category)

    async def _answer(
        self,
        msg: Incoming,
        state: ConversationState,
        entry: Entry,
        score: float | None,
        language: str,
    ) -> Outcome:
        text, used = self.answer_text(entry, language)
        links = self.link_lines(entry, used)
        if links:
            text += "\n\n" + "\n".join(links)
        related = [self.knowledge.entry(i) for i in entry.follow_up]
        related = [e for e in related if e is not None]
        buttons = [Button(self.title(e, language), f"faq:{e.id}") for e in related[:3]]
        if related:
            text += (
                "\n\n"
                + self.t(language, "related")
                + " "
                + "; ".join(self.title(e, language) for e in related[:3])
            )
        state.last_answer_id = entry.id
        state.answered.append(entry.id)
        buttons += [
            Button(self.t(language, "feedback_yes"), _for(msg, f"fb:yes:{entry.id}")),
            Button(self.t(language, "feedback_no"), _for(msg, f"fb:no:{entry.id}")),
        ]
        # the question the Yes / No buttons answer, below the answer
        said = f"{text}\n\n{self.t(language, 'feedback_question')}"
        await msg.channel.send(Reply(said, "answer", buttons))
        # The ticket shows moderators what the bot said (knowledge text: nothing to redact).
        state.history.append(("bot", f"[{entry.id}] {text[:HISTORY_ANSWER_CHARS]}"))
        log.info("answered %s (%s) on %s", entry.id, used, msg.platform)
        return Outcome(
            "answer",
            faq_id=entry.id,
            score=round(score, 4) if score is not None else None,
            language=used,
            text=said,
        )

    async def _hand_off(
        self,
        msg: Incoming,
        state: ConversationState,
        language: str,
        reason: str,
        *,
        category: str | None = None,
        note: str = "",
    ) -> Outcome:
        def open_with_note() -> tuple[Ticket, bool]:
            for _ in range(2):  # twice: the member's open ticket may be closed meanwhile
                ticket, created = self.store.open_ticket(
                    platform=msg.platform,
                    conversation_id=msg.conversation_id,
                    user_id=msg.user_id,
                    user_name=msg.user_name,
                    language=language,
                    category=category or _category_of(self.knowledge, state.last_answer_id),
                    reason=reason,
                    transcript=list(state.history),
                    private=msg.is_private,
                    thread_id=msg.thread_id,
                )
                # "/ticket my card was charged twice": the words join an open ticket (a new
                # one has them in its transcript)
                if created or not note.strip() or self.store.add_message(ticket.id, "user", note):
                    break
            return ticket, created

        ticket, created = await asyncio.to_thread(open_with_note)
        url = self.store.url_for(ticket)
        key = {"requested": "handoff_requested", "unknown": "handoff_unknown"}.get(
            reason, "handoff_requested"
        )
        if not created:
            key = "handoff_existing"
        text = self.t(language, key, ticket_url=url)
        await self._send_ticket_link(msg, text, language)
        log.info(
            "ticket %s %s (%s) on %s",
            ticket.id,
            "opened" if created else "reused",
            reason,
            msg.platform,
        )
        return Outcome("escalate", language=language, text=text, ticket_url=url)

    async def _send_ticket_link(self, msg: Incoming, text: str, language: str) -> None:
        """A ticket link is the key to the ticket: in a group it goes to the member privately,
        and if that is impossible the group only hears how to get it."""
        if msg.is_private:
            await msg.channel.send(Reply(text, "escalate"))
            return
        fallback = self.t(language, "handoff_no_link")
        await msg.channel.send(Reply(text, "escalate", private=True, fallback=fallback))

    async def _not_helpful(self, msg: Incoming, state: ConversationState, language: str):
        """After "that didn't help": the runners-up if there are any, else a human."""
        if state.last_answer_id and self.knowledge.entry(state.last_answer_id) is not None:
            await asyncio.to_thread(
                self.store.add_feedback,
                platform=msg.platform,
                entry_id=state.last_answer_id,
                helpful=False,
                question=state.last_question,
                language=language,
            )
        alternatives = [self.knowledge.entry(i) for i in state.alternatives]
        seen = {state.last_answer_id, *state.answered}
        alternatives = [e for e in alternatives if e is not None and e.id not in seen]
        state.last_answer_id = None
        if not alternatives:
            return await self._hand_off(msg, state, language, "not_helpful")
        state.alternatives = []
        buttons = [Button(self.title(e, language), f"faq:{e.id}") for e in alternatives]
        buttons.append(Button(self.t(language, "talk_to_human"), _for(msg, "ticket")))
        text = "\n".join(
            [self.t(language, "not_helpful_alternatives")]
            + [f"{i}. {b.label}" for i, b in enumerate(buttons[:-1], 1)]
        )
        await msg.channel.send(Reply(text, "suggest", buttons))
        return Outcome(
            "suggest", language=language, text=text, suggestions=[e.id for e in alternatives]
        )

    async def _button(self, msg: Incoming, state: ConversationState, payload: str, language: str):
        payload, _, owner = payload.partition("|")
        kind, _, rest = payload.partition(":")
        if owner and owner != _owner_tag(msg.user_id):  # another member's "No" or "human"
            text = self.t(language, "not_your_buttons")
            await msg.channel.send(Reply(text, "info", private=True, notice=True))
            return Outcome("info", language=language, text=text)
        if kind == "faq" and (entry := self.knowledge.entry(rest)):
            return await self._answer(msg, state, entry, None, language)
        if kind == "cat" and any(e.category == rest for e in self.knowledge.entries):
            return await self._faq_topics(msg, language, category=rest)
        if kind in ("faq", "cat"):  # a button from before a reload removed its entry
            return await self._faq_topics(msg, language, intro="button_outdated")
        if kind == "fb":
            verdict, _, entry_id = rest.partition(":")
            if verdict == "no":
                state.last_answer_id = entry_id
                return await self._not_helpful(msg, state, language)
            if self.knowledge.entry(entry_id) is None:  # gone, or not a payload the bot made
                return await self._say(msg, language, "info", self.t(language, "feedback_thanks"))
            await asyncio.to_thread(
                self.store.add_feedback,
                platform=msg.platform,
                entry_id=entry_id,
                helpful=True,
                question=state.last_question,
                language=language,
            )
            return await self._say(msg, language, "info", self.t(language, "feedback_thanks"))
        if kind == "ticket":
            return await self._hand_off(msg, state, language, "requested")
        if kind == "rate":
            return await self._rate(msg, rest, language)
        return Outcome("none", language=language)

    async def _rate(self, msg: Incoming, rest: str, language: str) -> Outcome:
        """A star button under a closed ticket's rating request (shared.outbox.buttons_for).
        Anyone in a group can press it; only the ticket's member is counted. The answer goes
        to the presser privately where the platform allows (no noise in the group)."""
        pressed = _RATING.fullmatch(rest)
        if pressed is None:  # not a payload the bot made
            return Outcome("none", language=language)
        ticket_id, stars = int(pressed[1]), int(pressed[2])
        ticket = await asyncio.to_thread(self.store.get, ticket_id)
        mine = ticket is not None and (ticket.platform, ticket.user_id) == (
            msg.platform,
            msg.user_id,
        )
        if mine:
            language = ticket.language  # the request was written in the ticket's language
        rated = mine and await asyncio.to_thread(
            self.store.rate, ticket_id, stars, platform=msg.platform, user_id=msg.user_id
        )
        if rated:
            shown = "★" * stars + "☆" * (5 - stars)
            kind, text = "info", self.t(language, "rated", id=ticket_id, stars=shown)
        else:
            kind, text = "error", self.t(language, "rate_refused", id=ticket_id)
        await msg.channel.send(Reply(text, kind, private=True, notice=True))
        if rated or (mine and ticket.rating is not None):
            # rated once: the stars have done their job (a second press by the member repairs
            # a request whose stars could not be taken off the first time)
            try:
                await msg.channel.clear_buttons()
            except Exception as exc:  # the rating and the answer stand either way
                log.warning("could not take the rating buttons off: %s", type(exc).__name__)
        return Outcome("info", language=language, text=text)

    async def _command(
        self, msg: Incoming, state: ConversationState, command: str, text: str, language: str
    ):
        """``text`` is the redacted rest of the command line."""
        command = command.lower().lstrip("/")
        if command in ("start", "hello"):
            return await self._say(msg, language, "info", self.t(language, "greeting"))
        if command == "help":
            return await self._say(msg, language, "info", self.t(language, "help"))
        if command in ("faq", "topics"):
            return await self._faq_topics(msg, language)
        if command in ("ticket", "human", "support"):
            return await self._hand_off(msg, state, language, "requested", note=text)
        if command == "reload":
            if not msg.is_moderator:
                return await self._say(msg, language, "error", self.t(language, "not_moderator"))
            result = await self.reload()
            return await self._say(msg, language, "info", self.describe_reload(result, language))
        if command == "escalate":  # without a target message: say how it works
            key = "escalate_usage" if msg.is_moderator else "not_moderator"
            return await self._say(msg, language, "info", self.t(language, key))
        if command == "status":
            if not msg.is_moderator:
                return await self._say(msg, language, "error", self.t(language, "not_moderator"))
            return await self._say(msg, language, "info", self.status())
        # Unknown commands are questions: "/howto reset password" still gets help.
        return await self._respond(
            Incoming(**{**msg.__dict__, "command": None}), state, text, language
        )

    async def _faq_topics(
        self, msg: Incoming, language: str, category: str | None = None, intro: str = "faq_intro"
    ):
        entries = self.knowledge.entries
        if category is None:
            categories = list(dict.fromkeys(e.category for e in entries))
            buttons = [Button(_category_label(c, language), f"cat:{c}") for c in categories]
        else:
            buttons = [
                Button(self.title(e, language), f"faq:{e.id}")
                for e in entries
                if e.category == category
            ]
        text = self.t(language, intro)
        await msg.channel.send(Reply(text, "info", buttons))
        return Outcome("info", language=language, text=text)

    async def _say(self, msg: Incoming, language: str, kind: str, text: str) -> Outcome:
        await msg.channel.send(Reply(text, kind))
        return Outcome(kind if kind in ("info", "warn") else "info", language=language, text=text)

    # --- the guard's side ---------------------------------------------------------------------

    async def _warn_secret(self, msg: Incoming, kinds: Sequence[str], language: str) -> Outcome:
        deleted = False
        if not msg.is_private:
            try:
                deleted = await msg.channel.delete_incoming()
            except Exception:  # no right to delete, message gone, network: still warn
                log.warning("could not delete a message holding a secret on %s", msg.platform)
        if msg.user_name:
            parts = [self.t(language, "warn_intro", user=msg.user_name)]
        else:
            parts = [self.t(language, "warn_intro_anonymous")]
        parts += [self.t(language, f"warn_{kind}") for kind in kinds]
        if not msg.is_private:
            parts.append(self.t(language, "warn_deleted" if deleted else "warn_not_deleted"))
        parts.append(self.t(language, "warn_staff_never_ask"))
        text = "\n".join(parts)
        await msg.channel.send(Reply(text, "warn"))
        log.info(
            "guard: %s in a message on %s (deleted=%s)", ",".join(kinds), msg.platform, deleted
        )
        return Outcome("warn", language=language, text=text, kinds=list(kinds))

    async def _warn_phishing(self, msg: Incoming, links, language: str) -> Outcome:
        official = ", ".join(self.knowledge.settings.official_domains) or "-"
        texts = []
        if set(links.kinds) - {"dm_lure", "impersonation"}:
            texts.append(self.t(language, "warn_phishing", domains=official))
        if {"dm_lure", "impersonation"} & set(links.kinds) or not texts:
            texts.append(self.t(language, "warn_lure"))
        text = "\n".join(texts)
        await msg.channel.send(Reply(text, "warn"))
        log.info("phishing: %s on %s", ",".join(links.kinds), msg.platform)
        return Outcome("warn", language=language, text=text, kinds=list(links.kinds))

    def _remember(self, msg: Incoming, state: ConversationState, redacted: str) -> None:
        if not redacted.strip():
            return
        line = redacted if msg.is_private else f"{msg.user_name or msg.user_id}: {redacted}"
        state.history.append(("user", redacted))
        self.conversations.room(msg.platform, msg.conversation_id).append(("user", line))

    # --- moderators ---------------------------------------------------------------------------

    async def escalate(
        self,
        msg: Incoming,
        *,
        target_user_id: str,
        target_user_name: str = "",
        target_text: str = "",
        target_is_bot: bool = False,
    ) -> Outcome:
        """A moderator turns a member's message (and the chat's recent lines) into a ticket.
        ``target_is_bot``: the message is a bot's (this one's answer, say): no ticket."""
        msg.user_name = self._safe_name(msg.user_name)
        target_user_name = self._safe_name(target_user_name)
        language = detect_language(
            target_text or msg.text, msg.language, self.knowledge.settings.default_language
        )
        own = self.scan(msg.text) if msg.text else None
        if own is not None and own.sensitive:  # "/escalate <a secret>": guarded like any message
            return await self._warn_secret(msg, own.kinds, language)
        if not msg.is_moderator:
            return await self._say(msg, language, "error", self.t(language, "not_moderator"))
        if target_is_bot:  # a bot is nobody to hand off: tell the moderator how it works
            text = self.t(language, "escalate_usage")
            await msg.channel.send(Reply(text, "info", private=True, notice=True))
            return Outcome("info", language=language, text=text)
        context = list(self.conversations.room(msg.platform, msg.conversation_id))
        if target_text:
            found = self.scan(target_text)
            line = f"{target_user_name or target_user_id}: {found.redacted}"
            if ("user", line) not in context:
                context.append(("user", line))

        def open_with_words() -> tuple[Ticket, bool]:
            for _ in range(2):  # twice: the member's open ticket may be closed meanwhile
                ticket, created = self.store.open_ticket(
                    platform=msg.platform,
                    conversation_id=msg.conversation_id,
                    user_id=target_user_id,
                    user_name=target_user_name,
                    language=language,
                    reason="moderator",
                    escalated_by=msg.user_id,
                    transcript=context,
                    thread_id=msg.thread_id,
                )
                # the escalated words join the member's open ticket (a new one has them)
                if created or not target_text or self._add_once(ticket.id, found.redacted):
                    break
            return ticket, created

        ticket, created = await asyncio.to_thread(open_with_words)
        note = _escalation_note(own.redacted if own is not None else "", target_text)
        if note:  # why, in the moderator's words, for the staff only (not the member's page)
            await asyncio.to_thread(
                self.store.add_message, ticket.id, "note", note, msg.user_name or msg.user_id
            )
        # The member's link is the member's key (it reads staff replies, writes and rates as
        # the member): the moderator gets the desk's page, behind its login, and the member
        # gets the link from the bot privately (/ticket finds this ticket: find_open).
        user = target_user_name or target_user_id
        key = "handoff_moderator" if created else "handoff_moderator_existing"
        desk_url = self.store.desk_url_for(ticket.id)
        text = self.t(language, key, user=user, ticket_id=ticket.id, desk_url=desk_url)
        fallback = self.t(language, "handoff_moderator_no_link", user=user)
        await msg.channel.send(
            Reply(text, "escalate", private=not msg.is_private, fallback=fallback)
        )
        log.info(
            "ticket %s %s by a moderator on %s",
            ticket.id,
            "opened" if created else "reused",
            msg.platform,
        )
        url = self.store.url_for(ticket)
        return Outcome("escalate", language=language, text=text, ticket_url=url)

    def _add_once(self, ticket_id: int, text: str) -> bool:
        """Add the member's words unless the ticket has them already (a message addressed to
        the bot joined it when it was sent). False when the ticket is closed. Blocking."""
        if any(m.text == text for m in self.store.messages(ticket_id) if m.author == "user"):
            ticket = self.store.get(ticket_id)
            return ticket is not None and ticket.status == "open"
        return self.store.add_message(ticket_id, "user", text)

    async def reload(self) -> ReloadResult:
        return await self.live.reload()

    def describe_reload(self, result: ReloadResult, language: str) -> str:
        if result.ok:
            return self.t(language, "reloaded", count=result.entries)
        errors = "\n".join(str(p) for p in result.problems[:10])
        return self.t(language, "reload_failed", errors=errors)

    def status(self) -> str:
        k = self.knowledge
        index = self.live.matcher.index
        lines = [
            f"{len(k.entries)} entries, model {index.model.name}",
            f"answer thresholds {index.settings.describe_thresholds()}",
        ]
        lines += [f"error: {p}" for p in self.live.last_error[:10]]
        return "\n".join(lines)


class _Blank(dict):
    """format_map helper: an unknown {name} stays as it is instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, values: dict[str, Any]) -> str:
    """``text`` with its {placeholders} filled. The knowledge check refuses broken braces
    and format specs; should one slip through, the text goes out as written rather than
    the reply failing."""
    try:
        return text.format_map(_Blank(values))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        log.warning("a text with broken placeholders was sent as written")
        return text


CATEGORY_LABELS = {
    "channels": ("Support channels", "客服渠道"),
    "safety": ("Safety", "安全须知"),
    "account": ("Account", "账户"),
    "trading": ("Trading", "交易"),
    "security": ("Security & privacy", "安全与隐私"),
    "funds": ("Deposits & withdrawals", "充值与提现"),
    "technical": ("Technical issues", "技术问题"),
    "getting-help": ("Getting help faster", "高效获得帮助"),
    "no-reply": ("When support doesn't reply", "客服未回复"),
}


def _category_label(category: str, language: str) -> str:
    labels = CATEGORY_LABELS.get(category)
    if not labels:
        return category
    return labels[1] if language == "zh" else labels[0]


_ESCALATE_WORD = re.compile(r"^\s*[!/]escalate(?:@\S+)?\s*", re.IGNORECASE)


def _escalation_note(command_text: str, target_text: str) -> str:
    """The staff note an escalation leaves: the moderator's reason ("!escalate double
    charge"), or, with neither a reason nor the member's words, that there were none."""
    reason = _ESCALATE_WORD.sub("", command_text or "").strip()
    if reason:
        return f"Escalated: {reason}"
    return "" if target_text.strip() else "Escalated without a message from the member."


def _forget(state: ConversationState, previous: PreviousMessage) -> None:
    """The window of a kept message has passed: drop its text (guard_split.WINDOW_S)."""
    if state.previous is previous:
        state.previous = None


def _owner_tag(user_id: str) -> str:
    """A short mark of a member for button payloads (platforms limit them: Telegram to 64
    bytes); two members sharing one only lets one press the other's buttons."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:6]


def _for(msg: Incoming, payload: str) -> str:
    """A button that acts for the member who asked ("that didn't help", "talk to a human"):
    in a group, marked with that member, so that nobody else's press opens a ticket or gives
    feedback in their name (shared.pipeline._button)."""
    return payload if msg.is_private else f"{payload}|{_owner_tag(msg.user_id)}"


def _category_of(knowledge: Knowledge, entry_id: str | None) -> str | None:
    entry = knowledge.entry(entry_id) if entry_id else None
    return entry.category if entry else None


_PLACEHOLDER = re.compile(r"\[[^\]]{0,40} removed\]")


def _strip_placeholders(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


# A rating button's payload after "rate:": ticket id and stars (shared.outbox.buttons_for).
_RATING = re.compile(r"([0-9]{1,18}):([1-5])")


def _has_words(text: str) -> bool:
    """Anything worth matching: a Latin word of two letters or a CJK character."""
    return bool(re.search(r"[A-Za-z]{2}|[\u3400-\u9fff]", text))
