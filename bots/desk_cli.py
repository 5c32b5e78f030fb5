"""`supportbot desk`: serve the web desk; `supportbot desk add-moderator NAME`: make accounts.

supportbot desk --host 127.0.0.1 --port 8080
supportbot desk add-moderator alice           # asks for the password (or reads stdin)
supportbot desk add-moderator alice --reset   # a new password; ends alice's sessions
supportbot desk disable-moderator alice
supportbot desk moderators
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sys

from shared.logs import log_level
from shared.settings import Settings

log = logging.getLogger("supportbot.desk")

_TICKET_PATH = re.compile(r"/t/[A-Za-z0-9_\-]+")


class TicketPathFilter(logging.Filter):
    """Ticket links carry their key in the path: scrub ``/t/<token>`` from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _TICKET_PATH.sub("/t/[token]", message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def add_arguments(desk: argparse.ArgumentParser) -> None:
    desk.add_argument("--host", default=os.environ.get("SUPPORTBOT_DESK_HOST", "127.0.0.1"))
    desk.add_argument(
        "--port", type=int, default=int(os.environ.get("SUPPORTBOT_DESK_PORT", "8080"))
    )
    desk.add_argument(
        "--log-level", type=log_level, default=os.environ.get("SUPPORTBOT_LOG_LEVEL", "INFO")
    )
    desk.set_defaults(func=cmd_desk)
    sub = desk.add_subparsers(dest="desk_command")
    add = sub.add_parser("add-moderator", help="create a moderator account (password prompted)")
    add.add_argument("name")
    add.add_argument("--reset", action="store_true", help="set a new password for NAME")
    add.set_defaults(func=cmd_add_moderator)
    off = sub.add_parser("disable-moderator", help="lock an account and end its sessions")
    off.add_argument("name")
    off.set_defaults(func=cmd_disable_moderator)
    names = sub.add_parser("moderators", help="list the accounts")
    names.set_defaults(func=cmd_moderators)


def _store():
    from shared.tickets import TicketStore

    settings = Settings.from_env()
    return TicketStore(settings.sqlalchemy_url, settings.public_url)


def read_password(stream=None) -> str:
    """From a prompt (twice) on a terminal; else the first line of stdin."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the passwords differ")
        return first
    return stream.readline().rstrip("\r\n")


def cmd_add_moderator(args: argparse.Namespace) -> int:
    from shared.accounts import AccountError, Accounts

    try:
        password = read_password()
        store = _store()
        try:
            moderator = Accounts(store).add(args.name, password, replace=args.reset)
        finally:
            store.dispose()
    except (AccountError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"moderator {moderator.name} {'updated' if args.reset else 'created'}")
    return 0


def cmd_disable_moderator(args: argparse.Namespace) -> int:
    from shared.accounts import Accounts

    store = _store()
    try:
        found = Accounts(store).disable(args.name)
    finally:
        store.dispose()
    if not found:
        print(f"error: no moderator {args.name!r}", file=sys.stderr)
        return 2
    print(f"moderator {args.name} disabled")
    return 0


def cmd_moderators(args: argparse.Namespace) -> int:
    from shared.accounts import Accounts

    store = _store()
    try:
        for name, active in Accounts(store).names():
            print(name if active else f"{name} (disabled)")
    finally:
        store.dispose()
    return 0


def cmd_desk(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.desk import create_app
    from shared.logs import setup_logging

    setup_logging(args.log_level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(TicketPathFilter())
    settings = Settings.from_env()
    app = create_app(settings)
    log.info("desk on http://%s:%d (public address %s)", args.host, args.port, settings.public_url)
    access_log = os.environ.get("SUPPORTBOT_DESK_ACCESS_LOG", "").lower() in ("1", "true", "yes")
    trust_proxy = os.environ.get("SUPPORTBOT_DESK_TRUST_PROXY", "").lower() in ("1", "true", "yes")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,  # the root handler above, with its scrubbing filters
        access_log=access_log,  # off by default: paths hold ticket tokens (scrubbed if on)
        proxy_headers=trust_proxy,  # X-Forwarded-For only behind your own reverse proxy
        forwarded_allow_ips="127.0.0.1" if trust_proxy else None,
        server_header=False,
    )
    app.state.store.dispose()
    return 0
