"""What must stay private: ticket links in groups, and secrets in commands."""

import asyncio

from shared.messages import CollectingChannel, Incoming
from tests.conftest import MINI_KB

SEED = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


def group(text: str, **fields) -> Incoming:
    fields.setdefault("channel", CollectingChannel(can_delete=True))
    fields.setdefault("user_id", "m1")
    fields.setdefault("user_name", "member")
    fields.setdefault("conversation_id", "group")
    return Incoming(text=text, is_private=False, **fields)


async def test_a_ticket_link_asked_for_in_a_group_goes_privately(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    msg = group("I want to talk to a human", addressed=True)
    outcome = await pipeline.handle(msg)
    reply = msg.channel.pop()
    assert outcome.action == "escalate" and outcome.ticket_url in reply.text
    assert reply.private is True
    assert reply.fallback and "/t/" not in reply.fallback  # what the group hears if no DM


async def test_a_moderator_escalation_in_a_group_sends_the_link_privately(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    mod = group("/escalate", user_id="mod", is_moderator=True)
    outcome = await pipeline.escalate(mod, target_user_id="m1", target_text="my deposit is late")
    reply = mod.channel.pop()
    (ticket,) = pipeline.store.tickets()
    assert reply.private is True and "/t/" not in reply.fallback
    # The member's link is the member's key: the moderator gets the desk's page instead.
    assert "/t/" not in reply.text and outcome.ticket_url not in reply.text
    assert pipeline.store.desk_url_for(ticket.id) in reply.text
    # The member gets the link privately from the bot.
    member = Incoming(
        text="",
        channel=CollectingChannel(),
        command="ticket",
        conversation_id="dm-m1",
        user_id="m1",
    )
    assert (await pipeline.handle(member)).ticket_url == outcome.ticket_url
    assert outcome.ticket_url in member.channel.pop().text


async def test_escalating_a_member_with_an_open_ticket_adds_the_message_to_it(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    await pipeline.handle(group("the deposit was 500 USDT on TRC20"))  # not addressed
    mod = group("/escalate", user_id="mod", is_moderator=True)
    await pipeline.escalate(
        mod, target_user_id="m1", target_text="the deposit was 500 USDT on TRC20"
    )
    (ticket,) = pipeline.store.tickets()
    texts = [m.text for m in pipeline.store.messages(ticket.id)]
    assert texts.count("the deposit was 500 USDT on TRC20") == 1
    reply = mod.channel.pop()
    assert "already has support ticket" in reply.text and "/t/" not in reply.text
    await pipeline.escalate(  # escalated twice: still once in the ticket
        mod, target_user_id="m1", target_text="the deposit was 500 USDT on TRC20"
    )
    texts = [m.text for m in pipeline.store.messages(ticket.id)]
    assert texts.count("the deposit was 500 USDT on TRC20") == 1


async def test_a_secret_after_an_unknown_command_is_never_stored(make_pipeline, settings):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="help me", channel=CollectingChannel(), command="ticket"))
    channel = CollectingChannel()
    outcome = await pipeline.handle(
        Incoming(text=f"my seed is {SEED}", channel=channel, command="foo")
    )
    assert outcome.action == "warn"
    ticket = pipeline.store.tickets()[0]
    stored = " ".join(m.text for m in pipeline.store.messages(ticket.id))
    assert "abandon abandon abandon" not in stored
    assert all("abandon abandon abandon" not in r.text for r in channel.replies)


async def test_a_secret_in_an_escalate_command_is_deleted_and_warned(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    mod = group(SEED, user_id="mod", is_moderator=True)
    outcome = await pipeline.escalate(mod, target_user_id="m1", target_text="hello")
    assert outcome.action == "warn" and mod.channel.deleted
    assert pipeline.store.tickets() == []


async def test_ticket_command_text_joins_an_open_ticket(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="", channel=CollectingChannel(), command="ticket"))
    await pipeline.handle(
        Incoming(text="I was charged twice", channel=CollectingChannel(), command="ticket")
    )
    ticket = pipeline.store.tickets()[0]
    assert "I was charged twice" in [m.text for m in pipeline.store.messages(ticket.id)]


async def test_a_private_answer_joins_the_ticket_opened_in_a_group(make_pipeline):
    """Replies to a group ticket reach the member privately ("answer here"): what they answer
    there joins that ticket, and asking for a human there gives the same ticket."""
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    (ticket,) = pipeline.store.tickets()

    def private(text: str) -> Incoming:
        return Incoming(
            text=text, channel=CollectingChannel(), conversation_id="dm-m1", user_id="m1"
        )

    await pipeline.handle(private("It was TRC20, two hours ago"))
    assert "It was TRC20, two hours ago" in [m.text for m in pipeline.store.messages(ticket.id)]
    again = private("I want to talk to a human")
    outcome = await pipeline.handle(again)
    assert outcome.ticket_url == pipeline.store.url_for(ticket)
    assert len(pipeline.store.tickets()) == 1
    # Another group is another conversation: the member's words there stay there.
    await pipeline.handle(group("my deposit is late", addressed=True, conversation_id="g2"))
    assert "my deposit is late" not in [m.text for m in pipeline.store.messages(ticket.id)]


async def test_a_private_answer_joins_the_ticket_support_wrote_in_last(make_pipeline):
    """A member with a private ticket and a group ticket (escalated by a moderator): the
    staff reply on the group ticket reaches them privately, and their answer joins that
    ticket, not the private one."""
    pipeline = await make_pipeline(MINI_KB)
    store = pipeline.store

    def private(text: str) -> Incoming:
        return Incoming(
            text=text, channel=CollectingChannel(), conversation_id="dm-m1", user_id="m1"
        )

    await pipeline.handle(private("I want to talk to a human"))
    (own,) = store.tickets()
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    escalated = next(t for t in store.tickets() if t.id != own.id)
    assert store.reply(escalated.id, "mod", "Which network did you use?")
    await pipeline.handle(private("TRC20, txid 7f3a"))
    assert "TRC20, txid 7f3a" in [m.text for m in store.messages(escalated.id)]
    assert "TRC20, txid 7f3a" not in [m.text for m in store.messages(own.id)]
    # and back: support answers the private ticket, the member's next words go there
    assert store.reply(own.id, "mod", "And the amount?")
    await pipeline.handle(private("500 USDT"))
    assert "500 USDT" in [m.text for m in store.messages(own.id)]


async def test_an_edit_joins_the_open_ticket_redacted(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="I want to talk to a human", channel=CollectingChannel()))
    (ticket,) = pipeline.store.tickets()
    edit = Incoming(
        text="the txid is 0xabc123, amount 500 USDT", channel=CollectingChannel(), edited=True
    )
    assert (await pipeline.handle(edit)).action == "none" and not edit.channel.replies
    secret = Incoming(text=f"my words {SEED}", channel=CollectingChannel(), edited=True)
    await pipeline.handle(secret)
    texts = [m.text for m in pipeline.store.messages(ticket.id)]
    assert "(edited) the txid is 0xabc123, amount 500 USDT" in texts
    assert not any("abandon abandon" in t for t in texts)


async def test_small_talk_of_a_member_with_an_open_ticket_joins_it(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="I want to talk to a human", channel=CollectingChannel()))
    (ticket,) = pipeline.store.tickets()
    reply = Incoming(text="ok thanks", channel=CollectingChannel())
    assert (await pipeline.handle(reply)).action == "info"
    assert "ok thanks" in [m.text for m in pipeline.store.messages(ticket.id)]


async def test_in_a_group_only_the_asker_can_press_no_or_talk_to_a_human(make_pipeline):
    """Another member's press would open a ticket, or give feedback, in the asker's name."""
    pipeline = await make_pipeline(MINI_KB)
    asked = group("how do I reset my password?", addressed=True, user_id="alice")
    await pipeline.handle(asked)
    no = next(b.payload for b in asked.channel.pop().buttons if b.payload.startswith("fb:no"))
    bob = group("No", user_id="bob", payload=no)
    outcome = await pipeline.handle(bob)
    refusal = bob.channel.pop()
    assert outcome.action == "info" and refusal.private and refusal.notice
    assert pipeline.store.tickets() == []
    alice = group("No", user_id="alice", payload=no)
    assert (await pipeline.handle(alice)).action in ("suggest", "escalate")


class _HeldChannel(CollectingChannel):
    """A channel whose sending waits until released: a reply stuck in flood control."""

    def __init__(self) -> None:
        super().__init__(can_delete=True)
        self.release = asyncio.Event()

    async def send(self, reply) -> None:
        await self.release.wait()
        await super().send(reply)


async def test_a_members_messages_wait_their_turn_but_a_secret_does_not(make_pipeline):
    """The core keeps one member's messages in order whatever the front-end, and a secret
    never waits behind an earlier reply (platforms stall replies under flood control)."""
    pipeline = await make_pipeline(MINI_KB)
    stuck = group("how do I reset my password?", addressed=True, channel=_HeldChannel())
    first = asyncio.create_task(pipeline.handle(stuck))
    await asyncio.sleep(0.5)  # the answer is ready and waiting to be sent
    second = asyncio.create_task(pipeline.handle(group("my deposit is late", addressed=True)))
    leak = group(f"words {SEED}")
    await asyncio.wait_for(pipeline.handle(leak), 10)  # not behind the stuck reply
    assert leak.channel.deleted
    await asyncio.sleep(0.5)
    assert not second.done()  # in line behind the first
    stuck.channel.release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 30)


# --- a secret split over two messages ----------------------------------------------------

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
HALF_1 = "legal winner thank year wave sausage"
HALF_2 = "worth useful legal winner thank yellow"


def all_stored_text(pipeline) -> str:
    texts = [m.text for t in pipeline.store.tickets() for m in pipeline.store.messages(t.id)]
    return "\n".join(texts)


async def test_a_label_then_the_secret_in_the_next_message_is_caught(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="I want to talk to a human", channel=CollectingChannel()))
    first = Incoming(text="my private key is", channel=CollectingChannel())
    await pipeline.handle(first)
    second = Incoming(text=KEY, channel=CollectingChannel())
    outcome = await pipeline.handle(second)
    assert outcome.action == "warn" and "private key" in second.channel.replies[0].text.lower()
    stored = all_stored_text(pipeline)
    assert KEY not in stored
    assert "my private key is" in stored  # the label alone was no secret


async def test_a_seed_phrase_sent_in_halves_is_taken_back_out_of_both(make_pipeline):
    """In a group: both halves are deleted, and the first half, already in the member's
    open ticket and the chat's lines, is replaced there."""
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    first = group(HALF_1)
    await pipeline.handle(first)
    assert HALF_1 in all_stored_text(pipeline)  # alone, six words are no phrase
    second = group(HALF_2)
    outcome = await pipeline.handle(second)
    assert outcome.action == "warn"
    assert first.channel.deleted and second.channel.deleted
    stored = all_stored_text(pipeline)
    assert "sausage" not in stored and "yellow" not in stored
    room = pipeline.conversations.room("console", "group")
    assert room  # the chat's lines are kept (redacted)
    assert not any("sausage" in line for _, line in room)
    # escalating the member now carries no half of the phrase either
    mod = group("/escalate", user_id="mod", is_moderator=True)
    await pipeline.escalate(mod, target_user_id="m1", target_text="")
    assert "sausage" not in all_stored_text(pipeline)


async def test_two_ordinary_messages_are_not_read_as_one_secret(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    for text in ("my password is", "not working", "would you repeat what you just said",
                 "please repeat over what you said"):  # fmt: skip
        msg = Incoming(text=text, channel=CollectingChannel())
        assert (await pipeline.handle(msg)).action != "warn", text


async def test_the_previous_message_counts_only_for_a_while(make_pipeline, monkeypatch):
    import shared.guard_split

    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="my private key is", channel=CollectingChannel()))
    monkeypatch.setattr(shared.guard_split, "WINDOW_S", 0.0)
    late = Incoming(text=KEY, channel=CollectingChannel())
    # alone, 64 hex without a label is a transaction id as much as a key
    assert (await pipeline.handle(late)).action != "warn"


async def test_a_display_name_holding_a_secret_is_never_repeated_or_stored(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    name = "pw: Hunter2Secret!"
    warned = group(f"my words are {SEED}", user_name=name)
    await pipeline.handle(warned)
    assert all("Hunter2Secret" not in r.text for r in warned.channel.replies)
    await pipeline.handle(group("I want to talk to a human", addressed=True, user_name=name))
    mod = group("/escalate", user_id="mod", is_moderator=True)
    await pipeline.escalate(mod, target_user_id="m2", target_user_name=name, target_text="late")
    for ticket in pipeline.store.tickets():
        assert "Hunter2Secret" not in ticket.user_name
    assert "Hunter2Secret" not in all_stored_text(pipeline)
    room = pipeline.conversations.room("console", "group")
    assert room  # the chat's lines are kept (redacted)
    assert not any("Hunter2Secret" in line for _, line in room)


async def test_a_secret_named_by_its_command_word_is_caught_on_any_front_end(make_pipeline):
    """The console (and any front-end) gives "/password X" as command "password": the
    command word is the label that makes X a secret."""
    from bots.console import ConsoleChannel, to_incoming

    pipeline = await make_pipeline(MINI_KB)
    msg = to_incoming("/password Summer2024!", ConsoleChannel())
    outcome = await pipeline.handle(msg)
    assert outcome.action == "warn"
    assert "Summer2024" not in all_stored_text(pipeline)
    assert all(
        "Summer2024" not in line for _, line in pipeline.conversations.room("console", "console")
    )


async def test_the_first_half_is_taken_back_even_when_it_is_stored_after_the_second(
    make_pipeline,
):
    """The first half waits its turn behind a reply in flood control, so it reaches the
    ticket after the second half was caught: the take-back waits for it."""
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    stuck = group("how do I reset my password?", addressed=True, channel=_HeldChannel())
    first = asyncio.create_task(pipeline.handle(stuck))
    await asyncio.sleep(0.5)  # its answer waits to be sent
    half = asyncio.create_task(pipeline.handle(group(HALF_1)))
    await asyncio.sleep(0.1)
    second = group(HALF_2)
    caught = asyncio.create_task(pipeline.handle(second))
    await asyncio.sleep(0.5)
    assert second.channel.deleted and second.channel.replies  # at once: warned and deleted
    stuck.channel.release.set()
    await asyncio.gather(first, half, caught)
    assert "sausage" not in all_stored_text(pipeline)
    room = pipeline.conversations.room("console", "group")
    assert room  # the chat's lines are kept (redacted)
    assert not any("sausage" in line for _, line in room)
    state = pipeline.conversations.state("console", "group", "m1")
    assert not any("sausage" in line for _, line in state.history)
    assert "sausage" not in state.last_question


async def test_a_kept_message_is_forgotten_after_the_window(make_pipeline, monkeypatch):
    import shared.guard_split

    monkeypatch.setattr(shared.guard_split, "WINDOW_S", 0.2)
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(Incoming(text="my private key is", channel=CollectingChannel()))
    state = pipeline.conversations.state("console", "console", "user")
    assert state.previous is not None and state.previous.text == "my private key is"
    await asyncio.sleep(0.4)
    assert state.previous is None


async def test_an_escalation_without_words_says_so_to_the_staff_only(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    mod = group("/escalate", user_id="mod", is_moderator=True)
    await pipeline.escalate(mod, target_user_id="m9", target_text="")
    (ticket,) = pipeline.store.tickets()
    notes = [m.text for m in pipeline.store.messages(ticket.id) if m.author == "note"]
    assert notes == ["Escalated without a message from the member."]
    assert not pipeline.store.messages(ticket.id, notes=False)


async def test_the_first_half_is_taken_back_from_a_ticket_closed_in_between(make_pipeline):
    pipeline = await make_pipeline(MINI_KB)
    await pipeline.handle(group("I want to talk to a human", addressed=True))
    (ticket,) = pipeline.store.tickets()
    await pipeline.handle(group(HALF_1, addressed=True))
    assert HALF_1 in [m.text for m in pipeline.store.messages(ticket.id)]
    assert pipeline.store.close(ticket.id)  # a moderator closes it meanwhile
    await pipeline.handle(group(HALF_2))
    assert "sausage" not in all_stored_text(pipeline)
