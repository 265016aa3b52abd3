"""The benchmark of issue 8: the pipeline against the engine floor and an analyst's pandas.

    python -m benchmarks --size 100000 [--skip-pandas-above 1000000] [--results benchmarks/results]

On one archive written by ``brandcare sample --messages SIZE`` it measures, each part in its own
process (wall time, peak RSS of the process and its children):

- the pipeline end to end: ``ingest`` (register, normalise, classify) then ``run`` (lake and
  brand registry, dbt build, Great Expectations checks, publish), split by stage;
- the engine floor: benchmarks/floor.sql, one DuckDB script from the files to brand x day
  ``cases``, ``responded_cases``, ``median_first_response_min`` (X API v2 pages only: see
  its header);
- the analyst baseline: the same three columns in plain pandas (benchmarks/analyst_pandas.py);

then checks that the three agree and writes ``results/latest.{json,md}`` and ``results/size-SIZE.{json,md}``.

Agreement, on the floor's scope: the pipeline's published ``care_cases`` opened by a message
read from an X API v2 file (analyst database: ``messages.archive_sha256`` -> ``archive_files``),
aggregated by brand and opening day in the brand's time zone, every case counted (no actionable
filter); the three agree when they hold
the same (brand, day) rows with equal ``cases`` and ``responded_cases`` and medians both NULL or
within 1e-6 minutes.

Everything is written below $BRANDCARE_HOME/benchmarks/size-SIZE (replaced on every run),
except the results files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.stages import NEW_DAY, newest_day

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
MEDIAN_TOLERANCE_MIN = 1e-6
COLUMNS = ("cases", "responded_cases", "median_first_response_min")

PIPELINE_BRAND_DAYS = """
-- on the published analyst database: cases opened by a message read from an X API v2 file
select c.brand_id, cast(timezone(b.timezone, c.opened_at) as date) as day,
       count(*) as cases, count(*) filter (where c.responded) as responded_cases,
       median(c.first_response_min) filter (where c.responded) as median_first_response_min
from care_cases as c
inner join messages as m on m.message_id = c.opened_message_id
inner join archive_files as f on f.sha256 = m.archive_sha256
inner join read_json($brands, format = 'newline_delimited',
                     columns = {brand_id: 'varchar', timezone: 'varchar'}) as b using (brand_id)
where f.format = 'x_v2'
group by all
order by brand_id, day
"""


def _child(argv: list[str], env: dict) -> tuple[float, float]:
    """Run a process to its end; its wall seconds and ru_maxrss in MB (counted from this
    process's size at the fork, which stays small: see _sample_counts)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{output.decode(errors='replace')[-4000:]}")
    return elapsed, usage.ru_maxrss / 1024


#: Counts of the sample's files and records, from its truth.json (see _sample_counts).
_COUNTS = """
import json, sys
files = json.load(open(sys.argv[1]))["files"].values()
print(json.dumps({"files": len(files), "records": sum(f["records_read"] for f in files),
                  "x_v2_records": sum(f["records_read"] for f in files if f["format"] == "x_v2")}))
"""


def _sample_counts(sample: Path) -> dict:
    """The sample's files and records, read from its truth.json in a child process: at 10
    million messages the file is 2.5 GB (5.5 GB of Python objects), which this process would
    otherwise hold for the whole benchmark, beside the parts it measures."""
    proc = subprocess.run([sys.executable, "-c", _COUNTS, str(sample / "truth.json")],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def hold_back_newest_day(sample: Path) -> dict:
    """Move the X API v2 tweets of the sample's newest day out of its pages, into pages of the
    same names under ``NEW_DAY/`` (each page keeps its includes): the pipeline's ingest reads
    the sample without them, the daily part adds them as the night's new files. The floor and
    the baseline read every folder, so after the daily part all three cover the same tweets.

    Only ``data`` tweets move (a tweet of the newest day in another page's includes is already
    known the day before, as it would be in a real search). The files' record counts in
    truth.json then no longer describe them; the sample's counts are read before."""
    day = newest_day(sample).isoformat()
    moved = files = 0
    for path in sorted(p for p in (sample / "x").rglob("*.json*") if p.suffix in (".json", ".jsonl")):
        lines = path.read_text().splitlines() if path.suffix == ".jsonl" else [path.read_text()]
        kept, new = [], []
        for line in filter(str.strip, lines):
            page = json.loads(line)
            if "meta" not in page or "paging" in page:  # not an X API v2 page
                kept.append(line)
                continue
            today, before = [], []
            for tweet in page.get("data", []):
                (today if tweet.get("created_at", "").startswith(day) else before).append(tweet)
            if not today:
                kept.append(line)
                continue
            new.append(json.dumps({**page, "data": today}))
            kept.append(json.dumps({**page, "data": before}))
            moved += len(today)
        if new:
            files += 1
            target = sample / NEW_DAY / path.relative_to(sample / "x")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(new) + "\n")
            path.write_text("\n".join(kept) + "\n")
    if not moved:
        raise RuntimeError(f"no X API v2 tweet of the sample's newest day ({day}) to hold back")
    return {"day": day, "tweets": moved, "files": files}


def _part(part: str, sample: Path, work: Path, env: dict) -> dict:
    out = work / f"{part}.json"
    elapsed, _ = _child([sys.executable, "-m", "benchmarks.stages", part, "--sample", str(sample),
                         "--out", str(out)], env)
    measured = json.loads(out.read_text())
    # the sampled peak of the tree (dbt runs as a child), or the kernel's peak of its largest process
    peak = max(measured.pop("tree_peak_rss_mb", 0), measured.pop("largest_process_peak_mb", 0))
    return {**measured, "seconds": round(elapsed, 3), "peak_rss_mb": round(peak, 1)}


def _key(row: dict) -> tuple[str, str]:
    return row["brand_id"], str(row["day"])[:10]


def compare(named: dict[str, list[dict]]) -> dict:
    """Whether every table of brand x day rows equals the first one (see the module docstring)."""
    (reference_name, reference), *others = named.items()
    expected = {_key(r): r for r in reference}
    report = {"rows": len(reference), "agree": True, "differences": {}}
    for name, rows in others:
        got = {_key(r): r for r in rows}
        diffs = [f"{k}: only in {reference_name}" for k in expected.keys() - got.keys()]
        diffs += [f"{k}: only in {name}" for k in got.keys() - expected.keys()]
        for k in sorted(expected.keys() & got.keys()):
            a, b = expected[k], got[k]
            ma, mb = a["median_first_response_min"], b["median_first_response_min"]
            same_median = (ma is None and mb is None) or (
                ma is not None and mb is not None and abs(float(ma) - float(mb)) <= MEDIAN_TOLERANCE_MIN)
            if a["cases"] != b["cases"] or a["responded_cases"] != b["responded_cases"] or not same_median:
                diffs.append(f"{k}: {reference_name} {[a[c] for c in COLUMNS]} != {name} {[b[c] for c in COLUMNS]}")
        report["differences"][name] = sorted(diffs)[:20]
        report[f"{name}_differing_rows"] = len(diffs)
        report["agree"] = report["agree"] and not diffs
    return report


def machine() -> dict:
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return {"cores": os.cpu_count(), "memory_gb": round(int(meminfo["MemTotal"].split()[0]) / 2**20, 1),
            "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("model name")), platform.processor()),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            # other work on the machine inflates every figure: say how busy it was
            "load_average_1min": round(os.getloadavg()[0], 1)}


def run_benchmark(size: int, home: Path, skip_pandas_above: int = 1_000_000, keep: bool = False,
                  daily: bool = False) -> dict:
    """Generate the sample, measure every part on it, compare; returns the results document.
    With ``daily``, the X API v2 tweets of the sample's newest day are held back from the
    pipeline's ingest and run, then measured as a nightly run (ingest of that day, run over the
    days the schedule recomputes) before the floor and the baseline read everything."""
    work = home / "benchmarks" / f"size-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    published = work / "home" / "published" / "brandcare.duckdb"
    sample = work / "sample"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env |= {"BRANDCARE_HOME": str(work / "home"), "BRANDCARE_BRANDS": str(sample / "brands.yaml")}
    results: dict = {"size": size, "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": machine(), "commit": _commit()}

    # `brandcare sample` of this checkout (the console script may belong to another one)
    seconds, peak = _child([sys.executable, "-m", "pipelines.cli", "sample", "--out", str(sample),
                            "--messages", str(size)], env)
    results["sample"] = {"seconds": round(seconds, 3), "peak_rss_mb": round(peak, 1), **_sample_counts(sample)}
    if daily:
        results["sample"]["held_back"] = hold_back_newest_day(sample)

    results["ingest"] = _part("ingest", sample, work, env)
    results["run"] = _part("run", sample, work, env)
    if not results["run"]["success"] or not published.exists():
        raise RuntimeError(f"the pipeline run failed or published nothing: {results['run'].get('failures')} "
                           f"(home {work / 'home'})")
    if daily:
        results["daily"] = _part("daily", sample, work, env)
        if not results["daily"]["success"]:
            raise RuntimeError(f"the daily run failed: {results['daily'].get('failures')} (home {work / 'home'})")
    results["floor"] = _part("floor", sample, work, env)
    if size > skip_pandas_above:
        results["pandas"] = {"skipped": f"size above {skip_pandas_above:,}"}
    else:
        try:
            results["pandas"] = _part("pandas", sample, work, env)
        except RuntimeError as exc:  # out of memory, typically: say so
            results["pandas"] = {"skipped": f"failed: {str(exc).strip().splitlines()[-1]}"}
    pandas_skipped = "skipped" in results["pandas"]
    pipeline_seconds = results["ingest"]["seconds"] + results["run"]["seconds"]
    results["pipeline"] = {"seconds": round(pipeline_seconds, 3),
                           "peak_rss_mb": max(results["ingest"]["peak_rss_mb"], results["run"]["peak_rss_mb"]),
                           "success": results["run"].get("success")}
    results["ratios"] = {"pipeline_over_floor": round(pipeline_seconds / results["floor"]["seconds"], 2)}
    if not pandas_skipped:
        results["ratios"]["pandas_over_pipeline"] = round(results["pandas"]["seconds"] / pipeline_seconds, 3)

    brands = work / "floor_brands.jsonl"
    with duckdb.connect(str(published), read_only=True) as con:
        cursor = con.execute(PIPELINE_BRAND_DAYS, {"brands": str(brands)})
        names = [d[0] for d in cursor.description]
        pipeline_rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    tables = {"pipeline": pipeline_rows, "floor": results["floor"].pop("rows")}
    if not pandas_skipped:
        tables["pandas"] = results["pandas"].pop("rows")
    results["agreement"] = compare(tables)
    results["agreement"]["cases"] = sum(r["cases"] for r in pipeline_rows)
    results["agreement"]["responded_cases"] = sum(r["responded_cases"] for r in pipeline_rows)
    results["load_average_1min_at_end"] = round(os.getloadavg()[0], 1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return results


def _commit() -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    return proc.stdout.strip() or None


def _mb(part: dict) -> str:
    return f"{part['peak_rss_mb']:,.0f}" if part.get("peak_rss_mb") else ""


def markdown(results: dict) -> str:
    """The results as a Markdown page: machine, stages, floor, baseline, ratios, agreement."""
    m, s = results["machine"], results["sample"]
    lines = [
        f"# Benchmark: {results['size']:,} messages",
        "",
        f"{results['started_at']}, commit {results['commit']}; {m['cores']} cores, {m['memory_gb']} GB "
        f"({m['cpu']}); Python {m['python']}, DuckDB {m['duckdb']}; load average {m['load_average_1min']} "
        f"at the start, {results['load_average_1min_at_end']} at the end.",
        f"Sample: {s['files']} files, {s['records']:,} records ({s['x_v2_records']:,} in X API v2 pages, "
        "the floor's and the baseline's scope), written in "
        f"{s['seconds']:.1f} s (peak {_mb(s)} MB).",
        "",
        "| part | stage | wall s | peak RSS MB (process and children) |",
        "| --- | --- | ---: | ---: |",
    ]
    ingest, run = results["ingest"], results["run"]
    for name, stage in ingest["stages"].items():
        lines.append(f"| ingest | {name} | {stage['seconds']:.1f} | {_mb(stage)} |")
    lines.append(f"| ingest | **total** (process) | **{ingest['seconds']:.1f}** | **{_mb(ingest)}** |")
    for name, stage in run["run_stages"].items():
        lines.append(f"| run | {name} | {stage['seconds']:.1f} | {_mb(stage)} |")
    lines.append(f"| run | **total** (process) | **{run['seconds']:.1f}** | **{_mb(run)}** |")
    p = results["pipeline"]
    lines.append(f"| **pipeline** | ingest + run | **{p['seconds']:.1f}** | **{_mb(p)}** |")
    if "daily" in results:
        daily, held = results["daily"], s["held_back"]
        for name, stage in daily["stages"].items():
            if name != "run":
                lines.append(f"| daily | ingest: {name} | {stage['seconds']:.1f} | {_mb(stage)} |")
        for name, stage in daily["run_stages"].items():
            lines.append(f"| daily | run: {name} | {stage['seconds']:.1f} | {_mb(stage)} |")
        lines.append(f"| **daily** | ingest + run of {held['day']} ({held['tweets']:,} tweets), window "
                     f"{daily['window'][0]} to {daily['window'][1]} (process) | **{daily['seconds']:.1f}** | "
                     f"**{_mb(daily)}** |")
    lines.append(f"| **floor** | benchmarks/floor.sql (X v2) | **{results['floor']['seconds']:.1f}** | "
                 f"**{_mb(results['floor'])}** |")
    pandas = results["pandas"]
    if "skipped" in pandas:
        lines.append(f"| pandas | skipped: {pandas['skipped']} | | |")
    else:
        lines.append(f"| **pandas** | benchmarks/analyst_pandas.py (X v2) | **{pandas['seconds']:.1f}** | "
                     f"**{_mb(pandas)}** |")
    ratios, agreement = results["ratios"], results["agreement"]
    lines += ["", "Process totals include interpreter start and imports; stage rows are measured inside."]
    if "daily" in results:
        held = s["held_back"]
        lines += ["", f"Daily: the pipeline's ingest and run read the sample less the {held['tweets']:,} X API v2 "
                  f"tweets of its newest day ({held['day']}, moved to {held['files']} files of {NEW_DAY}/); the daily "
                  "part then ingests them and runs over the days the nightly schedule recomputes. The floor and "
                  "pandas read every file: the agreement below is the pipeline's state after the daily run."]
    lines += ["",
              f"- pipeline / floor: **{ratios['pipeline_over_floor']}x** (the pipeline reads every format, "
              "the floor X API v2 only)"]
    if "pandas_over_pipeline" in ratios:
        lines.append(f"- pandas / pipeline: **{ratios['pandas_over_pipeline']}x**")
    verdict = "agree" if agreement["agree"] else "DO NOT agree"
    lines.append(f"- pipeline, floor and pandas {verdict} on {agreement['rows']} brand x day rows "
                 f"({agreement['cases']:,} X API v2 cases, {agreement['responded_cases']:,} responded)")
    for name, diffs in agreement["differences"].items():
        for diff in diffs[:5]:
            lines.append(f"  - {name}: {diff}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, help="messages to generate (or --size)")
    parser.add_argument("--size", dest="size_option", type=int)
    parser.add_argument("--skip-pandas-above", type=int, default=1_000_000)
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder of latest.json and latest.md")
    parser.add_argument("--keep", action="store_true", help="keep the sample and the home after the run")
    parser.add_argument("--daily", action="store_true",
                        help="hold back the X API v2 tweets of the newest day and measure a nightly run adding them")
    args = parser.parse_args(argv)
    size = args.size_option or args.size or 100_000
    home = Path(os.environ.get("BRANDCARE_HOME", "data")).expanduser().resolve()
    results = run_benchmark(size, home, args.skip_pandas_above, args.keep, args.daily)
    args.results.mkdir(parents=True, exist_ok=True)
    page = markdown(results)
    for name in ("latest", f"size-{size}"):
        (args.results / f"{name}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
        (args.results / f"{name}.md").write_text(page)
    print(page)
    return 0 if results["agreement"]["agree"] and results["pipeline"]["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
