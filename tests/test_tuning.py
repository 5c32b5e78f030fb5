"""`supportbot kb tune`: a tuned model is saved for exactly this knowledge and used for it."""

import shutil

from shared.knowledge import load_knowledge
from shared.matching import Index, model_for
from shared.tuning import training_pairs, tune, tuned_path
from tests.conftest import MINI_KB


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
