"""One measured part of the benchmark, run in its own process so that its peak RSS is its own.

    python -m benchmarks.stages ingest|run|daily|floor|pandas --sample DIR --out FILE.json

Writes FILE.json: ``stages`` (name -> wall seconds, peak RSS of this process and its children
while the stage ran) and, for floor and pandas, their brand x day ``rows``. RSS is sampled by a
thread every 20 ms from /proc (this process and every descendant: dbt runs as a child); the
sampled sum can miss a spike, so ``largest_process_peak_mb`` adds the kernel's high-water mark
(VmHWM, read by the same thread) of the largest single process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

SAMPLE_EVERY_S = 0.02
#: the sample's folder of the X API v2 tweets of its newest day, held back for the daily part
#: (benchmarks.run.hold_back_newest_day)
NEW_DAY = "x_new_day"


def _tree(pid: int, high_water: dict[int, int]) -> int:
    """Resident set of a process and all its descendants (0 when it is gone); records each
    one's kernel high-water mark (VmHWM) in ``high_water`` (pid -> bytes)."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    high_water[pid] = max(high_water.get(pid, 0), int(line.split()[1]) * 1024)
                elif line.startswith("VmRSS:"):
                    total = int(line.split()[1]) * 1024
                    break
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return total
    return total + sum(_tree(int(child), high_water) for child in children)


class Meter:
    """Wall time and peak RSS per named stage; nested stages are exclusive of each other."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, int] = {}
        self.samples: list[tuple[float, int]] = []
        self.high_water: dict[int, int] = {}  # pid -> its kernel high-water mark (VmHWM)
        self._mark = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = _tree(os.getpid(), self.high_water)
            self.samples.append((time.time(), rss))
            if self.stack:
                name = self.stack[-1]
                self.peak[name] = max(self.peak.get(name, 0), rss)
            self._stop.wait(SAMPLE_EVERY_S)

    def _account(self) -> None:
        now = time.perf_counter()
        if self.stack:
            self.seconds[self.stack[-1]] = self.seconds.get(self.stack[-1], 0.0) + now - self._mark
        self._mark = now

    @contextlib.contextmanager
    def stage(self, name: str):
        self._account()
        self.stack.append(name)
        try:
            yield
        finally:
            self._account()
            self.stack.pop()

    def __enter__(self) -> Meter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict:
        return {name: {"seconds": round(self.seconds[name], 3), "peak_rss_mb": round(self.peak.get(name, 0) / 2**20, 1)}
                for name in self.seconds}


def _timed(meter: Meter, name: str, func):
    def wrapper(*args, **kwargs):
        with meter.stage(name):
            return func(*args, **kwargs)
    return wrapper


def measure_ingest(meter: Meter, folders: list[Path]) -> dict:
    """``brandcare ingest`` of archive folders: register, normalise, classify."""
    from pipelines import ingest
    from pipelines.settings import load_settings

    # instrumentation only: the real functions run, timed by name where ingest calls them
    for attribute, stage in (("register", "register"), ("classify_messages", "classify")):
        if hasattr(ingest, attribute):
            setattr(ingest, attribute, _timed(meter, stage, getattr(ingest, attribute)))
    sources = sorted(str(p) for p in folders)
    with meter.stage("normalise"):
        records = ingest.ingest(sources, load_settings())
    return {"files": len(records), "rejected": sum(r.status == "rejected" for r in records),
            "records_read": sum(r.records_read for r in records),
            "records_loaded": sum(r.records_loaded for r in records),
            "records_quarantined": sum(r.records_quarantined for r in records)}


#: Dagster step key -> benchmark stage (first match wins)
STEP_STAGES = (("published", "publish"), ("expectations", "checks"), ("lake", "lake + brand registry"),
               ("brand_registry", "lake + brand registry"), ("", "dbt build"))


def measure_run(meter: Meter, window: tuple[date, date] | None = None) -> dict:
    """``brandcare run`` (``--from``/``--to`` the window, if given): one Dagster run; its steps'
    intervals split the time and the RSS samples."""
    from dagster import DagsterInstance

    from pipelines.runner import run_pipeline  # prepares the environment itself

    started = time.time()
    with meter.stage("run"):
        outcome = run_pipeline(None, *(window or ()), quiet=True)
    ended = time.time()
    result = getattr(outcome, "result", outcome)
    steps: dict[str, list[float]] = {}
    with DagsterInstance.get() as instance:
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None or not (event.is_step_start or event.is_step_success or event.is_step_failure):
                continue
            span = steps.setdefault(event.step_key, [entry.timestamp, entry.timestamp])
            span[0], span[1] = min(span[0], entry.timestamp), max(span[1], entry.timestamp)
    stages: dict[str, dict] = {}
    for key, (low, high) in sorted(steps.items(), key=lambda kv: kv[1][0]):
        name = next(stage for needle, stage in STEP_STAGES if needle in key)
        stage = stages.setdefault(name, {"seconds": 0.0, "peak_rss_mb": 0.0, "steps": []})
        stage["seconds"] = round(stage["seconds"] + high - low, 3)
        stage["steps"].append(key)
        peak = max((rss for t, rss in meter.samples if low <= t <= high), default=0)
        stage["peak_rss_mb"] = max(stage["peak_rss_mb"], round(peak / 2**20, 1))
    in_steps = sum(s["seconds"] for s in stages.values())
    stages["run overhead (Dagster, dbt start)"] = {"seconds": round(ended - started - in_steps, 3)}
    failures = outcome.failures() if hasattr(outcome, "failures") else []
    return {"success": bool(result.success), "failures": failures, "run_stages": stages}


def newest_day(sample: Path) -> date:
    """The UTC day of the sample's newest message (its truth.json's ``data_horizon``, read from
    the file's head: at 10 million messages the whole file is 2.5 GB)."""
    with (sample / "truth.json").open() as truth:
        head = truth.read(4096)
    return date.fromisoformat(re.search(r'"data_horizon": "(\d{4}-\d\d-\d\d)', head).group(1))


def measure_daily(meter: Meter, sample: Path) -> dict:
    """The nightly run after one new day: ``brandcare ingest`` of the NEW_DAY folder, then a
    run over the days the daily schedule recomputes (those whose response window is open)."""
    from pipelines.defs.partitions import recent_days
    from pipelines.settings import load_settings

    day = newest_day(sample)
    window = recent_days(day + timedelta(days=1), load_settings().response_window_days)
    ingested = measure_ingest(meter, [sample / NEW_DAY])
    return {"day": day.isoformat(), "window": [d.isoformat() for d in window], "ingest": ingested,
            **measure_run(meter, window)}


def brand_rows(brands_yaml: Path) -> list[dict]:
    """The brand registry reduced to what the floor and the baseline read."""
    import yaml

    brands = yaml.safe_load(brands_yaml.read_text())["brands"]
    return [{"brand_id": b["id"], "timezone": b.get("timezone", "UTC"),
             "x_accounts": [str(a) for a in (b.get("accounts") or {}).get("x", [])],
             "aliases": [str(a) for a in b.get("aliases", [])]} for b in brands]


def measure_floor(meter: Meter, sample: Path, work: Path) -> list[dict]:
    """benchmarks/floor.sql on the sample's files, in one in-memory DuckDB."""
    import duckdb

    brands = work / "floor_brands.jsonl"
    with meter.stage("floor"):
        brands.write_text("".join(json.dumps(b) + "\n" for b in brand_rows(sample / "brands.yaml")))
        with duckdb.connect() as con:
            # the archive folders' files (brands.yaml and truth.json beside them are not archives)
            con.execute("set variable archive_globs = ?",
                        [[str(sample / "*" / "**" / f"*.{ext}") for ext in ("json", "jsonl")]])
            con.execute("set variable brands_json = ?", [str(brands)])
            con.execute("set variable window_days = 7")
            cursor = con.execute((Path(__file__).with_name("floor.sql")).read_text())
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return rows


def measure_pandas(meter: Meter, sample: Path) -> list[dict]:
    from benchmarks.analyst_pandas import brand_days

    with meter.stage("pandas"):
        frame = brand_days(sample, brand_rows(sample / "brands.yaml"))
    frame["median_first_response_min"] = frame["median_first_response_min"].astype(object).where(
        frame["median_first_response_min"].notna(), None)
    return frame.to_dict("records")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("ingest", "run", "daily", "floor", "pandas"))
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    output: dict = {}
    with Meter() as meter:
        if args.part == "ingest":
            # the newest day's folder, when the sample has one, is the daily part's
            folders = [p for p in args.sample.iterdir() if p.is_dir() and p.name != NEW_DAY]
            output["ingest"] = measure_ingest(meter, folders)
        elif args.part == "run":
            output.update(measure_run(meter))
        elif args.part == "daily":
            output.update(measure_daily(meter, args.sample))
        elif args.part == "floor":
            output["rows"] = measure_floor(meter, args.sample, args.out.parent)
        else:
            output["rows"] = measure_pandas(meter, args.sample)
    output["stages"] = meter.result()
    output["tree_peak_rss_mb"] = round(max((rss for _, rss in meter.samples), default=0) / 2**20, 1)
    # the kernel's high-water mark of the largest single process of the tree (dbt, typically):
    # a spike between two samples is missed by the sampled sum above, not by this. Not
    # ru_maxrss: Linux starts a child's at its parent's resident set at fork and keeps it
    # across exec; VmHWM belongs to the process's own address space
    output["largest_process_peak_mb"] = round(max(meter.high_water.values(), default=0) / 2**20, 1)
    args.out.write_text(json.dumps(output, default=str, indent=1))


if __name__ == "__main__":
    main()
