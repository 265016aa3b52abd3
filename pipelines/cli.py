"""The ``brandcare`` command: sample, ingest, run, demo, ui.

The CLI drives the Dagster definitions; nothing imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import date
from pathlib import Path

#: Reader names (pipelines.formats.READERS), listed here so that --help does not import the readers.
FORMAT_NAMES = ("x_v2", "x_archive", "twcs", "bluesky", "facebook_graph", "wxr", "disqus", "canonical")

INSTANCE_YAML = """\
# Written by brandcare: the local Dagster instance of this BRANDCARE_HOME.
telemetry:
  enabled: false
concurrency:
  pools:
    # One writer: every asset that writes the working warehouse shares the "warehouse" pool.
    default_limit: 1
"""


def _settings():
    from pipelines.settings import load_settings

    return load_settings()


def _prepare_environment(brands: str | None = None):
    """Resolve BRANDCARE_HOME (and --brands) into the environment for Dagster and dbt alike."""
    settings = _settings()
    os.environ["BRANDCARE_HOME"] = str(settings.home)
    if brands:
        os.environ["BRANDCARE_BRANDS"] = str(Path(brands).expanduser().resolve())
    settings = _settings()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = settings.dagster_home / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ.setdefault("DBT_LOG_PATH", str(settings.home / "logs" / "dbt"))
    return settings


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines.sample import generate_sample

    summary = generate_sample(
        Path(args.out), brands=args.brands, days=args.days, seed=args.seed, messages=args.messages
    )
    print(f"sample written to {Path(args.out).resolve()}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def _print_file(record, is_new: bool) -> None:
    state = "new" if is_new else "already registered"
    if record.status == "rejected":
        print(f"  {record.name:<40} {record.format or '?':<10} REJECTED ({state}): {record.error}")
    else:
        print(
            f"  {record.name:<40} {record.format:<10} read {record.records_read:>6}  "
            f"loaded {record.records_loaded:>6}  quarantined {record.records_quarantined:>4}  ({state})"
        )


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines import ingest

    settings = _prepare_environment()
    started = time.monotonic()
    print(f"ingesting into {settings.home}")
    try:
        records = ingest.ingest(args.sources, settings, on_file=_print_file, fmt=args.format)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rejected = [r for r in records if r.status == "rejected"]
    print(
        f"{len(records)} files ({len(rejected)} rejected): read {sum(r.records_read for r in records)}, "
        f"loaded {sum(r.records_loaded for r in records)}, "
        f"quarantined {sum(r.records_quarantined for r in records)} in {time.monotonic() - started:.1f}s"
    )
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def run_pipeline(min_date: date | None = None, max_date: date | None = None, quiet: bool = False):
    """Materialise everything as one Dagster run in the instance under $BRANDCARE_HOME.

    The run covers the daily partitions [min_date, max_date) (default: every day of the
    lake): the cases opened on those days are recomputed; the publication holds all days.
    """
    from datetime import timedelta

    from dagster import DagsterInstance

    from pipelines import ingest
    from pipelines.definitions import defs
    from pipelines.defs.partitions import range_tags
    from pipelines.settings import load_settings

    settings = load_settings()
    dates = ingest.lake_dates(settings)
    if dates is None and (min_date is None or max_date is None):
        raise SystemExit("error: the lake is empty: `brandcare ingest SOURCE...` first, or give --from and --to")
    first = min_date or dates[0]
    last = (max_date - timedelta(days=1)) if max_date else dates[1]
    job = defs.resolve_job_def("brandcare")
    with DagsterInstance.get() as instance, _dbt_output(settings, quiet):
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=range_tags(first, last),
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}},
        )


@contextlib.contextmanager
def _dbt_output(settings, quiet: bool):
    """dagster-dbt echoes every dbt event to stdout; when quiet, send that to a log file instead."""
    if not quiet:
        yield
        return
    log = settings.home / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"    dbt output: {log}")
    with log.open("w") as handle, contextlib.redirect_stdout(handle):
        yield


def _failures(result) -> list[str]:
    failed = [
        f"check {e.asset_key.to_user_string()}:{e.check_name} failed"
        + (f" ({e.description})" if e.description else "")
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "failed"
            failed.append(f"step {event.step_key} failed: {message}")
    return failed


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.brands import BrandRegistryError, load_registry
    from pipelines.publish import current_version

    settings = _prepare_environment(args.brands)
    try:
        load_registry(settings.brands_path)
    except (BrandRegistryError, FileNotFoundError) as exc:
        print(f"error: brand registry: {exc}", file=sys.stderr)
        return 2
    if args.from_date and args.to_date and args.from_date >= args.to_date:
        print(f"error: --from {args.from_date} must be before --to {args.to_date} (the window is half-open)",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    print(f"running brandcare on {settings.home} (brands: {settings.brands_path})")
    result = run_pipeline(args.from_date, args.to_date, quiet=args.quiet)
    return _summarise(result, settings, started, current_version)


def _summarise(result, settings, started: float, current_version) -> int:
    import json

    elapsed = time.monotonic() - started
    checks = result.get_asset_check_evaluations()
    passed = sum(e.passed for e in checks)
    print(f"\nrun {result.run_id}: {'SUCCESS' if result.success else 'FAILED'} in {elapsed:.1f}s")
    print(f"checks: {passed} passed, {len(checks) - passed} failed")
    if not result.success:
        for line in _failures(result):
            print(f"  {line}", file=sys.stderr)
        version = current_version(settings.published_dir)
        print(f"nothing published; current publication stays {version or '(none)'}", file=sys.stderr)
        return 1
    manifest = json.loads((settings.published_dir / "current" / "manifest.json").read_text())
    print(f"published version {manifest['version']} (data horizon {manifest['data_horizon']})")
    for table, count in manifest["row_counts"].items():
        print(f"  {table:<18} {count:>8} rows")
    return 0


def _print_top(settings) -> None:
    import duckdb
    import polars as pl

    path = settings.published_dir / "current" / "brand_scorecards.parquet"
    top = duckdb.sql(
        """
        select brand_name, sector, period_start as month, rank, round(care_score, 1) as care_score,
               actionable_cases, round(response_rate, 3) as response_rate,
               round(median_first_response_min, 1) as median_min, round(deflection_rate, 3) as deflection,
               is_final
        from read_parquet($path)
        where period = 'month' and platform = 'all'
          -- the latest month final for every brand; when none is, the busiest month
          and period_start = (select period_start from read_parquet($path)
                              where period = 'month' and platform = 'all' group by period_start
                              order by bool_and(is_final) desc,
                                       case when bool_and(is_final) then period_start end desc,
                                       sum(cases) desc
                              limit 1)
        order by rank nulls last, care_score desc
        """,
        params={"path": str(path)},
    ).pl()
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True,
                   tbl_width_chars=200):
        print(top)


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines import ingest
    from pipelines.publish import current_version
    from pipelines.sample import generate_sample

    settings = _prepare_environment()
    started = time.monotonic()
    sample_dir = settings.home / "sample"
    print(f"1/3 writing a sample archive to {sample_dir}")
    generate_sample(sample_dir, brands=args.brands, days=args.days, seed=args.seed)
    print("2/3 ingesting it")
    # the archives are in the sample's subfolders; brands.yaml and truth.json beside them are not archives
    archive_dirs = sorted(str(p) for p in sample_dir.iterdir() if p.is_dir())
    records = ingest.ingest(archive_dirs, settings, on_file=_print_file if args.verbose else None)
    print(f"    {len(records)} files, {sum(r.records_loaded for r in records)} records loaded, "
          f"{sum(r.records_quarantined for r in records)} quarantined")
    print("3/3 running the pipeline (Dagster run: lake -> dbt -> checks -> publish)")
    code = _summarise(run_pipeline(quiet=not args.verbose), settings, started, current_version)
    if code:
        return code
    print(f"\noutputs in {settings.published_dir / 'current'}:")
    for path in sorted((settings.published_dir / "current").iterdir()):
        print(f"  {path.name}")
    print(f"analyst database: {settings.published_dir / 'brandcare.duckdb'}")
    print("\nlatest final month (the busiest month if none is final yet), all platforms:")
    _print_top(settings)
    print("\nnext: `uv run brandcare ui` to see the run in Dagster")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from pipelines.project import REPO_ROOT

    settings = _prepare_environment()
    dagster = Path(sys.executable).with_name("dagster")
    argv = [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (instance {settings.dagster_home})")
    os.chdir(REPO_ROOT)
    os.execv(argv[0], argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brandcare", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write a realistic multi-format sample archive and truth.json")
    sample.add_argument("--out", required=True, help="folder to write")
    sample.add_argument("--brands", type=int, default=6)
    sample.add_argument("--days", type=int, default=60)
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--messages", type=int, default=None, help="approximate number of messages")
    sample.set_defaults(func=cmd_sample)

    ingest = commands.add_parser("ingest", help="register and normalise archive files")
    ingest.add_argument("sources", nargs="+", help="files, folders, globs or http(s) URLs")
    ingest.add_argument("--format", default="auto", choices=("auto", *FORMAT_NAMES),
                        help="auto (detect from the content, the default) or the format of every file")
    ingest.set_defaults(func=cmd_ingest)

    run = commands.add_parser("run", help="materialise, validate and publish (a Dagster run)")
    run.add_argument("--from", dest="from_date", type=_date,
                     help="first day (UTC) whose cases are recomputed, inclusive (default: the lake's first day)")
    run.add_argument("--to", dest="to_date", type=_date,
                     help="day (UTC) after the last one recomputed, exclusive (default: after the lake's last day)")
    run.add_argument("--brands", help="brand registry YAML (default: $BRANDCARE_BRANDS or the sample's)")
    run.add_argument("--quiet", action="store_true", help="only warnings and the summary")
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser("demo", help="sample + ingest + run on the embedded default")
    demo.add_argument("--brands", type=int, default=6)
    demo.add_argument("--days", type=int, default=60)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--verbose", action="store_true")
    demo.set_defaults(func=cmd_demo)

    ui = commands.add_parser("ui", help="the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
