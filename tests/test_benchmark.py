"""The benchmark (benchmarks/run.py) at a tiny size: pipeline, floor and pandas agree.

A real run of every part: ``brandcare sample``, ingest and a Dagster run in their own
processes, benchmarks/floor.sql in DuckDB, the pandas baseline. The case counts are also held
against the sample's truth.json (planted, not computed by any of the three).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run import compare, main
from benchmarks.stages import Meter

SIZE = 1500


@pytest.mark.e2e
def test_tiny_benchmark_agrees_with_floor_pandas_and_truth(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRANDCARE_HOME", str(tmp_path / "home"))
    results_dir = tmp_path / "results"
    assert main(["--size", str(SIZE), "--results", str(results_dir), "--keep", "--daily"]) == 0

    results = json.loads((results_dir / "latest.json").read_text())
    assert (results_dir / "latest.md").read_text().startswith(f"# Benchmark: {SIZE:,} messages")
    assert results["pipeline"]["success"]
    agreement = results["agreement"]
    assert agreement["agree"], agreement["differences"]
    assert agreement["floor_differing_rows"] == agreement["pandas_differing_rows"] == 0

    # truth's X cases, less twcs and the X personal archive's owner (its posts are in no X v2 page)
    sample = tmp_path / "home" / "benchmarks" / f"size-{SIZE}" / "sample"
    truth = json.loads((sample / "truth.json").read_text())
    owners = {m for path in sample.glob("x_archive/**/account.js")
              for m in re.findall(r'"accountId"\s*:\s*"(\d+)"', path.read_text())}
    x_v2 = [c for c in truth["cases"] if c["platform"] == "x" and not c["opened_message_id"].startswith("x:twcs:")
            and c["customer_id"] not in owners]
    assert agreement["rows"] > 10
    assert agreement["cases"] == len(x_v2)
    assert agreement["responded_cases"] == sum(c["responded"] for c in x_v2)

    # the newest day's tweets arrived in the daily part, and the state after it agrees above
    held = results["sample"]["held_back"]
    assert held["day"] == truth["data_horizon"][:10] and held["tweets"] > 0
    daily_ingest = results["daily"]["ingest"]
    assert daily_ingest["records_read"] >= held["tweets"]  # with the pages' includes
    assert daily_ingest["records_read"] == daily_ingest["records_loaded"] + daily_ingest["records_quarantined"]
    assert results["daily"]["window"] == ["2026-10-24", "2026-11-01"]
    assert {"dbt build", "publish"} <= set(results["daily"]["run_stages"])

    for part in ("ingest", "run", "daily", "floor", "pandas"):
        assert results[part]["seconds"] > 0 and results[part]["peak_rss_mb"] > 0
    assert {"register", "normalise", "classify"} <= set(results["ingest"]["stages"])
    assert {"dbt build", "checks", "publish"} <= set(results["run"]["run_stages"])
    assert results["machine"]["cores"] >= 1 and results["machine"]["memory_gb"] > 0


def test_compare_names_each_difference() -> None:
    day = "2026-10-01"
    pipeline = [{"brand_id": "a", "day": day, "cases": 3, "responded_cases": 2, "median_first_response_min": 10.0},
                {"brand_id": "b", "day": day, "cases": 1, "responded_cases": 0, "median_first_response_min": None}]
    same = [dict(r) for r in pipeline]
    assert compare({"pipeline": pipeline, "floor": same})["agree"]

    close = [dict(pipeline[0], median_first_response_min=10.0 + 1e-9), pipeline[1]]
    assert compare({"pipeline": pipeline, "floor": close})["agree"]

    report = compare({
        "pipeline": pipeline,
        "floor": [dict(pipeline[0], responded_cases=1), dict(pipeline[1], median_first_response_min=0.0)],
        "pandas": [pipeline[0]],
    })
    assert not report["agree"]
    assert report["floor_differing_rows"] == 2 and report["pandas_differing_rows"] == 1
    assert report["differences"]["pandas"] == ["('b', '2026-10-01'): only in pipeline"]


def test_meter_keeps_the_peak_of_a_child_that_the_samples_miss() -> None:
    # the child writes 300 MB, frees it, then idles: its resident set is small by the time the
    # sampler reads most samples, but the kernel's high-water mark (VmHWM) keeps the spike
    spike = "b = bytearray(b'x') * (300 << 20); del b; import time; time.sleep(0.4)"
    with Meter() as meter, meter.stage("spike"):
        subprocess.run([sys.executable, "-c", spike], check=True)
    # each process's own mark, by pid: the child's holds the spike; this test process's is its
    # own (whatever earlier tests in the process left in it), kept apart
    children = {pid: mark for pid, mark in meter.high_water.items() if pid != os.getpid()}
    assert os.getpid() in meter.high_water and children
    assert max(children.values()) >= 300 << 20
