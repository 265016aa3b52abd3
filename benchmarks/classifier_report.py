"""Quality and speed of the message classifiers (pipelines.classify, pipelines.classifier).

    .venv/bin/python benchmarks/classifier_report.py [--rows 200000] [--runs 5] [--corpus FILE] [--no-quality]

Prints the held-out table of ``brandcare evaluate`` (test split of the corpus: the learned
classifiers against the lexicon and rule model, per task and language; nothing is written),
the model load time (in a fresh interpreter: imports, reading the files, building the weight
matrix), then the speed of the whole classification step, ``classify_messages`` as ingest
calls it (text in, every published classification column out: thanks, sign-off, canned text,
language, the three models and the clause sentiment), on ``--rows`` messages built by
repeating the corpus texts, a third of them without ``lang``: messages per second of wall
clock and per CPU-second for each of ``--runs`` runs, then the best and the median, with the
CPUs the process may use and the load average (other processes share the machine), and how
many messages were also split into clauses. The target of issue 7 is 50,000 messages/s on
2 cores and a load under 1 s; they are measured here, not asserted by unit tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from pipelines.classifier import evaluate as evaluation
from pipelines.classifier import model as model_files
from pipelines.classifier.corpus import load_corpus


def speed(texts: list[str], rows: int, runs: int) -> None:
    """Messages per second of classify_messages on ``rows`` messages repeated from ``texts``."""
    from pipelines.classify import classify_messages

    frame = pl.DataFrame(
        {"text": (texts * (rows // len(texts) + 1))[:rows], "lang": ([None, "es", "en"] * (rows // 3 + 1))[:rows]},
        schema={"text": pl.String, "lang": pl.String},
    )
    classify_messages(frame.head(1_000))  # warm-up (the model loads here)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n## speed of classify_messages: {rows:,} messages, {cpus} CPUs, {runs} runs")
    rates = []
    for run in range(1, runs + 1):
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        out = classify_messages(frame)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates.append(rows / wall)
        print(
            f"run {run}: {rows / wall:,.0f} messages/s wall clock, {rows / cpu:,.0f} per CPU-second "
            f"({wall:.2f} s; load average {load:.1f} before the run)"
        )
    with_clauses = out["clauses"].is_not_null().mean()
    print(
        f"best {max(rates):,.0f} messages/s, median {statistics.median(rates):,.0f} messages/s "
        f"({with_clauses:.1%} of the messages split into clauses and scored again per clause)"
    )


def load_seconds() -> float:
    """Seconds to import the model code and load the files in a fresh interpreter (best of 3)."""
    script = (
        "import time; t = time.perf_counter(); from pipelines.classifier import model; model.load(); "
        "print(time.perf_counter() - t)"
    )
    return min(
        float(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout)
        for _ in range(3)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="messages for the speed figure (0: skip)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the speed figure")
    parser.add_argument("--corpus", type=Path, default=None, help="the labelled corpus (default: corpus/)")
    parser.add_argument("--no-quality", action="store_true", help="only the speed figure")
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    started = time.perf_counter()
    models = model_files.load()
    print(
        f"# classifiers {models.version}: loaded in {time.perf_counter() - started:.3f} s "
        f"(in a fresh interpreter, with the imports: {load_seconds():.3f} s)"
    )
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
        speed(corpus["text"].to_list(), args.rows, args.runs)


if __name__ == "__main__":
    main()
