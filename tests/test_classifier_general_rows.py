"""General tweets (corpus GENERAL_SOURCES: TASS) in the corpus and in training.

They carry a sentiment label only and may only be train rows; the sentiment model weighs them
by a weight chosen on dev (0 leaves them out), and the other tasks never see them. Training
runs on a small corpus built from tests/fixtures/classifier_eval.csv (invented policy examples,
split by id) into tmp_path: the repository's models are never touched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.classifier import model as model_files
from pipelines.classifier.corpus import GENERAL_SOURCES, CorpusError, load_corpus
from pipelines.classifier.features import FeatureSpec
from pipelines.classifier.train import GENERAL_WEIGHTS, TIE_MARGIN, train
from support import invented_corpus

SPEC = FeatureSpec(char_min=3, bits=16)


def _general_rows(care: pl.DataFrame) -> pl.DataFrame:
    """Spanish customer messages of the test split, reworded, as general tweets of the train
    split: sentiment only (their intent and deflection cleared)."""
    rows = care.filter((pl.col("lang") == "es") & (pl.col("role") == "customer") & (pl.col("split") == "test"))
    return rows.with_columns(
        row_id="g-" + pl.col("row_id"),
        source=pl.lit(GENERAL_SOURCES[0]),
        conversation_id="g-" + pl.col("row_id"),
        text=pl.col("text") + " (visto en la tele)",
        intent=pl.lit(None, pl.String),
        deflection=pl.lit(None, pl.String),
        split=pl.lit("train"),
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same care messages trained without and with general tweets."""
    root = tmp_path_factory.mktemp("general_rows")
    care = invented_corpus()
    general = _general_rows(care)
    out = {"general_rows": general.height}
    for name, frame in (("care", care), ("with_general", pl.concat([care, general]))):
        path = root / f"{name}.csv"
        frame.write_csv(path)
        card = train(path, root / name, candidates={"words + chars 3-5": SPEC}, speed_rows=200)
        out[name] = (card, model_files.load(root / name))
    return out


def test_only_the_sentiment_model_learns_from_general_tweets(trained: dict) -> None:
    (care_card, care), (card, models) = trained["care"], trained["with_general"]
    assert trained["general_rows"] > 10
    tasks = card["comparison"][0]["tasks"]
    for task in ("intent", "deflection"):
        assert tasks[task]["general_weight"] is None and "by_general_weight" not in tasks[task]
        assert tasks[task]["train_rows"] == care_card["comparison"][0]["tasks"][task]["train_rows"]
        # the same rows, the same settings: the same weights, bit for bit
        assert np.array_equal(models.weights[:, models.columns(task)], care.weights[:, care.columns(task)])
        assert np.array_equal(models.bias[models.columns(task)], care.bias[care.columns(task)])
    # sentiment: every weight of the general tweets was tried on dev, 0 without them
    tried = tasks["sentiment"]["by_general_weight"]
    care_rows = care_card["comparison"][0]["tasks"]["sentiment"]["train_rows"]
    assert set(tried) == {str(w) for w in GENERAL_WEIGHTS}
    assert {w: s["train_rows"] for w, s in tried.items()} == {
        str(w): care_rows + (trained["general_rows"] if w else 0) for w in GENERAL_WEIGHTS
    }
    chosen = tasks["sentiment"]["general_weight"]
    assert chosen in GENERAL_WEIGHTS and card["settings"]["tasks"]["sentiment"]["general_weight"] == chosen
    # the best setting of each weight was kept for the card; the chosen one is within the margin
    top = max(s["dev_macro_f1"] for s in tried.values())
    assert tasks["sentiment"]["dev_best_macro_f1"] == top
    assert tasks["sentiment"]["dev_macro_f1"] >= top - TIE_MARGIN
    # weight 0 trains exactly the model without them
    assert tried["0.0"]["dev_macro_f1"] == care_card["comparison"][0]["tasks"]["sentiment"]["dev_best_macro_f1"]
    # the same weights exactly when weight 0 was kept with the setting the care-only run kept (each
    # run applies the margin from its own best, so weight 0 may come with another C)
    care_kept = care_card["settings"]["tasks"]["sentiment"]
    kept = card["settings"]["tasks"]["sentiment"]
    same_setting = chosen == 0.0 and (kept["C"], kept["class_weight"]) == (care_kept["C"], care_kept["class_weight"])
    same = np.array_equal(models.weights[:, models.columns("sentiment")], care.weights[:, care.columns("sentiment")])
    assert same == same_setting


def test_the_card_counts_general_tweets_apart(trained: dict) -> None:
    card, _ = trained["with_general"]
    sources = {s["source"]: s for s in card["corpus"]["sources"]}
    assert sources[GENERAL_SOURCES[0]] | {"licence": None} == {
        "source": GENERAL_SOURCES[0],
        "licence": None,
        "len": trained["general_rows"],
        "general": True,
        "train": trained["general_rows"],
        "dev": 0,
        "test": 0,
    }
    general = [s for s in card["corpus"]["sizes"] if s["kind"] == "general tweets"]
    assert general == [
        {"split": "train", "role": "customer", "lang": "es", "kind": "general tweets", "len": trained["general_rows"]}
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"split": "dev"}, "may only be a train row labelled for sentiment alone, not dev"),
        ({"intent": "other"}, "not train with intent 'other'"),
    ],
)
def test_a_general_tweet_outside_train_or_with_other_labels_is_refused(
    tmp_path: Path, change: dict, message: str
) -> None:
    care = invented_corpus()
    general = _general_rows(care).head(1).with_columns(**{k: pl.lit(v) for k, v in change.items()})
    path = tmp_path / "messages.csv"
    pl.concat([care, general]).write_csv(path)
    with pytest.raises(CorpusError, match=f"row {general['row_id'][0]}: .*{message}"):
        load_corpus(path)
