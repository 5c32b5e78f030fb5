"""The console front-end: chat with the bot in a terminal, through the same pipeline.

Buttons are shown as numbered choices: type the number to press one.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

from shared.messages import Button, Incoming, Reply
from shared.pipeline import Pipeline

log = logging.getLogger(__name__)


class ConsoleChannel:
    """Prints replies and remembers the last buttons so a number can press them."""

    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self.buttons: list[Button] = []

    async def send(self, reply: Reply) -> None:
        prefix = "! " if reply.kind == "warn" else ""
        print(f"bot> {prefix}{reply.text}", file=self.out)
        self.buttons = list(reply.buttons)  # a reply without buttons ends the old ones
        for i, button in enumerate(reply.buttons, 1):
            print(f"     [{i}] {button.label}", file=self.out)
        self.out.flush()

    async def delete_incoming(self) -> bool:
        return False  # a terminal line cannot be taken back

    async def clear_buttons(self) -> None:
        self.buttons = []  # the numbers no longer press anything


def to_incoming(line: str, channel: ConsoleChannel) -> Incoming:
    """A typed line as the core sees it: a command, a button number or a question."""
    line = line.strip()
    if line.isdigit() and 1 <= int(line) <= len(channel.buttons):
        button = channel.buttons[int(line) - 1]
        return Incoming(text=button.label, channel=channel, payload=button.payload)
    if line.startswith("/") and len(line) > 1:
        command, _, rest = line[1:].partition(" ")
        return Incoming(text=rest, channel=channel, command=command, is_moderator=True)
    return Incoming(text=line, channel=channel, is_moderator=True)


def _read_lines(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue) -> None:
    """Blocking stdin reads, in a daemon thread so that SIGTERM never waits for a line."""
    for line in sys.stdin:
        loop.call_soon_threadsafe(lines.put_nowait, line)
    loop.call_soon_threadsafe(lines.put_nowait, None)


async def serve(pipeline: Pipeline, stop: asyncio.Event) -> None:
    channel = ConsoleChannel()
    await channel.send(Reply(pipeline.t("en", "greeting") + "\n" + pipeline.t("zh", "greeting")))
    print("(type /quit or press Ctrl-D to leave)", flush=True)
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    threading.Thread(target=_read_lines, args=(loop, lines), daemon=True).start()
    stopped = asyncio.create_task(stop.wait())
    while not stop.is_set():
        print("you> ", end="", flush=True)
        next_line = asyncio.create_task(lines.get())
        done, _ = await asyncio.wait({next_line, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if next_line not in done:
            next_line.cancel()
            break
        line = next_line.result()
        if line is None or line.strip() in ("/quit", "/exit"):
            break
        # bytes the terminal could not decode arrive as lone surrogates: replaced, not fatal
        line = line.encode("utf-8", "replace").decode("utf-8")
        if line.strip():
            try:
                await pipeline.handle(to_incoming(line, channel))
            except Exception as exc:  # one failed message must not end the session
                log.error("console: the message could not be handled: %s", type(exc).__name__)
                print(
                    "bot> Sorry, that went wrong; please try again. / 出错了,请重试。", flush=True
                )
    stopped.cancel()
