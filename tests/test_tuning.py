"""`supportbot kb tune`: a tuned model is saved for exactly this knowledge and used for it."""

import json
import shutil

from shared.calibration import MIN_QUESTIONS
from shared.knowledge import load_knowledge
from shared.matching import Index, model_for
from shared.tuning import (
    HELD_OUT_FILE,
    MIN_TRAINING,
    held_out,
    training_pairs,
    tune,
    tuned_path,
)
from tests.conftest import MINI_KB
from tests.test_calibration import tight_knowledge


def test_tuned_model_is_used_for_this_knowledge_only(tmp_path):
    kb = tmp_path / "kb.yaml"
    shutil.copy(MINI_KB, kb)
    knowledge = load_knowledge(kb)
    pairs = training_pairs(knowledge)
    assert pairs and all(a != b for a, b, _ in pairs)  # partners are other phrasings

    path = tune(knowledge, tmp_path / "data", progress=False)
    assert path == tuned_path(tmp_path / "data", knowledge) and (path / "TUNED.txt").exists()
    model = model_for("default", knowledge, tmp_path / "data")
    assert "tuned" in model.latin.name or str(path.name) in model.latin.name
    index = Index(knowledge, model, tmp_path / "cache")
    assert index.rank(["I forgot my password"])[0].best.entry.id == "reset-password"

    kb.write_text(kb.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    edited = load_knowledge(kb)
    assert model_for("default", edited, tmp_path / "data").latin.name != model.latin.name


def test_held_out_phrasings_are_not_learned_and_calibrate_the_tuned_model(tmp_path):
    knowledge = tight_knowledge(tmp_path)
    hold = held_out(knowledge)
    pairs = training_pairs(knowledge)
    assert hold and not any(a in hold or b in hold for a, b, _ in pairs)
    for entry in knowledge.entries:  # every entry keeps enough to learn from
        assert len([q for q in entry.questions if q not in hold]) >= MIN_TRAINING

    path = tune(knowledge, tmp_path / "data", progress=False)
    saved = json.loads((path / HELD_OUT_FILE).read_text(encoding="utf-8"))
    model = model_for("default", knowledge, tmp_path / "data")
    assert set(saved) == hold and model.held_out == hold
    assert model.latin.bert is not None  # the saved folder runs on shared/bert.py
    index = Index(knowledge, model, tmp_path / "cache")
    # only unseen phrasings are asked: too few here, so the default threshold stays
    assert index.calibration.in_scope == len(hold) < MIN_QUESTIONS
    assert index.calibration.answer_threshold is None
    assert index.settings.answer_threshold == knowledge.settings.matching.answer_threshold


def test_a_smaller_knowledge_gets_more_passes():
    from shared.tuning import MAX_AUTO_EPOCHS, auto_epochs

    assert auto_epochs(8962) == 1  # BANKING77, 10,000 phrasings: one pass, 6 minutes
    assert auto_epochs(690) == 3  # BANKING77, 10 per intent
    assert auto_epochs(12) == MAX_AUTO_EPOCHS
    assert auto_epochs(0) == MAX_AUTO_EPOCHS
