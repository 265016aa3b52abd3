"""Quality and speed of the message classifiers (pipelines.classify, pipelines.classifier).

    .venv/bin/python benchmarks/classifier_report.py [--rows 200000] [--corpus FILE] [--no-quality]

Prints the held-out table of ``brandcare evaluate`` (test split of the corpus: the learned
classifiers against the lexicon and rule model, per task and language; nothing is written),
the model load time, then the speed of ``classify_messages`` on ``--rows`` messages built by
repeating the corpus texts: messages per second of wall clock and per CPU-second, and how
many of them were also split into clauses (scored as extra rows of the same feature matrix).
The target of issue 7 is 50,000 messages/s on 2 cores; it is measured here, not asserted by
unit tests. The machine is shared: run it twice and read the better figure.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from pipelines.classifier import evaluate as evaluation
from pipelines.classifier import model as model_files
from pipelines.classifier.corpus import load_corpus


def speed(texts: list[str], rows: int) -> None:
    """Rows per second of classify_messages on ``rows`` messages repeated from ``texts``."""
    from pipelines.classify import classify_messages

    frame = pl.DataFrame(
        {"text": (texts * (rows // len(texts) + 1))[:rows], "lang": ([None, "es", "en"] * (rows // 3 + 1))[:rows]},
        schema={"text": pl.String, "lang": pl.String},
    )
    classify_messages(frame.head(1_000))  # warm-up (the model loads here)
    wall, cpu = time.perf_counter(), time.process_time()
    out = classify_messages(frame)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with_clauses = out["clauses"].is_not_null().mean()
    print(
        f"\n## speed: {rows / wall:,.0f} messages/s wall clock, {rows / cpu:,.0f} per CPU-second "
        f"({rows:,} messages in {wall:.2f} s; a third without lang; {with_clauses:.1%} split into clauses)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="messages for the speed figure (0: skip)")
    parser.add_argument("--corpus", type=Path, default=None, help="the labelled corpus (default: corpus/)")
    parser.add_argument("--no-quality", action="store_true", help="only the speed figure")
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    started = time.perf_counter()
    models = model_files.load()
    print(f"# classifiers {models.version}: loaded in {time.perf_counter() - started:.3f} s")
    if not args.no_quality:
        test = corpus.filter(pl.col("split") == "test")
        result = {
            "version": models.version,
            "corpus": {"path": "corpus", "test_rows": test.height},
            "model": evaluation.figures(test, lambda texts: evaluation.model_predictions(texts, models)),
            "lexicon": evaluation.figures(test, evaluation.lexicon_predictions),
        }
        print()
        print(evaluation.summary_table(result))
    if args.rows:
        speed(corpus["text"].to_list(), args.rows)


if __name__ == "__main__":
    main()
