"""The web desk: ticket pages for members, the queue for moderators (``supportbot desk``)."""

from shared.desk.app import DeskConfig, create_app

__all__ = ["DeskConfig", "create_app"]
