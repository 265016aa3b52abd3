"""The classifiers on held-out real messages, on the invented policy examples, and on the
sample generator's texts.

1. The corpus's test split (corpus/, never used for training or choices): the figures of
   ``brandcare evaluate`` must stay above floors set a few points under those measured when
   the models were trained (the measured figures are in the comments and in
   docs/classifiers.md). Spanish test texts come from a source whose texts may not be
   committed: they are read from corpus/messages_full.csv, which corpus/README.md rebuilds from
   the public files; without it the Spanish floors are skipped, saying so.
2. tests/fixtures/classifier_eval.csv: invented messages labelled under the same policy
   (tests/fixtures/classifier_eval.md), a check that the policy's own examples read right.
3. The sample generator's X texts: the lexicon and rule model (``lexicon_classify``, the
   learned models' feature source) must read every opening message and brand reply exactly as
   planted (intent, opening sentiment, deflection); the learned classifiers are not trained on
   the sample and misread some of its texts, so their agreement with the plant is a floor a
   few points under the measured figure (printed with ``-s``). The same agreement through the
   whole pipeline is in tests/test_ground_truth.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.classifier import evaluate as evaluation
from pipelines.classifier import model as model_files
from pipelines.classifier.corpus import CORPUS_PATH, FULL_CORPUS_PATH, default_corpus, load_corpus
from pipelines.classify import classify_messages, lexicon_classify
from pipelines.sample import generate_sample
from support import run_cli

EVAL_SET = Path(__file__).parent / "fixtures" / "classifier_eval.csv"

LABELS = {
    "sentiment": {"positive", "neutral", "negative"},
    "intent": {"complaint", "question", "praise", "other"},
    "deflection": {"dm", "phone", "email", "web", "store", "none"},
}

#: (task, lang, measure) -> floor on the test split, about 3 points under the figure measured
#: for model 29909941eb95 (in the comment; in brackets model 25b1a0101529, before the deflection
#: lexicon's third growth, and a112d19c1d3f, before the models were fitted on train and dev and
#: the corpus's fifth drawing). Test split: 2,359 messages with
#: a sentiment, 1,492 customer messages with an intent (770 Spanish), 867 brand replies (359
#: Spanish; 186 of them from brands in no other split, corpus/README.md); the fifth drawing
#: added 55 replies (48 of a new Corpoelec account, 7 of AskRBC), the other rows are as before.
HELDOUT_FLOORS: dict[tuple[str, str, str], float] = {
    ("intent", "all", "accuracy"): 0.78,  # 0.814 on 1,492 customer messages (0.815; 0.806)
    ("intent", "es", "accuracy"): 0.79,  # 0.823 on 770 (0.822; 0.808)
    ("intent", "en", "accuracy"): 0.77,  # 0.803 on 722 (0.807; 0.803)
    ("sentiment", "all", "macro_f1"): 0.78,  # 0.816 on 2,359 (0.815; 0.800 on 2,304)
    ("sentiment", "es", "macro_f1"): 0.77,  # 0.803 on 1,129 (0.804; 0.756 on 1,081)
    ("sentiment", "en", "macro_f1"): 0.77,  # 0.808 on 1,230 (0.806; 0.800 on 1,223)
    ("deflection", "all", "accuracy"): 0.89,  # 0.925 on 867 brand replies (0.924; 0.921 on 812)
    ("deflection", "es", "accuracy"): 0.88,  # 0.916 on 359 (0.911; 0.900 on 311)
    ("deflection", "en", "accuracy"): 0.90,  # 0.931 on 508 (0.933; 0.934 on 501)
    ("actionable", "all", "f1"): 0.87,  # 0.903 (0.904; 0.898)
    ("actionable", "es", "f1"): 0.87,  # 0.899 (0.898; 0.890)
    ("actionable", "en", "f1"): 0.88,  # 0.908 (0.911; 0.907)
}

#: (task, lang or None for both) -> accuracy floor on the invented policy examples, about 3
#: points under the figure measured for model 29909941eb95 (in the comment; in brackets model
#: 25b1a0101529). The lexicons were tuned on these texts; the learned models were not trained on
#: them. English intent reads worse since the fourth drawing: its Spanish bank customers'
#: questions are mostly about a problem (complaints), and plain questions lean to complaint
#: (docs/classifiers.md, known failure modes).
FIXTURE_FLOORS: dict[tuple[str, str | None], float] = {
    ("sentiment", None): 0.84,  # 0.870 on 516 messages (0.868)
    ("sentiment", "es"): 0.84,  # 0.875 (0.871)
    ("sentiment", "en"): 0.83,  # 0.865 (0.865)
    ("intent", None): 0.76,  # 0.793 on 343 customer messages (0.793)
    ("intent", "es"): 0.72,  # 0.753 (0.753)
    ("intent", "en"): 0.80,  # 0.832 (0.832)
    ("deflection", None): 0.96,  # 0.994 on 173 brand replies (0.994)
    ("deflection", "es"): 0.97,  # 1.000 (1.000)
    ("deflection", "en"): 0.95,  # 0.989 (0.989)
}


@pytest.fixture(scope="module")
def heldout() -> dict:
    models = model_files.load()
    test = load_corpus(default_corpus()).filter(pl.col("split") == "test")
    return evaluation.figures(test, lambda texts: evaluation.model_predictions(texts, models))


def _recorded_heldout() -> dict:
    """The figures `brandcare evaluate` recorded with every test text (models/evaluation.json),
    for the model in the repository: the Spanish test texts are not committed (their source has
    no licence), so a clone without corpus/messages_full.csv checks what was measured with them."""
    recorded = json.loads((model_files.MODEL_DIR / "evaluation.json").read_text(encoding="utf-8"))
    assert recorded["version"] == model_files.load_card()["version"], "evaluation.json is for another model"
    return recorded["model"]


@pytest.mark.parametrize(("task", "lang", "measure"), list(HELDOUT_FLOORS))
def test_heldout_floor(heldout: dict, task: str, lang: str, measure: str) -> None:
    if lang in ("es", "all") and not FULL_CORPUS_PATH.is_file():
        heldout = _recorded_heldout()
    scores = heldout["actionable"][lang] if task == "actionable" else heldout["tasks"][task][lang]
    value = scores["f1" if task == "actionable" else measure]
    assert value >= HELDOUT_FLOORS[(task, lang, measure)], f"{task} {lang} {measure}: {value:.3f} ({scores['rows']} messages)"


def test_the_model_card_is_what_evaluate_wrote_for_this_model() -> None:
    # docs/classifiers.md is generated (never edited by hand): the recorded evaluation of the
    # model in the repository and its training card give it back, line for line
    recorded = json.loads((model_files.MODEL_DIR / "evaluation.json").read_text(encoding="utf-8"))
    models = model_files.load()
    assert recorded["version"] == models.version, "evaluation.json is for another model: run brandcare evaluate"
    written = evaluation.MODEL_CARD.read_text(encoding="utf-8").splitlines()
    assert written == evaluation.model_card(recorded, models.card).splitlines()


@pytest.fixture(scope="module")
def labelled() -> pl.DataFrame:
    return pl.read_csv(EVAL_SET, infer_schema=False)


@pytest.fixture(scope="module")
def predicted(labelled: pl.DataFrame) -> pl.DataFrame:
    out = classify_messages(labelled.select("text", "lang"))
    return labelled.with_columns(
        pred_sentiment=out["sentiment"],
        pred_intent=out["intent"],
        pred_deflection=out["deflection"].fill_null("none"),
    )


def test_the_set_is_well_formed(labelled: pl.DataFrame) -> None:
    assert labelled.columns == [
        "id", "lang", "author", "text", "sentiment", "intent", "deflection", "reason",
    ]
    assert labelled.height >= 360 and labelled["id"].is_unique().all()
    assert labelled["text"].is_unique().all()
    counts = dict(labelled.group_by("lang").len().iter_rows())
    assert set(counts) == {"es", "en"} and abs(counts["es"] - counts["en"]) < labelled.height * 0.1
    assert set(labelled["author"]) == {"customer", "brand"}
    assert set(labelled["sentiment"]) == LABELS["sentiment"]
    customers = labelled.filter(pl.col("author") == "customer")
    brands = labelled.filter(pl.col("author") == "brand")
    # intent labels customer messages only, deflection brand replies only
    assert set(customers["intent"]) == LABELS["intent"] and customers["deflection"].null_count() == customers.height
    assert set(brands["deflection"]) == LABELS["deflection"] and brands["intent"].null_count() == brands.height
    assert labelled["reason"].null_count() == 0


@pytest.mark.parametrize(("task", "lang"), list(FIXTURE_FLOORS))
def test_accuracy_floor(predicted: pl.DataFrame, task: str, lang: str | None) -> None:
    rows = predicted.filter(pl.col(task).is_not_null())
    if lang is not None:
        rows = rows.filter(pl.col("lang") == lang)
    correct = rows.filter(pl.col(task) == pl.col(f"pred_{task}"))
    accuracy = correct.height / rows.height
    wrong = rows.filter(pl.col(task) != pl.col(f"pred_{task}"))
    examples = [(r["id"], r[task], r[f"pred_{task}"], r["text"]) for r in wrong.head(10).iter_rows(named=True)]
    assert accuracy >= FIXTURE_FLOORS[(task, lang)], f"{task} {lang or 'es+en'}: {accuracy:.3f}, e.g. {examples}"


def test_language_is_detected_when_the_source_gives_none(labelled: pl.DataFrame) -> None:
    out = classify_messages(labelled.select("text", lang=pl.lit(None, pl.String)))
    detected = out["lang"]
    assert (detected == labelled["lang"]).fill_null(False).mean() >= 0.96  # 0.979, 11 left NULL
    # a language the source gives is kept, even when the text suggests another
    kept = classify_messages(pl.DataFrame({"text": ["Gracias, ya funciona"], "lang": ["en"]}))
    assert kept["lang"].to_list() == ["en"]


# --------------------------------------------------------------------------- the sample generator


#: agreement floor of the learned classifiers with the sample's plant, about 3 points under the
#: figure measured for model 29909941eb95 (in the comment; 30-day sample, 4308 X cases; in
#: brackets model 25b1a0101529; the sample's invented questions lean to complaint since the
#: corpus's fourth drawing, docs/classifiers.md)
SAMPLE_FLOORS = {
    "intent": 0.88,  # 0.915 of opening messages (0.917)
    "opening_sentiment": 0.92,  # 0.951 of opening messages (0.951)
    "deflected": 0.97,  # 1.000 of cases (1.000)
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The X pages of a generated sample (tweets by id), its brand handles, truth.json cases and
    the tweets as classified by the learned models (``classified``) and by the lexicon rules
    (``lexicon``)."""
    out = tmp_path_factory.mktemp("classifier_sample")
    generate_sample(out, days=30)
    tweets, usernames = {}, {}
    for page in sorted((out / "x").glob("*.json")):
        doc = json.loads(page.read_text(encoding="utf-8"))
        usernames.update({u["id"]: u["username"].lower() for u in doc.get("includes", {}).get("users", [])})
        tweets.update({f"x:{t['id']}": t for t in doc.get("data", []) if "id" in t})
    registry = yaml.safe_load((out / "brands.yaml").read_text(encoding="utf-8"))["brands"]
    handles = {b["id"]: {h.lower() for h in b["accounts"]["x"]} for b in registry}
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    cases = [c for c in truth["cases"] if c["opened_message_id"] in tweets]
    frame = pl.DataFrame(
        {"message_id": list(tweets), "text": [t["text"] for t in tweets.values()]},
        schema={"message_id": pl.String, "text": pl.String},
    ).with_columns(lang=pl.lit(None, pl.String))
    classified = {r["message_id"]: r for r in classify_messages(frame).iter_rows(named=True)}
    lexicon = {r["message_id"]: r for r in lexicon_classify(frame).iter_rows(named=True)}
    return {"tweets": tweets, "usernames": usernames, "handles": handles, "cases": cases,
            "classified": classified, "lexicon": lexicon}


def _opening_differences(sample: dict, model: str, field: str) -> list[tuple]:
    """(planted, read, text) of the opening messages whose ``field`` the model reads otherwise."""
    column = "sentiment" if field == "opening_sentiment" else field
    return [
        (c[field], got[column], got["text"])
        for c in sample["cases"]
        if (got := sample[model][c["opened_message_id"]])[column] != c[field]
    ]


def _deflection_differences(sample: dict, model: str) -> list[tuple]:
    """(case, planted deflected, brand replies in the window) of the cases whose deflection,
    read by the model from the brand's replies to the customer within 7 days, is not the plant."""
    tweets, classified = sample["tweets"], sample[model]

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text)

    by_conversation: dict[str, list[str]] = {}
    for message_id, tweet in tweets.items():
        by_conversation.setdefault(f"x:{tweet.get('conversation_id')}", []).append(message_id)
    wrong = []
    for case in sample["cases"]:
        opened = at(case["opened_at"])
        replies = [
            m for m in by_conversation.get(case["conversation_id"], [])
            if tweets[m].get("in_reply_to_user_id") == case["customer_id"]
            and sample["usernames"].get(tweets[m]["author_id"]) in sample["handles"][case["brand_id"]]
            and opened <= at(tweets[m]["created_at"]) <= opened + timedelta(days=7)
        ]
        deflected = any(classified[m]["deflection"] is not None for m in replies)
        if deflected != case["deflected"]:
            wrong.append((case["opened_message_id"], case["deflected"], [tweets[m]["text"] for m in replies]))
    return wrong


@pytest.mark.parametrize("field", ["intent", "opening_sentiment"])
def test_the_lexicon_rules_read_the_planted_openings_exactly(sample: dict, field: str) -> None:
    assert len(sample["cases"]) > 1000
    wrong = _opening_differences(sample, "lexicon", field)
    assert not wrong, f"{len(wrong)} opening messages differ on {field}, e.g. {wrong[:5]}"


def test_the_lexicon_rules_deflect_cases_exactly_when_planted(sample: dict) -> None:
    wrong = _deflection_differences(sample, "lexicon")
    assert not wrong, f"{len(wrong)} cases differ, e.g. {wrong[:5]}"


@pytest.mark.parametrize("field", ["intent", "opening_sentiment", "deflected"])
def test_the_learned_classifiers_agree_with_the_plant(sample: dict, field: str) -> None:
    n = len(sample["cases"])
    wrong = _deflection_differences(sample, "classified") if field == "deflected" else (
        _opening_differences(sample, "classified", field))
    agreement = 1 - len(wrong) / n
    print(f"sample agreement, learned classifiers, {field}: {agreement:.3f} of {n} X cases")
    assert agreement >= SAMPLE_FLOORS[field], f"{field}: {agreement:.3f} of {n} cases, e.g. {wrong[:5]}"


def test_evaluate_records_nothing_from_a_corpus_missing_test_texts(tmp_path: Path) -> None:
    """On a fresh clone (no messages_full.csv: texts that may not be committed are empty),
    `brandcare evaluate` rewrote evaluation.json and the model card with the figures of the
    rows it had, the Spanish test rows gone (QA)."""
    corpus = pl.read_csv(CORPUS_PATH, infer_schema=False)
    test = corpus.filter((pl.col("split") == "test") & (pl.col("text").fill_null("") != "")).head(60)
    small = tmp_path / "messages.csv"
    test.with_columns(pl.when(pl.arange(0, test.height) == 0).then(pl.lit("")).otherwise(pl.col("text"))
                      .alias("text")).write_csv(small)
    model_dir = shutil.copytree(model_files.MODEL_DIR, tmp_path / "models")
    recorded = (model_dir / "evaluation.json").read_bytes()
    result = evaluation.evaluate(small, model_dir=model_dir, card_path=tmp_path / "card.md", speed=False)
    assert result["corpus"]["test_rows"] == 59
    assert (model_dir / "evaluation.json").read_bytes() == recorded and not (tmp_path / "card.md").exists()
    assert "1 test rows of messages.csv have no text here" in evaluation.report(result)
    test.write_csv(small)  # every text: recorded
    evaluation.evaluate(small, model_dir=model_dir, card_path=tmp_path / "card.md", speed=False)
    assert (tmp_path / "card.md").exists() and (model_dir / "evaluation.json").read_bytes() != recorded
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for command in ("evaluate", "train"):  # an empty corpus file: one line, not Polars' traceback (QA)
        proc = run_cli(tmp_path / "home", command, "--corpus", str(empty), check=False)
        assert proc.returncode == 2 and proc.stderr.splitlines()[-1].startswith("error: "), proc.stderr
        assert "Traceback" not in proc.stderr
