"""The knowledge files: every shipped file against the schema, and FILE:LINE validation errors."""

from __future__ import annotations

import re
import string
import textwrap
from pathlib import Path

import pytest
import yaml

from shared.knowledge import (
    PLACEHOLDERS,
    KnowledgeError,
    Problem,
    knowledge_files,
    load_knowledge,
)
from shared.language import has_cjk
from shared.settings import SHIPPED_KNOWLEDGE

MINI_KB = Path(__file__).parent / "data" / "mini_kb.yaml"

SHIPPED_FILES = knowledge_files(SHIPPED_KNOWLEDGE)


# --- helpers ---------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    """The problems load_knowledge reports for ``path`` (it must refuse the knowledge)."""
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    return caught.value.problems


def errors_of(path: Path) -> list[Problem]:
    return [p for p in problems_of(path) if not p.warning]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


ENTRY = """
  - id: {id}
    category: general
    questions:
      - {question}
    answer:
      en: An answer for {id}.
"""


def entries_yaml(*ids: str) -> str:
    body = "".join(ENTRY.format(id=i, question=f"question about {i}") for i in ids)
    return "entries:" + body


# --- every shipped file against the schema ---------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_knowledge(SHIPPED_KNOWLEDGE)


def test_shipped_knowledge_loads_without_errors_or_warnings(shipped):
    assert len(shipped.entries) >= 30
    assert list(shipped.warnings) == []
    assert {Path(f).name for f in shipped.files} == {p.name for p in SHIPPED_FILES}


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_file_is_valid_utf8_yaml_with_known_top_level_keys(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert set(data) <= {"settings", "entries"}
    assert data.get("entries") or data.get("settings")


def _shipped_entries():
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    return [pytest.param(e, id=e.id) for e in knowledge.entries]


@pytest.mark.parametrize("entry", _shipped_entries())
def test_every_shipped_entry_has_both_languages_and_enough_phrasings(entry, shipped):
    assert set(entry.answer) >= {"en", "zh"}, entry.source
    assert all(len(text) >= 20 for text in entry.answer.values()), entry.source
    assert set(entry.title) >= {"en", "zh"}, entry.source
    assert not has_cjk(entry.title["en"]) and has_cjk(entry.title["zh"]), entry.source
    assert has_cjk(entry.answer["zh"]), entry.source
    chinese = [q for q in entry.questions if has_cjk(q)]
    latin = [q for q in entry.questions if not has_cjk(q) and re.search("[A-Za-z]", q)]
    assert len(latin) >= 3, f"{entry.source}: only {len(latin)} English phrasings"
    assert len(chinese) >= 3, f"{entry.source}: only {len(chinese)} Chinese phrasings"
    known = {e.id for e in shipped.entries}
    assert set(entry.follow_up) <= known, entry.source
    assert entry.id not in entry.follow_up, entry.source
    for text in [*entry.answer.values(), *entry.title.values()]:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        assert names <= PLACEHOLDERS, f"{entry.source}: {names - PLACEHOLDERS}"


def test_shipped_settings_leave_domains_and_contacts_to_the_admin(shipped):
    settings = shipped.settings
    assert settings.default_language == "en"
    assert settings.official_domains == ()
    assert settings.contacts and all(v is None for v in settings.contacts.values())


def test_shipped_ids_are_unique_and_categories_are_set(shipped):
    ids = [e.id for e in shipped.entries]
    assert len(ids) == len(set(ids))
    assert all(e.category and e.category != "general" for e in shipped.entries)


def test_mini_kb_used_by_other_tests_is_valid():
    knowledge = load_knowledge(MINI_KB)
    assert knowledge.settings.exchange_name == "TestEx"
    assert knowledge.entry("only-chinese").questions[0] == "交易手续费是多少"


# --- FILE:LINE errors ------------------------------------------------------------------------


def syntax_errors(path: Path) -> list[Problem]:
    return [p for p in problems_of(path) if "YAML syntax error" in p.message]


def test_yaml_syntax_error_names_file_and_line_of_the_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I log in]
            answer: {en: fine
          - id: two
        """,
    )
    (problem,) = syntax_errors(path)
    assert problem.file == str(path)
    assert line_of(path, "{en: fine") <= problem.line <= line_of(path, "id: two")
    assert str(problem).startswith(f"{path}:{problem.line}: YAML syntax error")


def test_unterminated_quote_is_reported_inside_the_file_where_it_starts(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions:
              - "unterminated
            answer:
              en: fine
        """,
    )
    (problem,) = syntax_errors(path)
    assert problem.line == line_of(path, '"unterminated')


def test_yaml_syntax_error_line_is_where_the_bad_indentation_is(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [hello there]
            answer:
              en: fine
           bad: indentation
        """,
    )
    (problem,) = syntax_errors(path)
    assert problem.line == line_of(path, "bad: indentation")


def test_unknown_key_is_reported_at_its_line(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I log in]
            answers:
              en: typo in the key
        """,
    )
    errors = errors_of(path)
    unknown = [p for p in errors if "unknown key 'answers'" in p.message]
    assert unknown and unknown[0].line == line_of(path, "answers:")
    assert any("needs 'answer:'" in p.message for p in errors)


def test_unknown_key_in_settings_is_reported_at_its_line(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        textwrap.dedent(
            """
            settings:
              exchange_name: X
              default_langauge: en
            """
        )
        + entries_yaml("one"),
    )
    (problem,) = errors_of(path)
    assert "unknown key 'default_langauge'" in problem.message
    assert problem.line == line_of(path, "default_langauge")


def test_duplicate_id_is_reported_at_the_second_and_names_the_first(tmp_path):
    write(tmp_path, "a.yaml", entries_yaml("alpha", "same"))
    second = write(tmp_path, "b.yaml", entries_yaml("beta", "same"))
    first = tmp_path / "a.yaml"
    (problem,) = errors_of(tmp_path)
    assert "duplicate id 'same'" in problem.message
    assert problem.file == str(second)
    assert problem.line == line_of(second, "id: same")
    assert f"{first}:{line_of(first, 'id: same')}" in problem.message


def test_missing_default_language_answer_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        settings:
          default_language: zh
        entries:
          - id: english-only
            questions: [how do I log in]
            answer:
              en: Only English here.
        """,
    )
    (problem,) = errors_of(path)
    assert "no answer in the default language 'zh'" in problem.message
    assert problem.line == line_of(path, "- id: english-only")


def test_duplicate_key_in_a_mapping_is_reported_at_the_second_key(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I log in]
            answer:
              en: first
              en: second
        """,
    )
    (problem,) = errors_of(path)
    assert problem.message == "duplicate key 'en'"
    assert problem.line == line_of(path, "en: second")


def test_unknown_placeholder_is_reported_at_the_answer_line(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I contact you]
            answer:
              en: Write to {support_email}.
              zh: 请写信到 {supportemail}。
        """,
    )
    (problem,) = errors_of(path)
    assert "unknown placeholder {supportemail}" in problem.message
    assert problem.line == line_of(path, "{supportemail}")


def test_unbalanced_braces_are_an_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I contact you]
            answer:
              en: "Write to {support_email"
        """,
    )
    (problem,) = errors_of(path)
    assert "broken braces" in problem.message
    assert problem.line == line_of(path, "{support_email")


@pytest.mark.parametrize(
    ("matching", "needle", "message"),
    [
        ("answer_threshold: 1.5", "answer_threshold", "answer_threshold must be a number"),
        ("margin: high", "margin", "margin must be a number"),
        ("max_suggestions: 0", "max_suggestions", "max_suggestions must be 1 to 10"),
        ("answer_threshold: true", "answer_threshold", "answer_threshold must be a number"),
    ],
)
def test_bad_threshold_is_reported_at_its_line(tmp_path, matching, needle, message):
    path = write(
        tmp_path,
        "kb.yaml",
        textwrap.dedent(
            f"""
            settings:
              matching:
                {matching}
            """
        )
        + entries_yaml("one"),
    )
    (problem,) = errors_of(path)
    assert message in problem.message
    assert problem.line == line_of(path, needle)


def test_suggest_threshold_above_answer_threshold_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        textwrap.dedent(
            """
            settings:
              matching:
                answer_threshold: 0.6
                suggest_threshold: 0.8
            """
        )
        + entries_yaml("one"),
    )
    problem = errors_of(path)[0]
    assert "suggest_threshold is above answer_threshold" in problem.message
    assert problem.line == line_of(path, "matching:")


def test_suggest_threshold_above_the_chinese_answer_threshold_is_an_error(tmp_path):
    matching = "{suggest_threshold: 0.45, answer_threshold_cjk: 0.3}"
    path = write(tmp_path, "kb.yaml", f"settings:\n  matching: {matching}\n" + entries_yaml("one"))
    (problem,) = errors_of(path)
    assert "suggest_threshold is above answer_threshold_cjk" in problem.message


def test_a_negative_threshold_is_a_warning(tmp_path):
    path = write(tmp_path, "kb.yaml", "settings:\n  matching: {margin: -1}\n" + entries_yaml("one"))
    warnings = [p.message for p in load_knowledge(path).warnings]
    assert any("matching.margin below 0" in w for w in warnings), warnings


def test_the_default_chinese_threshold_does_not_bind_the_suggest_threshold(tmp_path):
    """It is calibrated per knowledge: a file that set only the Latin thresholds loads."""
    matching = "{answer_threshold: 0.8, suggest_threshold: 0.65}"
    path = write(tmp_path, "kb.yaml", f"settings:\n  matching: {matching}\n" + entries_yaml("one"))
    assert load_knowledge(path).settings.matching.suggest_threshold == 0.65


def test_a_contact_link_with_a_placeholder_of_its_own_is_no_warning(tmp_path):
    contacts = "  contacts:\n    help_center_url: 'https://help.x/{lang}'\n"
    path = write(tmp_path, "kb.yaml", "settings:\n" + contacts + entries_yaml("one"))
    assert not [p for p in load_knowledge(path).warnings if "contacts." in p.message]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("live_chat_url", "www.x.example/chat", "contacts.live_chat_url does not start with"),
        ("help_center_url", "t.me/exchange_support", "contacts.help_center_url does not start"),
        ("support_email", "not a mail", "contacts.support_email is not an e-mail address"),
    ],
)
def test_a_contact_that_no_link_can_use_is_a_warning(tmp_path, key, value, message):
    path = write(
        tmp_path, "kb.yaml", f"settings:\n  contacts:\n    {key}: {value}\n" + entries_yaml("one")
    )
    (problem,) = [p for p in load_knowledge(path).warnings if "contacts." in p.message]
    assert message in problem.message and problem.line == 3


def test_follow_up_to_a_missing_id_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [how do I log in]
            answer: {en: Log in on the website.}
            follow_up: [two, nowhere]
          - id: two
            questions: [how do I log out]
            answer: {en: Press log out.}
        """,
    )
    (problem,) = errors_of(path)
    assert "follow_up names unknown entry 'nowhere'" in problem.message
    assert problem.line == line_of(path, "- id: one")


def test_empty_file_alone_is_an_error(tmp_path):
    path = write(tmp_path, "empty.yaml", "")
    problems = errors_of(path)
    assert [p.message for p in problems] == ["no entries found"]


def test_empty_file_alone_names_the_file(tmp_path):
    path = write(tmp_path, "empty.yaml", "")
    (problem,) = errors_of(path)
    assert problem.file == str(path)


def test_empty_file_next_to_good_files_is_accepted(tmp_path):
    write(tmp_path, "a.yaml", entries_yaml("one"))
    write(tmp_path, "b.yaml", "# nothing yet\n")
    knowledge = load_knowledge(tmp_path)
    assert [e.id for e in knowledge.entries] == ["one"]
    assert len(knowledge.files) == 2


def test_empty_file_next_to_good_files_gives_a_warning(tmp_path):
    write(tmp_path, "a.yaml", entries_yaml("one"))
    empty = write(tmp_path, "b.yaml", "# nothing yet\n")
    knowledge = load_knowledge(tmp_path)
    assert [(w.file, w.line) for w in knowledge.warnings] == [(str(empty), 1)]


def test_settings_without_entries_names_the_file_once(tmp_path):
    path = write(tmp_path, "kb.yaml", "settings:\n  exchange_name: X\n")
    (problem,) = errors_of(path)
    assert "no entries found" in problem.message
    assert problem.file == str(path)
    assert str(problem) == f"{path}:{problem.line}: no entries found"


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not yaml", encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert problem.file == str(tmp_path)
    assert "no .yaml files" in problem.message


def test_non_utf8_file_is_an_error_at_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    text = entries_yaml("one").replace("An answer for one.", "Caf\u00e9 answer.")
    path.write_bytes(text.encode("latin-1"))
    write(tmp_path, "other.yaml", entries_yaml("two"))
    (problem,) = errors_of(tmp_path)
    assert problem.file == str(path)
    assert problem.message == "not UTF-8 text"
    expected = text.splitlines().index("      en: Caf\u00e9 answer.") + 1
    assert problem.line == expected


def test_folder_of_several_valid_files_merges(tmp_path):
    write(
        tmp_path,
        "00-settings.yaml",
        """
        settings:
          exchange_name: MergeEx
          contacts:
            support_email: help@merge.example
        """,
    )
    write(tmp_path, "a.yaml", entries_yaml("alpha", "beta"))
    write(tmp_path, "b.yml", entries_yaml("gamma"))
    knowledge = load_knowledge(tmp_path)
    assert [e.id for e in knowledge.entries] == ["alpha", "beta", "gamma"]
    assert knowledge.settings.exchange_name == "MergeEx"
    assert knowledge.settings.contacts["support_email"] == "help@merge.example"
    assert len(knowledge.files) == 3
    gamma = knowledge.entry("gamma")
    assert gamma.source == f"{tmp_path / 'b.yml'}:2"


def test_fingerprint_changes_when_a_file_changes(tmp_path):
    path = write(tmp_path, "a.yaml", entries_yaml("alpha"))
    before = load_knowledge(tmp_path).fingerprint
    assert load_knowledge(tmp_path).fingerprint == before
    path.write_text(entries_yaml("alpha", "beta"), encoding="utf-8")
    assert load_knowledge(tmp_path).fingerprint != before


def test_settings_given_twice_is_an_error_naming_the_first(tmp_path):
    first = write(tmp_path, "a.yaml", "settings:\n  exchange_name: A\n" + entries_yaml("one"))
    second = write(tmp_path, "b.yaml", "settings:\n  exchange_name: B\n")
    (problem,) = errors_of(tmp_path)
    assert problem.file == str(second)
    assert problem.line == 1
    assert f"settings already given at {first}:1" in problem.message


def test_literal_duplicate_phrasing_across_entries_is_a_warning_not_an_error(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions:
              - How do I log in?
            answer: {en: Log in on the website.}
          - id: two
            questions: ["how do i LOG IN"]
            answer: {en: Use the app.}
        """,
    )
    knowledge = load_knowledge(path)
    assert [e.id for e in knowledge.entries] == ["one", "two"]
    (warning,) = knowledge.warnings
    assert warning.warning
    assert warning.line == line_of(path, "- id: two")
    assert "also a phrasing of 'one'" in warning.message
    assert str(warning).startswith(f"{path}:{warning.line}: warning: ")


def test_every_error_in_a_file_is_reported_not_only_the_first(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: Bad Id
            questions: [x]
            answer: {en: y}
          - id: good
            colour: blue
            questions: []
            answer: {en: "{nope}"}
        """,
    )
    lines = sorted(p.line for p in errors_of(path))
    assert line_of(path, "Bad Id") in lines
    assert line_of(path, "colour") in lines
    assert line_of(path, "questions: []") in lines
    assert line_of(path, "{nope}") in lines


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("'Write to {support_email:d}'", "'{support_email:d}' is not a placeholder"),
        ("'We are {exchange_name!x}'", "'{exchange_name!x}' is not a placeholder"),
        ("'Item {0}'", "'{0}' is not a placeholder"),
        ("{}", "one: the answer is empty"),
    ],
)
def test_answers_that_would_fail_when_sent_are_errors(tmp_path, answer, message):
    """Each of these passed the check once and failed only when the bot replied."""
    text = f"""
        entries:
          - id: one
            questions: [how do I contact you]
            answer: {{en: {answer}}}
        """
    if answer == "{}":
        text = text.replace("{en: {}}", "{}")
    path = write(tmp_path, "kb.yaml", text)
    assert [p.message for p in errors_of(path) if message in p.message], errors_of(path)


def test_a_template_with_broken_braces_is_an_error_at_its_line(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        settings:
          templates:
            en:
              help: "Ask away :-}"
        entries:
          - id: one
            questions: [hi]
            answer: {en: Hello.}
        """,
    )
    (problem,) = errors_of(path)
    assert "templates.en.help: broken braces" in problem.message
    assert problem.line == line_of(path, "Ask away")


def test_a_template_placeholder_it_cannot_fill_is_an_error_and_a_lost_link_a_warning(
    tmp_path,
):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        settings:
          templates:
            en:
              handoff_requested: "Passed on. Ticket: {ticketurl}"
              handoff_unknown: "We will get back to you at {support_email}."
              greeting: "Welcome to {exchange_name}!"
            zh:
              handoff_requested: "已转交人工客服。"
        entries:
          - id: one
            questions: [hi]
            answer: {en: Hello., zh: 你好。}
        """,
    )
    problems = problems_of(path)
    errors = [p for p in problems if not p.warning]
    assert {(p.line, p.message.split(" (known")[0]) for p in errors} == {
        (
            line_of(path, "{ticketurl}"),
            "templates.en.handoff_requested: unknown placeholder {ticketurl}",
        ),
        (
            line_of(path, "{support_email}"),
            "templates.en.handoff_unknown: unknown placeholder {support_email}",
        ),
    }
    assert "{ticket_url}" in errors[0].message  # the known ones are named
    warnings = [p.message for p in problems if p.warning and "leaves out" in p.message]
    assert sorted(warnings) == [
        "templates.en.handoff_requested leaves out {ticket_url}: the member gets no link",
        "templates.en.handoff_unknown leaves out {ticket_url}: the member gets no link",
        "templates.zh.handoff_requested leaves out {ticket_url}: the member gets no link",
    ]


def test_an_answer_language_the_bot_never_chooses_is_a_warning(tmp_path):
    path = write(
        tmp_path,
        "kb.yaml",
        """
        entries:
          - id: one
            questions: [hi, 你好]
            answer: {en: Hello., zh-CN: 你好。, ja: こんにちは。}
        """,
    )
    warnings = sorted(p.message for p in load_knowledge(path).warnings)
    assert warnings[0].startswith("one.answer: 'ja' is only chosen when a platform says")
    assert warnings[1] == "one.answer: 'zh-CN' is never chosen: write 'zh' for Chinese"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("entries:\n  - id: one\n    questions: [yes, how do I]\n    answer: {en: Hi.}\n",
         "a question read as True: put it in quotes"),
        ('entries:\n  - id: "one\\n"\n    questions: [hi]\n    answer: {en: Hi.}\n',
         "entry id is missing or not lowercase"),
        ("? [1, 2]\n: z\nentries: []\n", "a key must be a single value"),
        ("entries: " + "[" * 400 + "]" * 400 + "\n", "nested too deeply"),
    ],
)  # fmt: skip
def test_odd_yaml_gets_a_clear_error_not_a_crash(tmp_path, body, message):
    path = tmp_path / "kb.yaml"
    path.write_text(body, encoding="utf-8")
    assert [p for p in errors_of(path) if message in p.message], errors_of(path)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('entries:\n  - id: one\n    questions: [hi]\n    answer: {en: "Hi\x07"}\n', 4,
         "control characters are not allowed"),
        ("base: &b {en: Hi.}\nentries:\n  - id: one\n    questions: [hi]\n    answer:\n"
         "      <<: *b\n", 6, "merge keys (<<) are not supported"),
    ],
)  # fmt: skip
def test_yaml_errors_name_the_right_line_in_plain_words(tmp_path, body, line, message):
    path = tmp_path / "kb.yaml"
    path.write_text(body, encoding="utf-8")
    problem = errors_of(path)[0]
    assert (problem.line, message in problem.message) == (line, True), problem
    assert "\n" not in problem.message


def test_a_broken_file_is_the_only_error_not_the_follow_ups_into_it(tmp_path):
    """A tab in one file: the other files' follow-ups to its entries are not errors too."""
    write(
        tmp_path,
        "a.yaml",
        """
        entries:
          - id: one
            questions: [how do I start]
            answer: {en: Start here.}
            follow_up: [two]
        """,
    )
    (tmp_path / "b.yaml").write_text(
        "entries:\n  - id: two\n\tquestions: [next step]\n    answer: {en: Next.}\n",
        encoding="utf-8",
    )
    errors = errors_of(tmp_path)
    assert [p.file for p in errors] == [str(tmp_path / "b.yaml")], errors


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        (" some text", "questions must be a list, one '- ' per line"),
        (" []", "questions is empty"),
        ("\n      - '2FA: how to enable'\n      - 2FA: how to enable",
         "a question with ': ' in it reads as a mapping"),
    ],
)  # fmt: skip
def test_questions_yaml_misreads_get_a_hint(tmp_path, questions, message):
    path = tmp_path / "kb.yaml"
    path.write_text(
        f"entries:\n  - id: one\n    questions:{questions}\n    answer: {{en: Hi.}}\n",
        encoding="utf-8",
    )
    assert [p for p in errors_of(path) if message in p.message], errors_of(path)


@pytest.mark.parametrize(("written", "read"), [("404", "404"), ("12:30", "750"), ("0x1F", "31")])
def test_a_question_read_as_a_number_is_kept_with_a_warning(tmp_path, written, read):
    """ "404" was meant; 12:30 and 0x1F were not: the warning says what YAML made of it."""
    path = tmp_path / "kb.yaml"
    path.write_text(
        f"entries:\n  - id: one\n    questions:\n      - hello\n      - {written}\n"
        "    answer: {en: Hi.}\n",
        encoding="utf-8",
    )
    knowledge = load_knowledge(path)
    assert read in knowledge.entries[0].questions
    (warning,) = knowledge.warnings
    assert f"read as the number {read}" in warning.message and warning.line == 5
