"""The knowledge base: YAML files of FAQ entries plus the bot's settings.

Admins edit these files by hand, so every problem is reported as ``FILE:LINE: what``
and a broken file never takes the bot down (the caller keeps the last good copy).
A knowledge path is one YAML file or a folder of them (``*.yaml``, ``*.yml``).

Schema (documented for admins in README.md, "The knowledge files")::

    settings:                # at most once across all files
      exchange_name: str
      default_language: en   # reply language when the user's cannot be told
      official_domains: [str]
      contacts: {support_email: str|null, live_chat_url: ..., ...}
      matching: {model, answer_threshold, suggest_threshold, margin, max_suggestions}
      templates: {<lang>: {<template key>: str}}
    entries:
      - id: str              # unique across all files
        category: str
        title: {<lang>: str}             # optional
        questions: [str]                 # phrasings, any language
        answer: {<lang>: str}            # the default language is required
        follow_up: [entry id]            # optional
        links: [{title: {<lang>: str}, url: str}]   # optional
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared.templates import DEFAULT_TEMPLATES

CONTACT_KEYS = (
    "support_email",
    "live_chat_url",
    "help_center_url",
    "status_page_url",
    "complaint_url",
    "twitter_url",
    "facebook_url",
    "community_url",
)
PLACEHOLDERS = frozenset(("exchange_name",) + CONTACT_KEYS)
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")  # \Z: "$" lets a final newline through
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?\Z")

SETTINGS_KEYS = {
    "exchange_name",
    "default_language",
    "official_domains",
    "contacts",
    "matching",
    "templates",
}
MATCHING_KEYS = {
    "model",
    "answer_threshold",
    "answer_threshold_cjk",
    "suggest_threshold",
    "margin",
    "max_suggestions",
}
ENTRY_KEYS = {"id", "category", "title", "questions", "answer", "follow_up", "links"}
LINK_KEYS = {"title", "url"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious, when ``warning``) in a knowledge file."""

    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        level = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {level}{self.message}"


class KnowledgeError(Exception):
    """The knowledge cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Link:
    url: str
    title: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    questions: tuple[str, ...]
    answer: dict[str, str]
    title: dict[str, str] = field(default_factory=dict)
    follow_up: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    source: str = ""  # FILE:LINE of the entry, for messages to admins

    def title_in(self, language: str, fallback: str) -> str:
        """A short label for buttons: the title, else the first phrasing."""
        for lang in (language, fallback, *self.title):
            if lang in self.title:
                return self.title[lang]
        return self.questions[0]


@dataclass(frozen=True)
class MatchingSettings:
    model: str = "default"
    # Measured on tests/data/support_eval.csv with `supportbot kb eval` (README).
    answer_threshold: float = 0.55  # answer when the closest phrasing is at least this ...
    # ... (for a question in Chinese script, this: the multilingual encoder alone scores it,
    # and its similarities between Chinese texts run higher) ...
    answer_threshold_cjk: float = 0.62
    margin: float = 0.10  # ... and the best entry's confidence beats the runner-up's by this
    suggest_threshold: float = 0.35  # below this nothing fits: hand off
    max_suggestions: int = 3
    # the keys the admin wrote in settings.yaml (calibrated thresholds never override them)
    explicit: frozenset[str] = frozenset()

    def describe_thresholds(self) -> str:
        """The two answer thresholds, as `kb check`, `kb tune` and /status show them."""
        return (
            f"{self.answer_threshold:.2f} (Latin script), "
            f"{self.answer_threshold_cjk:.2f} (Chinese script)"
        )


@dataclass(frozen=True)
class KnowledgeSettings:
    exchange_name: str = "our exchange"
    default_language: str = "en"
    official_domains: tuple[str, ...] = ()
    contacts: dict[str, str | None] = field(default_factory=dict)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    templates: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Knowledge:
    settings: KnowledgeSettings
    entries: tuple[Entry, ...]
    fingerprint: str  # sha256 of the files' bytes: keys caches and tuned models
    files: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    settings_source: str = ""  # "FILE:LINE" of the settings block ("": the defaults)
    model_source: str = ""  # "FILE:LINE" of matching.model ("": the default model)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    @property
    def languages(self) -> tuple[str, ...]:
        langs = {self.settings.default_language}
        for e in self.entries:
            langs.update(e.answer)
        return tuple(sorted(langs))


# --- YAML with line numbers -------------------------------------------------------------


class _Node(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _List(list):
    line: int = 0
    item_lines: list[int]


# libyaml's parser when PyYAML has it (its wheels do): ten times faster on big files
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""

    duplicate_keys: list[tuple[int, str]]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    result = _Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # "? [1, 2]": YAML allows it, a dict cannot hold it
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a single value, not a list or mapping",
                key_node.start_mark,
            )
        if isinstance(key, str | int | float | bool) and key in result:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_BROKEN = object()  # _parse's answer for a file that is not valid YAML


def _parse(text: str, file: str, problems: list[Problem]) -> Any:
    loader = None
    try:
        loader = _LineLoader(text)  # the pure-Python reader checks characters here
        loader.duplicate_keys = []
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        position = getattr(exc, "position", None)  # a character YAML does not allow
        if mark is None and isinstance(position, int):
            line = text.count("\n", 0, position) + 1
        context = getattr(exc, "context_mark", None)
        if context is not None and line > len(text.splitlines()):
            line = context.line + 1  # e.g. an unterminated quote: name where it starts
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "tag:yaml.org,2002:merge" in what:
            what = "merge keys (<<) are not supported: write the values out"
        problems.append(Problem(file, line, f"YAML syntax error: {what}"))
        return _BROKEN
    except RecursionError:
        problems.append(Problem(file, 1, "YAML nested too deeply to read"))
        return _BROKEN
    finally:
        if loader is not None:
            loader.dispose()
    for line, key in loader.duplicate_keys:
        problems.append(Problem(file, line, f"duplicate key '{key}'"))
    return data


# --- validation ---------------------------------------------------------------------------


class _Checker:
    """Turns parsed YAML into Knowledge, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.settings: KnowledgeSettings | None = None
        self.settings_at: str = ""
        self.model_at: str = ""
        self.unread: list[str] = []  # files that could not be read or parsed
        self.entries: list[Entry] = []
        self.entry_lines: dict[str, tuple[str, int]] = {}

    def error(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message, warning=True))

    def check_file(self, file: str, data: Any) -> None:
        if data is None:
            self.warn(file, 1, "the file is empty")
            return
        if not isinstance(data, _Node):
            self.error(file, getattr(data, "line", 1), "expected a mapping with 'entries:'")
            return
        self._unknown_keys(file, data, {"settings", "entries"}, "top level")
        if "settings" in data:
            line = data.key_lines["settings"]
            if self.settings is not None:
                self.error(file, line, f"settings already given at {self.settings_at}")
            else:
                self.settings_at = f"{file}:{line}"
                self.settings = self._settings(file, data["settings"], line)
        if "entries" in data:
            entries = data["entries"]
            if not isinstance(entries, _List):
                self.error(file, data.key_lines["entries"], "'entries' must be a list")
                return
            for item, line in zip(entries, entries.item_lines, strict=True):
                self._entry(file, item, line)

    def _unknown_keys(self, file: str, node: _Node, allowed: set[str], where: str) -> None:
        for key in node:
            if str(key) not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(
                    file, node.key_lines[str(key)], f"unknown key '{key}' in {where} ({known})"
                )

    def _text_map(self, file: str, value: Any, line: int, what: str) -> dict[str, str]:
        """A {language: text} mapping with non-empty strings."""
        if not isinstance(value, _Node):
            self.error(file, line, f"{what} must be a mapping of language to text, e.g. en: ...")
            return {}
        out: dict[str, str] = {}
        for lang, text in value.items():
            key_line = value.key_lines[str(lang)]
            if not isinstance(lang, str) or not LANGUAGE_PATTERN.match(lang):
                self.error(file, key_line, f"{what}: '{lang}' is not a language code like en, zh")
            elif not isinstance(text, str) or not text.strip():
                self.error(file, key_line, f"{what}.{lang} must be non-empty text")
            else:
                out[lang] = text.strip()
                if lang not in SPOKEN:
                    self.warn(file, key_line, _unspoken(what, lang))
        return out

    def _placeholders(
        self, file: str, line: int, text: str, what: str, known: frozenset[str] = PLACEHOLDERS
    ) -> list[str] | None:
        """Placeholders are plain ``{name}``s from ``known`` (a template's: those its
        built-in text uses); braces balanced. Anything else would only fail, or be sent as
        written, when the bot replies. Returns the names used (None: broken braces)."""
        try:
            parsed = [(n, spec, conv) for _, n, spec, conv in string.Formatter().parse(text)]
        except ValueError as exc:
            self.error(file, line, f"{what}: broken braces ({exc}); write {{{{ and }}}}")
            return None
        fields = []
        for name, spec, conversion in parsed:
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                self.error(
                    file,
                    line,
                    f"{what}: '{{{name}{'!' + conversion if conversion else ''}"
                    f"{':' + spec if spec else ''}}}' is not a placeholder: write {{name}}, "
                    "or {{ and }} for braces",
                )
            else:
                fields.append(name)
        for name in fields:
            if name not in known:
                allowed = ", ".join("{" + p + "}" for p in sorted(known))
                self.error(file, line, f"{what}: unknown placeholder {{{name}}} (known: {allowed})")
        return fields

    def _settings(self, file: str, node: Any, line: int) -> KnowledgeSettings | None:
        if not isinstance(node, _Node):
            self.error(file, line, "'settings' must be a mapping")
            return None
        self._unknown_keys(file, node, SETTINGS_KEYS, "settings")
        kwargs: dict[str, Any] = {}
        lines = node.key_lines
        if "exchange_name" in node:
            if isinstance(node["exchange_name"], str) and node["exchange_name"].strip():
                kwargs["exchange_name"] = node["exchange_name"].strip()
            else:
                self.error(file, lines["exchange_name"], "exchange_name must be text")
        if "default_language" in node:
            lang = node["default_language"]
            if isinstance(lang, str) and LANGUAGE_PATTERN.match(lang):
                kwargs["default_language"] = lang
            else:
                self.error(file, lines["default_language"], "default_language must be like en")
        if "official_domains" in node:
            domains = node["official_domains"] or []
            if not isinstance(domains, list) or not all(
                isinstance(d, str) and "." in d and "/" not in d for d in domains
            ):
                self.error(
                    file,
                    lines["official_domains"],
                    "official_domains must be a list of bare domains like example.com",
                )
            else:
                kwargs["official_domains"] = tuple(d.lower().strip() for d in domains)
        if "contacts" in node:
            kwargs["contacts"] = self._contacts(file, node["contacts"], lines["contacts"])
        if "matching" in node:
            kwargs["matching"] = self._matching(file, node["matching"], lines["matching"])
        if "templates" in node:
            kwargs["templates"] = self._templates(file, node["templates"], lines["templates"])
        return KnowledgeSettings(**kwargs)

    def _contacts(self, file: str, node: Any, line: int) -> dict[str, str | None]:
        if not isinstance(node, _Node):
            self.error(file, line, "'contacts' must be a mapping")
            return {}
        self._unknown_keys(file, node, set(CONTACT_KEYS), "contacts")
        out: dict[str, str | None] = {}
        for key in CONTACT_KEYS:
            value = node.get(key)
            if value is not None and not (isinstance(value, str) and value.strip()):
                self.error(file, node.key_lines[key], f"contacts.{key} must be text or null")
            out[key] = value.strip() if isinstance(value, str) and value.strip() else None
            shape = _LINK if key.endswith("_url") else _EMAIL
            if out[key] is not None and not shape.fullmatch(out[key]):
                # a warning: in an answer's text it still reads (older files use it so)
                if key.endswith("_url"):
                    why = "does not start with https://: links that use it are left out"
                else:
                    why = "is not an e-mail address"
                self.warn(file, node.key_lines[key], f"contacts.{key} {why}")
        return out

    def _matching(self, file: str, node: Any, line: int) -> MatchingSettings:
        if not isinstance(node, _Node):
            self.error(file, line, "'matching' must be a mapping")
            return MatchingSettings()
        self._unknown_keys(file, node, MATCHING_KEYS, "matching")
        kwargs: dict[str, Any] = {}
        for key, value in node.items():
            key_line = node.key_lines[str(key)]
            if key == "model":
                if isinstance(value, str) and value.strip():
                    kwargs["model"] = value.strip()
                    self.model_at = f"{file}:{key_line}"
                else:
                    self.error(file, key_line, "matching.model must be a model name or path")
            elif key == "max_suggestions":
                if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10:
                    kwargs[key] = value
                else:
                    self.error(file, key_line, "matching.max_suggestions must be 1 to 10")
            elif key in MATCHING_KEYS:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    if -1.0 <= value <= 1.0:
                        kwargs[key] = float(value)
                        if value < 0:  # similarities of normalised vectors: 0 is "unrelated"
                            self.warn(
                                file,
                                key_line,
                                f"matching.{key} below 0 acts as 0 or less: "
                                "every question passes it",
                            )
                        continue
                self.error(file, key_line, f"matching.{key} must be a number from -1 to 1")
        settings = MatchingSettings(**kwargs, explicit=frozenset(kwargs))
        if settings.suggest_threshold > settings.answer_threshold:
            self.error(file, line, "matching.suggest_threshold is above answer_threshold")
        if (
            "answer_threshold_cjk" in kwargs
            and settings.suggest_threshold > settings.answer_threshold_cjk
        ):  # only as set: a default Chinese threshold is calibrated per knowledge anyway
            self.error(file, line, "matching.suggest_threshold is above answer_threshold_cjk")
        return settings

    def _templates(self, file: str, node: Any, line: int) -> dict[str, dict[str, str]]:
        if not isinstance(node, _Node):
            self.error(file, line, "'templates' must be a mapping of language to templates")
            return {}
        known = set(DEFAULT_TEMPLATES["en"])
        out: dict[str, dict[str, str]] = {}
        for lang, texts in node.items():
            lang_line = node.key_lines[str(lang)]
            if not isinstance(lang, str) or not LANGUAGE_PATTERN.match(lang):
                self.error(file, lang_line, f"templates: '{lang}' is not a language code")
                continue
            if not isinstance(texts, _Node):
                self.error(file, lang_line, f"templates.{lang} must be a mapping")
                continue
            self._unknown_keys(file, texts, known, f"templates.{lang}")
            out[lang] = {
                str(k): v.strip()
                for k, v in texts.items()
                if str(k) in known and isinstance(v, str) and v.strip()
            }
            for k, v in texts.items():
                if not (isinstance(v, str) and v.strip()):
                    self.error(file, texts.key_lines[str(k)], f"templates.{lang}.{k} is empty")
                elif str(k) in known:
                    self._template_text(file, texts.key_lines[str(k)], str(k), lang, v)
        return out

    def _template_text(self, file: str, line: int, key: str, lang: str, text: str) -> None:
        """A template may use the placeholders its built-in text uses (and the exchange's
        name); another name would reach members as written ("Ticket: {ticketurl}"), and a
        template without its ticket link leaves the member without one."""
        where = f"templates.{lang}.{key}"
        allowed = frozenset(_template_fields(key) | {"exchange_name"})
        used = self._placeholders(file, line, text, where, allowed)
        if used is None:
            return  # broken braces: reported
        for name in sorted(_ESSENTIAL & _template_fields(key) - set(used)):
            self.warn(file, line, f"{where} leaves out {{{name}}}: the member gets no link")

    def _entry(self, file: str, node: Any, line: int) -> None:
        if not isinstance(node, _Node):
            self.error(file, line, "each entry must be a mapping with id, questions and answer")
            return
        self._unknown_keys(file, node, ENTRY_KEYS, "an entry")
        lines = node.key_lines
        entry_id = node.get("id")
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            self.error(
                file,
                lines.get("id", line),
                "entry id is missing or not lowercase letters, digits, - and _",
            )
            return
        if entry_id in self.entry_lines:
            first_file, first_line = self.entry_lines[entry_id]
            self.error(
                file,
                lines["id"],
                f"duplicate id '{entry_id}' (first at {first_file}:{first_line})",
            )
            return
        self.entry_lines[entry_id] = (file, lines["id"])

        category = node.get("category", "general")
        if not isinstance(category, str) or not category.strip():
            self.error(file, lines.get("category", line), f"{entry_id}: category must be text")
            category = "general"

        questions = node.get("questions")
        phrasings: list[str] = []
        q_line = lines.get("questions", line)
        if questions is None:
            self.error(file, q_line, f"{entry_id}: needs 'questions:'")
        elif not isinstance(questions, _List):
            self.error(file, q_line, f"{entry_id}: questions must be a list, one '- ' per line")
        elif not questions:
            self.error(file, q_line, f"{entry_id}: questions is empty")
        else:
            for q, q_line in zip(questions, questions.item_lines, strict=True):
                if isinstance(q, bool):  # YAML reads yes/no/on/off as true/false
                    self.error(
                        file, q_line, f"{entry_id}: a question read as {q}: put it in quotes"
                    )
                elif isinstance(q, int | float):
                    # "404" is meant as written, but YAML reads 12:30 as 750, 0x1F as 31
                    phrasings.append(str(q))
                    self.warn(
                        file,
                        q_line,
                        f"{entry_id}: a question read as the number {q!r}: "
                        "put it in quotes if that is not what you wrote",
                    )
                elif isinstance(q, _Node):  # "- 2FA: how to enable": a colon and a space
                    self.error(
                        file,
                        q_line,
                        f"{entry_id}: a question with ': ' in it reads as a mapping: "
                        "put it in quotes",
                    )
                elif isinstance(q, str) and q.strip():
                    phrasings.append(q.strip())
                else:
                    self.error(file, q_line, f"{entry_id}: a question must be non-empty text")

        answer: dict[str, str] = {}
        if "answer" not in node:
            self.error(file, line, f"{entry_id}: needs 'answer:'")
        else:
            answer = self._text_map(file, node["answer"], lines["answer"], f"{entry_id}.answer")
            if isinstance(node["answer"], _Node) and not node["answer"]:
                self.error(file, lines["answer"], f"{entry_id}: the answer is empty")
            for lang, text in answer.items():
                self._placeholders(
                    file, node["answer"].key_lines[lang], text, f"{entry_id}.answer.{lang}"
                )
        title = {}
        if "title" in node:
            title = self._text_map(file, node["title"], lines["title"], f"{entry_id}.title")

        follow_up: list[str] = []
        if "follow_up" in node:
            value = node["follow_up"]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.error(file, lines["follow_up"], f"{entry_id}: follow_up must list entry ids")
            else:
                follow_up = list(value)

        links = self._links(file, node.get("links"), lines.get("links", line), entry_id)
        self.entries.append(
            Entry(
                id=entry_id,
                category=category.strip(),
                questions=tuple(phrasings),
                answer=answer,
                title=title,
                follow_up=tuple(follow_up),
                links=tuple(links),
                source=f"{file}:{line}",
            )
        )

    def _links(self, file: str, value: Any, line: int, entry_id: str) -> list[Link]:
        if value is None:
            return []
        if not isinstance(value, _List):
            self.error(file, line, f"{entry_id}: links must be a list")
            return []
        links = []
        for item, item_line in zip(value, value.item_lines, strict=True):
            if not isinstance(item, _Node) or not isinstance(item.get("url"), str):
                self.error(file, item_line, f"{entry_id}: a link needs url:")
                continue
            self._unknown_keys(file, item, LINK_KEYS, "a link")
            url = item["url"].strip()
            self._placeholders(file, item_line, url, f"{entry_id}.links")
            if not (url.startswith(("https://", "http://", "mailto:")) or url.startswith("{")):
                self.error(file, item_line, f"{entry_id}: link url must start with https://")
            title = {}
            if "title" in item:
                title = self._text_map(file, item["title"], item_line, f"{entry_id}.links.title")
            links.append(Link(url=url, title=title))
        return links

    def finish(self, path: str) -> KnowledgeSettings:
        """Checks that need every file: default-language answers, follow-ups, duplicates."""
        settings = self.settings or KnowledgeSettings()
        default = settings.default_language
        ids = {e.id for e in self.entries}
        seen_phrasings: dict[str, str] = {}
        for e in self.entries:
            file, line = e.source.rsplit(":", 1)
            if e.answer and default not in e.answer:
                self.error(
                    file, int(line), f"{e.id}: no answer in the default language '{default}'"
                )
            for target in e.follow_up:
                # with a file unread, its entries are unknown: no errors about them elsewhere
                if target not in ids and not self.unread:
                    self.error(file, int(line), f"{e.id}: follow_up names unknown entry '{target}'")
            for q in e.questions:
                key = normalise_question(q)
                other = seen_phrasings.setdefault(key, e.id)
                if other != e.id:
                    self.warn(
                        file, int(line), f"{e.id}: phrasing '{q}' is also a phrasing of '{other}'"
                    )
        if not self.entries:
            self.problems.append(Problem(path, 1, "no entries found"))
        return settings


def normalise_question(text: str) -> str:
    """Case- and punctuation-insensitive form used to spot literal duplicates."""
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


# What a contact must look like: an e-mail address, or a link (the *_url ones), which
# answers show only when it starts with http(s)://.
_EMAIL = re.compile(r"[^@\s{}]+@[^@\s{}]+\.[^@\s{}]+")
_LINK = re.compile(r"https?://\S+")

# The languages the bot tells apart (by script: shared/language.py).
SPOKEN = ("en", "zh")


def _unspoken(what: str, lang: str) -> str:
    if lang.lower().startswith("zh") or lang.lower() == "cn":
        return f"{what}: '{lang}' is never chosen: write 'zh' for Chinese"
    return (
        f"{what}: '{lang}' is only chosen when a platform says the member's language is "
        f"'{lang}' and the message has no words to tell (the bot tells en and zh apart)"
    )


# Placeholders a template must keep when its built-in text has them.
_ESSENTIAL = frozenset({"ticket_url"})


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _template_fields(key: str) -> set[str]:
    """The placeholders the built-in texts of template ``key`` use (every language)."""
    fields: set[str] = set()
    for texts in DEFAULT_TEMPLATES.values():
        if key in texts:
            fields |= _fields(texts[key])
    return fields


def knowledge_files(path: str | Path) -> list[Path]:
    """The YAML files that make up the knowledge at ``path`` (a file or a folder): ``.yaml``
    or ``.yml`` in any case, not hidden (an editor's lock file or macOS's "._name.yaml" is no
    knowledge). A link to nothing is listed, so that loading it reports it, rather than
    its entries vanishing unseen."""
    path = Path(path)
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in (".yaml", ".yml")
            and not p.name.startswith(".")
            and (p.is_file() or p.is_symlink())
        )
    return [path]


def load_knowledge(path: str | Path) -> Knowledge:
    """Read and validate the knowledge; raise KnowledgeError listing every error."""
    files = knowledge_files(path)
    checker = _Checker()
    digest = hashlib.sha256()
    if not files:
        raise KnowledgeError([Problem(str(path), 1, "no .yaml files here")])
    for file in files:
        name = str(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            why = "a link to a file that is not there" if not file.exists() else exc.strerror
            checker.error(name, 1, f"cannot read: {why or exc}")
            checker.unread.append(name)
            continue
        digest.update(file.name.encode())
        digest.update(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            checker.error(name, line, "not UTF-8 text")
            checker.unread.append(name)
            continue
        data = _parse(text, name, checker.problems)
        if data is _BROKEN:
            checker.unread.append(name)
        else:
            checker.check_file(name, data)
    settings = checker.finish(str(path))
    errors = [p for p in checker.problems if not p.warning]
    if errors:
        raise KnowledgeError(checker.problems)
    return Knowledge(
        settings=settings,
        entries=tuple(checker.entries),
        fingerprint=digest.hexdigest(),
        files=tuple(str(f) for f in files),
        warnings=tuple(p for p in checker.problems if p.warning),
        settings_source=checker.settings_at,
        model_source=checker.model_at,
    )
