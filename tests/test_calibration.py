"""Thresholds calibrated from the knowledge's own held-out phrasings (shared/calibration.py)."""

import yaml

from shared.calibration import MIN_QUESTIONS, calibrate
from shared.knowledge import MatchingSettings, load_knowledge
from shared.matching import Index, decide, load_model
from tests.conftest import MINI_KB, SHIPPED_KNOWLEDGE

TOPICS = [
    "password", "email address", "phone number", "API key", "nickname", "avatar",
    "withdrawal address", "bank card", "trading pin", "security question", "language",
    "time zone", "notification settings", "referral code", "login device", "tax report",
    "sub-account", "margin mode", "fee tier", "anti-phishing code",
]  # fmt: skip
FORMS = [
    "How do I change my {t}?",
    "How can I change my {t}?",
    "how to change {t}",
    "I want to change my {t}",
    "Change my {t} please",
    "Where do I change the {t}?",
    "Can I change my {t}?",
]


def tight_knowledge(tmp_path, matching=None):
    """Twenty entries whose phrasings are near-copies of each other: held out, each one is
    found again with a very high similarity, so the default threshold is too loose here."""
    entries = [
        {
            "id": f"change-{i}",
            "category": "account",
            "title": {"en": f"Change your {t}"},
            "questions": [f.format(t=t) for f in FORMS],
            "answer": {"en": f"Open Settings, then {t}, then Change."},
        }
        for i, t in enumerate(TOPICS)
    ]
    data = {"entries": entries}
    if matching:
        data["settings"] = {"matching": matching}
    path = tmp_path / "tight.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_knowledge(path)


def test_tight_knowledge_gets_a_stricter_threshold(tmp_path, monkeypatch):
    knowledge = tight_knowledge(tmp_path)
    assert len(TOPICS) * len(FORMS) >= MIN_QUESTIONS
    index = Index(knowledge, load_model("default"), tmp_path / "cache")
    calibration = index.calibration
    defaults = MatchingSettings()
    assert calibration.answer_threshold > defaults.answer_threshold + 0.05, calibration
    assert calibration.answer_threshold_cjk is None  # no Chinese phrasings: default kept
    assert index.settings.answer_threshold == calibration.answer_threshold
    assert index.settings.answer_threshold_cjk == defaults.answer_threshold_cjk
    assert calibration.in_scope == len(TOPICS) * len(FORMS)
    assert calibration.in_scope_right >= 0.9  # it still answers its own questions

    # A question the knowledge only half covers: the default would answer it, the
    # calibrated threshold does not.
    loose = "my account got hacked yesterday, what should I do about the password"
    result = index.rank([loose])[0]
    assert defaults.answer_threshold <= result.best.score < calibration.answer_threshold
    assert decide(result, index.settings).action != "answer"
    assert decide(result, defaults).action == "answer"
    # the result carries the thresholds it was scored under (a reload may swap the index)
    assert result.settings is index.settings

    # Cached: the second index reads the result instead of computing it again.
    def must_not_run(index):
        raise AssertionError("calibrated again instead of reading the cache")

    monkeypatch.setattr("shared.calibration.calibrate", must_not_run)
    again = Index(knowledge, load_model("default"), tmp_path / "cache")
    assert again.calibration == calibration
    assert len(list((tmp_path / "cache").glob("calibration-*.json"))) == 1


def test_thresholds_an_admin_wrote_always_win(tmp_path):
    knowledge = tight_knowledge(tmp_path, matching={"answer_threshold": 0.5})
    index = Index(knowledge, load_model("default"), tmp_path / "cache")
    assert index.calibration.answer_threshold > 0.5
    assert index.settings.answer_threshold == 0.5


def test_small_knowledge_keeps_the_defaults(tmp_path):
    knowledge = load_knowledge(MINI_KB)
    index = Index(knowledge, load_model("default"), tmp_path / "cache")
    assert index.calibration.answer_threshold is None
    assert index.settings == knowledge.settings.matching


def test_knowledge_with_one_phrasing_per_entry_keeps_the_defaults(tmp_path):
    """Nothing can be held out when no entry has two phrasings: defaults, no crash."""
    entries = [
        {"id": f"e{i}", "questions": [f"How do I change my {t}?"], "answer": {"en": "Settings."}}
        for i, t in enumerate(TOPICS[:3])
    ]
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump({"entries": entries}), encoding="utf-8")
    knowledge = load_knowledge(path)
    index = Index(knowledge, load_model("default"), tmp_path / "cache")
    assert index.calibration.in_scope == 0 and index.calibration.answer_threshold is None
    assert index.settings == knowledge.settings.matching
    assert index.rank(["how can I change my email address"])[0].best.entry.id == "e1"


def test_calibration_never_loosens_the_defaults(tmp_path):
    shipped = load_knowledge(SHIPPED_KNOWLEDGE)
    calibration = calibrate(Index(shipped, load_model("default"), tmp_path / "cache"))
    defaults = MatchingSettings()
    for key in ("answer_threshold", "answer_threshold_cjk"):
        value = getattr(calibration, key)
        assert value is None or value >= getattr(defaults, key)
