"""The ``brandcare`` command: a thin layer over the library (argument parsing, messages, exit codes).

Nothing imports this module but its console script; the work is done by
:mod:`pipelines.runner`, :mod:`pipelines.ingest`, :mod:`pipelines.publish` and the others.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

#: Reader names (pipelines.formats.READERS), listed here so that --help does not import the readers.
FORMAT_NAMES = ("x_v2", "x_archive", "twcs", "bluesky", "facebook_graph", "wxr", "disqus", "canonical")


def _settings(brands: str | None = None):
    """Settings of this invocation, resolved into the environment that Dagster and dbt read."""
    from pipelines.runner import prepare_environment

    return prepare_environment(brands=brands)


def _say(line: str) -> None:
    print(f"    {line}", flush=True)


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

    settings = _settings()
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


def _check_registry(settings) -> str | None:
    from pipelines.brands import BrandRegistryError, load_registry

    try:
        load_registry(settings.brands_path)
    except FileNotFoundError:
        return (f"no brand registry at {settings.brands_path}: give one with --brands FILE or "
                f"BRANDCARE_BRANDS=FILE (an annotated example: examples/brands.yaml)")
    except BrandRegistryError as exc:
        return f"brand registry: {exc}"
    return None


def _run(settings, from_date=None, to_date=None, quiet=False) -> int:
    """One pipeline run with its summary; the exit code."""
    from pipelines.runner import RunError, current_manifest, run_pipeline

    started = time.monotonic()
    try:
        outcome = run_pipeline(settings, from_date, to_date, quiet=quiet, on_message=_say)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    checks = outcome.result.get_asset_check_evaluations()
    passed = sum(e.passed for e in checks)
    print(f"\nrun {outcome.run_id}: {'SUCCESS' if outcome.success else 'FAILED'} in {time.monotonic() - started:.1f}s")
    print(f"checks: {passed} passed, {len(checks) - passed} failed")
    manifest = current_manifest(settings)
    if not outcome.success:
        for line in outcome.failures():
            print(f"  {line}", file=sys.stderr)
        print(f"nothing published; current publication stays {manifest['version'] if manifest else '(none)'}",
              file=sys.stderr)
        return 1
    print(f"published version {manifest['version']} (data horizon {manifest['data_horizon']})")
    for table, count in manifest["row_counts"].items():
        print(f"  {table:<18} {count:>8} rows")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args.brands)
    problem = _check_registry(settings)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"running brandcare on {settings.home} (brands: {settings.brands_path})")
    return _run(settings, args.from_date, args.to_date, quiet=args.quiet)


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
    from pipelines.sample import generate_sample

    settings = _settings()
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
    code = _run(settings, quiet=not args.verbose)
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

    settings = _settings()
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
                     help="first day (UTC) of the window, inclusive; the cases of every month the window touches "
                          "are recomputed (default: the lake's first day)")
    run.add_argument("--to", dest="to_date", type=_date,
                     help="day (UTC) after the window, exclusive (default: after the lake's last day)")
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
