"""Measured speed of brandcare's parts on this machine. Prints figures; asserts nothing.

    uv run python benchmarks/bench_pipeline.py [--days 60] [--brands 6]

1. X v2 parsing: DuckDB's JSON reader (what pipelines/formats/x_v2.py uses) against Polars'
   read_ndjson on the same tweets, to keep the choice honest.
2. Ingest (register + parse + classify + lake write) of a whole sample.
3. The pipeline run (Dagster run: dbt build + checks + publish) on that lake.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def _timed(label: str, func, *, rows: int | None = None):
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    rate = f"  ({rows / elapsed:,.0f} rows/s)" if rows else ""
    print(f"{label:<48} {elapsed:8.2f} s{rate}")
    return result


def bench_x_v2_parsers(workdir: Path, tweets: int = 200_000) -> None:
    import polars as pl

    from pipelines.formats.x_v2 import read_x_v2

    sample = json.loads(next((workdir / "sample" / "x").glob("*.json")).read_text())["data"]
    lines = workdir / "tweets.jsonl"
    with lines.open("w") as out:
        for i in range(tweets):
            tweet = dict(sample[i % len(sample)], id=str(10**18 + i), edit_history_tweet_ids=[str(10**18 + i)])
            out.write(json.dumps(tweet) + "\n")
    _timed(f"x_v2 reader (DuckDB JSON), {tweets:,} tweets", lambda: read_x_v2(lines), rows=tweets)
    _timed(f"polars read_ndjson alone, {tweets:,} tweets", lambda: pl.read_ndjson(lines), rows=tweets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--brands", type=int, default=6)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="brandcare-bench-") as tmp:
        workdir = Path(tmp)
        os.environ["BRANDCARE_HOME"] = str(workdir / "home")
        from pipelines import ingest
        from pipelines.cli import _prepare_environment, run_pipeline
        from pipelines.sample import generate_sample

        settings = _prepare_environment()
        summary = _timed(f"sample: {args.brands} brands x {args.days} days",
                         lambda: generate_sample(workdir / "sample", brands=args.brands, days=args.days))
        records = summary.get("records_read") or summary.get("messages")
        os.environ["BRANDCARE_BRANDS"] = str(workdir / "sample" / "brands.yaml")
        archive_dirs = [str(p) for p in (workdir / "sample").iterdir() if p.is_dir()]
        _timed(f"ingest {records:,} records", lambda: ingest.ingest(archive_dirs, settings), rows=records)
        result = _timed("pipeline run (dbt build, checks, publish)", lambda: run_pipeline(quiet=True))
        print(f"{'pipeline run succeeded':<48} {result.success}")
        _timed("second run on the same inputs", lambda: run_pipeline(quiet=True))
        bench_x_v2_parsers(workdir)


if __name__ == "__main__":
    main()
