"""What must stay private: ticket links in groups, and secrets in commands."""

from shared.messages import CollectingChannel, Incoming
from tests.conftest import MINI_KB

SEED = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


def group(text: str, **fields) -> Incoming:
    fields.setdefault("channel", CollectingChannel(can_delete=True))
    fields.setdefault("user_id", "m1")
    fields.setdefault("user_name", "member")
    return Incoming(text=text, is_private=False, conversation_id="group", **fields)


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
    assert outcome.ticket_url in reply.text and reply.private is True
    assert "/t/" not in reply.fallback


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
