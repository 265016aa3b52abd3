"""Quality and speed report of pipelines.classify on the labelled evaluation set.

    uv run python benchmarks/classifier_report.py [--rows 200000] [--errors]

Prints, for sentiment, intent (customer messages) and deflection (brand replies), over both
languages and per language: accuracy, precision / recall / F1 per class and the confusion
matrix (rows = the label, columns = the prediction); the accuracy on the "dev" messages (the
lexicons were tuned while reading them) and on the "held-out" ones (ids ``xx-hNN``, written
after tuning and not tuned on); with ``--errors`` every misclassified message. Then the speed of ``classify_messages`` on ``--rows`` messages generated from the
set's texts (rows per second). Plain Polars, no scikit-learn.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from pipelines.classify import classify_messages

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "classifier_eval.csv"

#: task -> (column, author whose messages carry the label, classes in display order)
TASKS = {
    "sentiment": ("sentiment", None, ("positive", "neutral", "negative")),
    "intent": ("intent", "customer", ("complaint", "question", "praise", "other")),
    "deflection": ("deflection", "brand", ("dm", "phone", "email", "web", "store", "none")),
}


def load_eval_set(path: Path = EVAL_SET) -> pl.DataFrame:
    """The labelled messages and their ``split``: "held-out" for ids like ``es-h01``, else "dev".

    Empty labels (intent of brand replies, deflection of customer messages) are NULL.
    """
    return pl.read_csv(path, infer_schema=False).with_columns(
        split=pl.when(pl.col("id").str.contains("-h", literal=True))
        .then(pl.lit("held-out"))
        .otherwise(pl.lit("dev"))
    )


def predictions(labelled: pl.DataFrame, *, source_lang: bool = True) -> pl.DataFrame:
    """The set with ``pred_<task>`` columns; ``source_lang=False`` hides ``lang`` from the classifier."""
    given = labelled.select("text", lang=pl.col("lang") if source_lang else pl.lit(None, pl.String))
    out = classify_messages(given)
    return labelled.with_columns(
        pred_sentiment=out["sentiment"],
        pred_intent=out["intent"],
        pred_deflection=out["deflection"].fill_null("none"),
        pred_lang=out["lang"],
    )


def task_rows(predicted: pl.DataFrame, task: str) -> pl.DataFrame:
    """``label`` and ``pred`` of the messages a task is evaluated on."""
    column, author, _ = TASKS[task]
    rows = predicted if author is None else predicted.filter(pl.col("author") == author)
    return rows.select(
        "id", "lang", "split", "text", label=pl.col(column), pred=pl.col(f"pred_{column}")
    )


def accuracy(rows: pl.DataFrame) -> float:
    """Share of rows whose prediction equals the label."""
    return rows.select((pl.col("label") == pl.col("pred")).mean()).item() if rows.height else float("nan")


def per_class(rows: pl.DataFrame, classes: tuple[str, ...]) -> pl.DataFrame:
    """Precision, recall, F1 and support of each class."""
    out = []
    for name in classes:
        tp = rows.filter((pl.col("label") == name) & (pl.col("pred") == name)).height
        predicted = rows.filter(pl.col("pred") == name).height
        support = rows.filter(pl.col("label") == name).height
        precision = tp / predicted if predicted else float("nan")
        recall = tp / support if support else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        out.append({"class": name, "precision": precision, "recall": recall, "f1": f1,
                    "support": support})
    return pl.DataFrame(out)


def confusion(rows: pl.DataFrame, classes: tuple[str, ...]) -> pl.DataFrame:
    """Counts of label (rows) x prediction (columns)."""
    counts = {(r["label"], r["pred"]): r["n"] for r in rows.group_by("label", "pred").len("n").iter_rows(named=True)}
    return pl.DataFrame(
        [{"label \\ pred": label, **{pred: counts.get((label, pred), 0) for pred in classes}}
         for label in classes]
    )


def _print_table(frame: pl.DataFrame) -> None:
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, float_precision=2,
                   tbl_hide_column_data_types=True, tbl_formatting="ASCII_MARKDOWN"):
        print(frame)


def report(predicted: pl.DataFrame, *, errors: bool = False) -> None:
    """Print every task's scores over both languages and per language."""
    for task, (_, _, classes) in TASKS.items():
        rows_all = task_rows(predicted, task)
        for lang in (None, "es", "en"):
            rows = rows_all if lang is None else rows_all.filter(pl.col("lang") == lang)
            print(f"\n## {task} — {lang or 'es+en'}: accuracy {accuracy(rows):.3f} on {rows.height} messages\n")
            _print_table(per_class(rows, classes))
            print()
            _print_table(confusion(rows, classes))
        splits = ", ".join(
            f"{split} {accuracy(rows_all.filter(pl.col('split') == split)):.3f} "
            f"({rows_all.filter(pl.col('split') == split).height})"
            for split in ("dev", "held-out")
        )
        print(f"\n{task} accuracy by split: {splits}")
        if errors:
            wrong = rows_all.filter(pl.col("label") != pl.col("pred"))
            print(f"\n### {task} errors ({wrong.height})")
            for row in wrong.iter_rows(named=True):
                print(f"  {row['id']}  {row['label']:>9} -> {row['pred']:<9} {row['text']}")


def language_report(labelled: pl.DataFrame) -> None:
    """Accuracy of the language filled in when the source gives none, and the tasks without it."""
    blind = predictions(labelled, source_lang=False)
    detected = blind.select((pl.col("pred_lang") == pl.col("lang")).mean()).item()
    unknown = blind["pred_lang"].null_count()
    print(f"\n## language detected when the source gives none: accuracy {detected:.3f} "
          f"({unknown} left NULL)")
    for task in TASKS:
        print(f"   {task} accuracy without a source lang: {accuracy(task_rows(blind, task)):.3f}")


def speed(labelled: pl.DataFrame, rows: int) -> None:
    """Rows per second of classify_messages on ``rows`` messages built from the set's texts."""
    texts = labelled["text"].to_list()
    frame = pl.DataFrame({
        "text": (texts * (rows // len(texts) + 1))[:rows],
        "lang": ([None, "es", "en"] * (rows // 3 + 1))[:rows],
    }, schema={"text": pl.String, "lang": pl.String})
    classify_messages(frame.head(1_000))  # warm-up
    started = time.perf_counter()
    classify_messages(frame)
    elapsed = time.perf_counter() - started
    print(f"\n## speed: {rows / elapsed:,.0f} rows/s ({rows:,} rows in {elapsed:.2f}s, "
          "a third of them without lang)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows for the speed figure")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    args = parser.parse_args()
    labelled = load_eval_set()
    print(f"# classifier report: {labelled.height} labelled messages "
          f"({labelled.filter(pl.col('lang') == 'es').height} es, "
          f"{labelled.filter(pl.col('lang') == 'en').height} en)")
    report(predictions(labelled), errors=args.errors)
    language_report(labelled)
    if args.rows:
        speed(labelled, args.rows)


if __name__ == "__main__":
    main()
