"""The labelled corpus the classifiers learn from and are measured on (``corpus/messages.csv``).

Columns: ``row_id, source, licence, lang, role, brand, conversation_id, text, intent,
sentiment, deflection, split``; ``role`` is customer | brand, ``split`` train | dev | test.
Intent labels customer messages, deflection brand replies; a task learns from the rows that
carry its label, so a row may carry some labels and not others. Rows of
:data:`GENERAL_SOURCES` are general tweets, not customer-care messages: sentiment only, train
split only (dev and test hold customer-care messages alone, so the held-out figures measure
those). The test split is read by evaluation only.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[2]
CORPUS_PATH = REPO / "corpus" / "messages.csv"
#: the same rows with every text, rebuilt locally from the public files (corpus/README.md):
#: some sources' texts may not be committed, so messages.csv leaves them empty.
FULL_CORPUS_PATH = REPO / "corpus" / "messages_full.csv"


def default_corpus() -> Path:
    """messages_full.csv when it has been built here, else messages.csv."""
    return FULL_CORPUS_PATH if FULL_CORPUS_PATH.is_file() else CORPUS_PATH


COLUMNS = (
    "row_id",
    "source",
    "licence",
    "lang",
    "role",
    "brand",
    "conversation_id",
    "text",
    "intent",
    "sentiment",
    "deflection",
    "split",
)
LABELS = {
    "intent": ("complaint", "question", "praise", "other"),
    "sentiment": ("positive", "neutral", "negative"),
    "deflection": ("dm", "phone", "email", "web", "store", "none"),
}
SPLITS = ("train", "dev", "test")
#: sources of general tweets (not addressed to brands) with human sentiment labels: they may
#: only be train rows (corpus/README.md, "Sentiment-only rows").
GENERAL_SOURCES = ("tass",)


class CorpusError(Exception):
    """The corpus file is missing or malformed (the message names the file and the problem)."""


def load_corpus(path: Path | None = None) -> pl.DataFrame:
    """The corpus (default :func:`default_corpus`) as strings, empty labels as NULL, rows
    without text left out; raises CorpusError when malformed."""
    path = path or default_corpus()
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus file")
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CorpusError(f"{path}: missing columns {', '.join(missing)}")
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c).str.strip_chars()).alias(c)
        for c in ("intent", "sentiment", "deflection", "split", "role", "lang")
    )
    for column, allowed in (("split", SPLITS), ("role", ("customer", "brand")), *LABELS.items()):
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed)))
        if bad.height:
            row = bad.row(0, named=True)
            raise CorpusError(
                f"{path}: row {row['row_id']}: {column} {row[column]!r} is not one of {', '.join(allowed)}"
            )
    if frame["split"].null_count():
        raise CorpusError(f"{path}: {frame['split'].null_count()} rows have no split")
    misplaced = frame.filter(
        pl.col("source").is_in(GENERAL_SOURCES)
        & ((pl.col("split") != "train") | pl.col("intent").is_not_null() | pl.col("deflection").is_not_null())
    )
    if misplaced.height:
        row = misplaced.row(0, named=True)
        raise CorpusError(
            f"{path}: row {row['row_id']}: a {row['source']} row (general tweets) may only be a train row "
            f"labelled for sentiment alone, not {row['split']} with intent {row['intent']!r}, "
            f"deflection {row['deflection']!r}"
        )
    return frame.filter(pl.col("text").is_not_null() & (pl.col("text").str.strip_chars() != ""))


def task_rows(corpus: pl.DataFrame, task: str, split: str) -> pl.DataFrame:
    """The rows of ``split`` labelled for ``task`` (intent: customers; deflection: brands)."""
    rows = corpus.filter((pl.col("split") == split) & pl.col(task).is_not_null())
    if task == "intent":
        rows = rows.filter(pl.col("role") == "customer")
    elif task == "deflection":
        rows = rows.filter(pl.col("role") == "brand")
    return rows
