"""Settings that come from the environment: paths, addresses and secrets.

Behaviour (thresholds, templates, official domains) lives in the knowledge YAML;
everything here is either a secret or a property of the machine the bot runs on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The knowledge shipped with the code: <repo>/knowledge next to the `shared` package.
SHIPPED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "supportbot"


@dataclass
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    database_url: str | None = None  # None: SQLite file in data_dir
    public_url: str = "http://127.0.0.1:8080"
    knowledge_path: Path = SHIPPED_KNOWLEDGE
    model: str | None = None  # overrides the knowledge's matching.model
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str | None = None
    discord_token: str | None = field(default=None, repr=False)
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    watch_knowledge: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read SUPPORTBOT_* and the platform variables (see README, "Settings")."""
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        settings = cls()
        if data_dir := get("SUPPORTBOT_DATA_DIR"):
            settings.data_dir = Path(data_dir).expanduser()
        settings.database_url = get("SUPPORTBOT_DATABASE_URL")
        if public_url := get("SUPPORTBOT_PUBLIC_URL"):
            settings.public_url = public_url.rstrip("/")
        if kb := get("SUPPORTBOT_KNOWLEDGE"):
            settings.knowledge_path = Path(kb).expanduser()
        settings.model = get("SUPPORTBOT_MODEL")
        settings.telegram_token = get("TELEGRAM_TOKEN")
        settings.telegram_api_url = get("TELEGRAM_API_URL")
        settings.discord_token = get("DISCORD_TOKEN")
        settings.discord_api_url = get("DISCORD_API_URL")
        settings.discord_gateway_url = get("DISCORD_GATEWAY_URL")
        settings.watch_knowledge = get("SUPPORTBOT_WATCH") not in ("0", "false", "no")
        return settings

    @property
    def sqlalchemy_url(self) -> str:
        """The database to use: SUPPORTBOT_DATABASE_URL, or SQLite under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'supportbot.sqlite3'}"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
