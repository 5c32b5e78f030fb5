"""The shipped knowledge against the four zh/en evaluation sets, with the real model.

Issue 2 promises top-1 >= 0.90 and out-of-scope recall >= 0.80, issue 7 top-1 >= 0.95; a
change to matching, thresholds or the shipped knowledge that breaks them fails here.
support_eval_independent.csv, support_eval_fresh.csv and support_eval_unseen.csv were written
from the entries' titles and answers only, by someone who had not seen their phrasings;
support_eval_unseen.csv was also never used to choose phrasings (README, "Measured figures").
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shared.evaluation import LabelledQuestion, evaluate, read_labelled_csv
from shared.knowledge import load_knowledge
from shared.language import has_cjk
from shared.matching import Index, load_model
from shared.settings import SHIPPED_KNOWLEDGE

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def shipped_index(tmp_path_factory):
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    cache = tmp_path_factory.mktemp("cache")
    return knowledge, Index(knowledge, load_model("default"), cache)


SETS = [
    "support_eval.csv",
    "support_eval_independent.csv",
    "support_eval_fresh.csv",
    "support_eval_unseen.csv",
]


@pytest.mark.parametrize("name", SETS)
def test_shipped_knowledge_meets_the_accuracy_targets(shipped_index, name):
    knowledge, index = shipped_index
    rows = read_labelled_csv(DATA / name)
    report = evaluate(index, knowledge, rows, timing_sample=0)
    assert report["unknown_labels"] == []
    assert report["in_scope"] >= 150 and report["out_of_scope"] >= 50
    assert report["top1_accuracy"] >= 0.95, report
    assert report["oos_recall"] >= 0.80, report
    assert report["answered_precision"] >= 0.90, report


def _only(knowledge, keep):
    """The knowledge with only the phrasings ``keep`` accepts."""
    entries = tuple(
        replace(e, questions=tuple(filter(keep, e.questions))) for e in knowledge.entries
    )
    return replace(knowledge, entries=entries)


def test_english_questions_find_entries_phrased_only_in_chinese(shipped_index, tmp_path):
    knowledge = _only(shipped_index[0], has_cjk)
    index = Index(knowledge, load_model("default"), tmp_path)
    questions = {
        "I forgot my password, how do I get back in?": "reset-password",
        "I sent USDT to my deposit address hours ago and it's not in my account": (
            "deposit-not-arrived"
        ),
        "how do I set a stop loss order": "stop-loss",
    }
    results = index.rank(list(questions))
    assert [r.best.entry.id for r in results] == list(questions.values())


def test_chinese_questions_find_entries_phrased_only_in_english(shipped_index, tmp_path):
    knowledge = _only(shipped_index[0], lambda q: not has_cjk(q))
    index = Index(knowledge, load_model("default"), tmp_path)
    questions = {
        "我忘记密码了怎么办": "reset-password",
        "充值了好几个小时还没到账": "deposit-not-arrived",
        "怎么设置止损单": "stop-loss",
    }
    results = index.rank(list(questions))
    assert [r.best.entry.id for r in results] == list(questions.values())


def test_the_one_product_similarity_equals_the_blend_of_both_encoders(shipped_index):
    """Index.similarities reads one blended matrix; it must give Model.similarity's figures
    for Latin and Chinese questions against Latin and Chinese phrasings alike."""
    _, index = shipped_index
    texts = ["how do I reset my password", "忘记密码了怎么办", "withdrawal pending", "提现一直没到"]
    queries, latin = index.encode_queries(texts)
    assert latin.any() and not latin.all() and index.latin.any() and not index.latin.all()
    reference = index.model.similarity(queries, latin, index.vectors, index.latin)
    np.testing.assert_allclose(index.similarities(queries, latin), reference, atol=1e-5)
    assert index.blended is not None


def test_a_listed_miss_never_echoes_a_secret(shipped_index):
    knowledge, index = shipped_index
    seed = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    rows = [LabelledQuestion(f"how do I stake, my seed is {seed}", "staking")]
    report = evaluate(index, knowledge, rows, timing_sample=0, misses=True)
    (miss,) = report["misses"]
    assert miss["want"] == "staking" and "[seed phrase removed]" in miss["text"]
    assert "abandon" not in miss["text"]
