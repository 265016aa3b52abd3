"""The brandcare command: a thin layer over the library (argument parsing, messages, exit codes).

Nothing imports this module but its console script; the work is done by pipelines.runner,
pipelines.ingest, pipelines.publish, pipelines.status and the others.

Adding a command: one ``_command(...)`` entry in :func:`build_parser` (help line, description,
examples, the settings it reads) and one short ``cmd_<name>(args) -> int`` function.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import gc
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

#: Reader names (pipelines.formats.READERS), listed here so that --help does not import the readers.
FORMAT_NAMES = (
    "x_v2", "x_v11", "snscrape", "apify_x", "x_archive", "twcs", "twarc_csv", "tags", "bluesky", "facebook_graph",
    "wxr", "disqus", "canonical",
)

DESCRIPTION = """\
brandcare: brand customer-care scorecards from social media archives.

Ingest archive files (X, Bluesky, Facebook, blog comments) into a Parquet lake, run the
pipeline (one Dagster run: dbt build, checks, publish) and read the published Parquet files
and analyst DuckDB database under $BRANDCARE_HOME/published."""

#: What each setting means, by Settings field; the variable is BRANDCARE_<FIELD> (brands_file:
#: BRANDCARE_BRANDS). tests/test_cli.py keeps this in step with pipelines.settings.Settings.
SETTINGS_HELP = {
    "home": "folder holding everything brandcare writes (archives, lake, warehouse, published, dagster)",
    "brands_file": "the brand registry YAML (run --brands FILE overrides it)",
    "response_window_days": "days after a case opens in which a brand reply counts as a response",
    "speed_best_min": "median first response (minutes) at or under which the score's speed part is full",
    "speed_worst_min": "median first response (minutes) at or over which the score's speed part is zero",
    "min_ranked_cases": "actionable cases a brand needs in a period to be ranked",
    "min_equity_band_cases": "actionable cases a follower band needs to enter the equity index",
    "canned_min_replies": "near-duplicate replies of one brand and month that make them canned",
    "canned_similarity": "word-set Jaccard similarity at which two replies are near-duplicates",
    "score_weights": "care score weights, any subset, e.g. response_rate=35,speed=25",
    "keep_versions": "published versions kept (the most recently made current, the current one among them)",
    "duckdb_memory_limit": "DuckDB memory limit of the pipeline and dbt (DuckDB syntax)",
    "report_language": "language of report.html: en or es",
}
#: Settings only the location of the home matters to (the other commands read them all).
HOME_ONLY = ("home",)


def _variable(name: str) -> str:
    return "BRANDCARE_BRANDS" if name == "brands_file" else f"BRANDCARE_{name.upper()}"


def _setting_default(name: str) -> str:
    from pipelines.settings import Settings

    if name == "home":
        return "./data"
    if name == "brands_file":
        return "$BRANDCARE_HOME/sample/brands.yaml"
    spec = Settings.__dataclass_fields__[name]
    value = spec.default_factory() if spec.default is dataclasses.MISSING else spec.default
    if isinstance(value, dict):
        return ",".join(f"{key}={number:g}" for key, number in value.items())
    return str(value)


def _environment(names=None) -> str:
    """The environment variables of the given settings (default: every one), for an epilog."""
    lines = ["environment:"]
    for name in names or SETTINGS_HELP:
        lines.append(f"  {_variable(name)}={_setting_default(name)}")
        lines.append(f"      {SETTINGS_HELP[name]}")
    return "\n".join(lines)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults after each option's help (none for flags and unset options); description and
    epilog printed as written, so examples keep their lines."""

    def _get_help_string(self, action):
        if action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)


def _command(commands, name: str, func, summary: str, description: str, examples: list[str],
             settings=None, notes: str = "") -> argparse.ArgumentParser:
    """One subcommand: its line in `brandcare --help`, its description, examples (at least one),
    notes (exit codes...) and the environment variables it reads (names of Settings fields;
    None: every setting, (): none)."""
    epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)
    if notes:
        epilog += f"\n\n{notes}"
    if settings != ():
        epilog += "\n\n" + _environment(settings)
    parser = commands.add_parser(name, help=summary, description=description, epilog=epilog,
                                 formatter_class=_HelpFormatter)
    parser.set_defaults(func=func, command_parser=parser)
    return parser


def _settings(brands: str | None = None, prepare: bool = True):
    """Settings of this invocation, resolved into the environment that Dagster and dbt read
    (prepare=False: only read, the home is not created)."""
    from pipelines.runner import prepare_environment
    from pipelines.settings import load_settings

    try:
        settings = load_settings()
    except ValueError as exc:  # a BRANDCARE_* variable that does not parse: the message names it
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return prepare_environment(settings, brands=brands) if prepare else settings


def _sayer(stream):
    """The ``on_message`` of a run: indented lines on ``stream``, the stdout of before the run
    (a quiet run sends the dbt output that dagster-dbt prints to a log file, not its messages)."""
    return lambda line: print(f"    {line}", file=stream, flush=True)


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines.sample import SampleError, generate_sample, summary_lines

    try:
        summary = generate_sample(
            Path(args.out), brands=args.brand_count, days=args.days, seed=args.seed, messages=args.messages
        )
    except SampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"sample written to {Path(args.out).resolve()}")
    for line in summary_lines(summary):
        print(f"  {line}")
    return 0


def _registered(is_new: bool) -> str:
    return "new" if is_new else "already registered"


def printable(name: str) -> str:
    """A file name as printed: control and format characters (a terminal escape, a newline, a
    right-to-left override: a zip entry's name is anyone's) written as escapes."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in name)


def _file_line(record, state: str) -> str:
    from pipelines.formats import READERS

    name = printable(record.name)
    width = max(map(len, READERS))  # the columns line up whatever the format (QA: facebook_graph)
    if record.status == "rejected":
        return f"  {name:<40} {record.format or '?':<{width}} REJECTED ({state}): {record.error}"
    line = (f"  {name:<40} {record.format:<{width}} read {record.records_read:>6}  "
            f"loaded {record.records_loaded:>6}  quarantined {record.records_quarantined:>4}  ({state})")
    return f"{line}: {record.notes}" if record.records_loaded == 0 and record.notes else line


@contextlib.contextmanager
def _ingest_progress(print_files: bool = True):
    """The ``on_file`` callback of an ingest: a line per file (when print_files) and, on a
    terminal, a progress bar of the files done; plain lines only when stdout is not a TTY."""
    if not sys.stdout.isatty():
        yield ((lambda record, is_new: print(_file_line(record, _registered(is_new)), flush=True))
               if print_files else None)
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("ingesting"), BarColumn(), TextColumn("{task.completed} files"),
               TextColumn("{task.fields[records]} records"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("ingest", total=None, records=0)

        def on_file(record, is_new: bool) -> None:
            if print_files:
                progress.console.print(_file_line(record, _registered(is_new)), markup=False, highlight=False)
            progress.update(task, advance=1, records=progress.tasks[task].fields["records"] + record.records_read)

        yield on_file


#: `brandcare ingest` exit codes besides 0 (every file loaded) and 2 (a source matches nothing).
INGEST_ALL_REJECTED, INGEST_SOME_REJECTED = 1, 3


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines import ingest

    if bool(args.sources) == args.reread or (args.reread and args.format != "auto"):
        print("error: give SOURCE... to ingest, or --reread alone to read the home's archive files again",
              file=sys.stderr)
        return 2
    try:
        ingest.check_sources(args.sources)  # before the home is made (QA: a typo created ./data/dagster)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = _settings()
    started = time.monotonic()
    print(f"{'reading again the archive files of' if args.reread else 'ingesting into'} {settings.home}")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    skipped = []
    try:
        if args.reread:
            from pipelines.runner import home_lock

            def forgotten(record, reason: str) -> None:
                print(f"  {printable(record.name)}: forgotten, {reason} (an older version registered every "
                      "file of a folder)", flush=True)

            with home_lock(settings, on_wait=say):  # no run reads the lake while it is read again
                records = ingest.reread(settings, on_wait=say, on_forget=forgotten)
            for record in records:
                print(_file_line(record, "read again"), flush=True)
            if any(r.status != "rejected" for r in records):
                print("every month may have changed: `brandcare run` without --from/--to recomputes them all")
        else:
            with _ingest_progress() as on_file:
                records = ingest.ingest(args.sources, settings, on_file=on_file, fmt=args.format, on_wait=say,
                                        on_skip=skipped.append)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not records and not skipped and not args.reread:  # an empty folder: said as a glob matching nothing (QA)
        print(f"error: no file in {', '.join(map(printable, args.sources))}: nothing to ingest", file=sys.stderr)
        return 2
    older = 0 if args.reread else ingest.read_by_other_versions(settings, ingest.load_archive_files(settings)).height
    if older:  # new files beside ones an older version read: both counted, until read again (QA: doubled messages)
        print(f"warning: {older} archive files of this home were read by another version of brandcare's readers "
              f"or classifiers, and may not match the files read now; {ingest.REREAD_ADVICE}", file=sys.stderr)
    for reason, names in _grouped_skips(skipped).items():
        more = f" and {len(names) - SKIPS_SHOWN:,} more" if len(names) > SKIPS_SHOWN else ""
        print(f"  skipped {len(names):,} file(s), {reason}: {', '.join(names[:SKIPS_SHOWN])}{more}")
    rejected = [r for r in records if r.status == "rejected"]
    distinct = {r.sha256: r for r in records}.values()  # a file found twice (in a folder and a zip) counts once
    print(
        f"{len(records)} files ({len(rejected)} rejected{f', {len(skipped):,} skipped' if skipped else ''}): "
        f"read {sum(r.records_read for r in distinct)}, "
        f"loaded {sum(r.records_loaded for r in distinct)}, "
        f"quarantined {sum(r.records_quarantined for r in distinct)} in {time.monotonic() - started:.1f}s"
    )
    # --format can help a file rejected by detection or by its reader, not a failed download or a refused file
    misread = args.format == "auto" and any(r.format is not None or (r.error or "").startswith("unknown format")
                                             for r in rejected)
    if (rejected or skipped) and len(rejected) == len(records):
        print(f"error: every file was rejected ({len(rejected)}); nothing was loaded."
              + (" If the format was misdetected, give it with --format" if misread else "") if rejected else
              f"error: every file was skipped ({len(skipped)}); nothing was loaded. A file named on its own "
              "is read (but for YAML, Markdown and HTML: no archive format)", file=sys.stderr)
        return INGEST_ALL_REJECTED
    if rejected:
        print(f"warning: {len(rejected)} of {len(records)} files rejected (reasons above)", file=sys.stderr)
        return INGEST_SOME_REJECTED
    return 0


#: skipped files named on the ingest's output, per reason (the rest are counted)
SKIPS_SHOWN = 3


def _grouped_skips(skipped: list) -> dict[str, list[str]]:
    """The names of the skipped candidates, per reason, in the order found."""
    grouped: dict[str, list[str]] = {}
    for candidate in skipped:
        grouped.setdefault(candidate.skipped, []).append(printable(candidate.name))
    return grouped


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _check_registry(settings) -> str | None:
    from pipelines.brands import BrandRegistryError, load_registry
    from pipelines.project import REPO_ROOT

    if settings.brands_path.is_dir():
        return f"--brands / BRANDCARE_BRANDS: {settings.brands_path} is a folder: give the registry's YAML file"
    if not settings.brands_path.is_file():
        return (f"no brand registry at {settings.brands_path}: give one with --brands FILE or "
                f"BRANDCARE_BRANDS=FILE (an annotated example: {REPO_ROOT / 'examples' / 'brands.yaml'})")
    try:
        load_registry(settings.brands_path)
    except BrandRegistryError as exc:
        return f"brand registry: {exc}"
    return None


def _run(settings, from_date=None, to_date=None, quiet=False) -> int:
    """One pipeline run with its summary; the exit code."""
    from pipelines.runner import EmptyLakeError, RunError, check_line, current_manifest, run_pipeline, warned_rows

    started = time.monotonic()
    before = (current_manifest(settings) or {}).get("version")
    try:
        outcome = run_pipeline(settings, from_date, to_date, quiet=quiet, on_message=_sayer(sys.stdout))
    except EmptyLakeError as exc:
        print(f"error: {exc}; nothing was published", file=sys.stderr)
        return 2
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    checks = outcome.checks()
    print(f"\nrun {outcome.run_id}: {'SUCCESS' if outcome.success else 'FAILED'} in {time.monotonic() - started:.1f}s")
    print(f"checks: {len(checks['passed'])} passed, {len(checks['failed'])} failed"
          + (f", {len(checks['warned'])} warned" if checks["warned"] else ""))
    for evaluation in checks["warned"]:
        print(f"  warning: {check_line(evaluation)}", file=sys.stderr)
        for row in warned_rows(evaluation):
            print(f"    {row}", file=sys.stderr)
    manifest = current_manifest(settings)
    published = manifest is not None and manifest["version"] != before
    if not outcome.success and outcome.interrupted and not published:  # not a failed step: exit as ingest does (QA)
        print("interrupted: nothing published; the current publication stays "
              f"{manifest['version'] if manifest else '(none)'}", file=sys.stderr)
        return 128 + signal.SIGINT
    if not outcome.success:
        for line in outcome.failures():
            print(f"  {line}", file=sys.stderr)
        if not published:
            print(f"nothing published; current publication stays {manifest['version'] if manifest else '(none)'}",
                  file=sys.stderr)
            return 1
        # stopped after its switch (an interrupt while it pruned old versions: QA): it did publish
        print("warning: the run stopped after publishing; what it left is cleaned by the next publish",
              file=sys.stderr)
    if manifest is None:
        print("error: the run published nothing readable: no current publication", file=sys.stderr)
        return 1
    print(f"published version {manifest['version']} (data horizon {manifest['data_horizon']})")
    for table, count in manifest["row_counts"].items():
        print(f"  {table:<18} {count:>8} rows")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import dataclasses

    from pipelines.runner import prepare_environment

    settings = _settings(prepare=False)  # a run refused for its registry writes nothing (QA: the home's dagster.yaml)
    if args.brands == "":  # an empty --brands read the sample's registry (QA)
        print("error: --brands: an empty path (give the registry's YAML file)", file=sys.stderr)
        return 2
    if args.brands:
        settings = dataclasses.replace(settings, brands_file=Path(args.brands).expanduser().resolve())
    problem = _check_registry(settings)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    settings = prepare_environment(settings, brands=args.brands)
    print(f"running brandcare on {settings.home} (brands: {settings.brands_path})")
    return _run(settings, args.from_date, args.to_date, quiet=args.quiet)


def _print_top(settings) -> None:
    import duckdb
    import polars as pl

    from pipelines.publish import LEADERBOARD_MONTH

    path = settings.published_dir / "current" / "brand_scorecards.parquet"
    top = duckdb.sql(
        f"""
        select brand_name, sector, period_start, rank, round(care_score, 1) as care_score,
               actionable_cases, round(response_rate, 3) as response_rate,
               round(median_first_response_min, 1) as median_min, round(deflection_rate, 3) as deflection,
               is_final
        from read_parquet($path)
        where period = 'month' and platform = 'all'
          and period_start = ({LEADERBOARD_MONTH.format(scorecards="read_parquet($path)")})
        order by rank nulls last, care_score desc
        """,
        params={"path": str(path)},
    ).pl()
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True,
                   tbl_width_chars=200):
        print(top)


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines import ingest
    from pipelines.sample import SampleError, generate_sample
    from pipelines.sample.world import check_size

    try:
        check_size(args.brand_count, args.days)  # before the home is made (QA)
    except SampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = _settings()
    sample_dir = settings.sample_dir
    # the home's archive files, loaded or pending, that are not this sample's: the invented messages
    # would be published with them (QA: a user's archives; an interrupted demo of other settings).
    # Told from a scratch copy of the sample, so that a refused demo leaves nothing in the home (its
    # sample's brands.yaml would be the registry of the next run: review)
    scratch = settings.temp_dir / f"demo-sample-{os.getpid()}"
    try:
        generate_sample(scratch, brands=args.brand_count, days=args.days, seed=args.seed)
        sample = {ingest.file_sha256(path) for path in scratch.rglob("*") if path.is_file()}
    except SampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    others = [sha for sha in ingest.registered(settings) if sha not in sample]
    if others:
        print(f"error: the home {settings.home} holds {len(others)} archive files that are not this sample's (your "
              "own, or an earlier demo's with other settings): the demo runs in a home of its own (set "
              "BRANDCARE_HOME to a new folder)", file=sys.stderr)
        return 2
    print(f"1/3 writing a sample archive to {sample_dir}")
    try:
        generate_sample(sample_dir, brands=args.brand_count, days=args.days, seed=args.seed)  # the same, here
    except SampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("2/3 ingesting it")
    new: list = []  # the files this ingest registered: a demo run again over its home registers none

    with _ingest_progress(print_files=args.verbose) as on_file:
        def counted(record, is_new: bool) -> None:
            if is_new:
                new.append(record)
            if on_file:
                on_file(record, is_new)

        records = ingest.ingest([str(sample_dir)], settings, on_file=counted)  # brands.yaml, truth.json skipped
    before = f", {len(records) - len(new)} already registered" if len(new) < len(records) else ""
    print(f"    {len(records)} files{before}: {sum(r.records_loaded for r in new)} records loaded, "
          f"{sum(r.records_quarantined for r in new)} quarantined")
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
    import socket

    from pipelines.project import REPO_ROOT

    with socket.socket() as probe:  # dagster dev logged "address already in use" and ran on without a UI (QA)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a port in TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", args.port))
        except OSError as exc:
            print(f"error: port {args.port} on 127.0.0.1 cannot be used ({exc.strerror}; another UI?): give another "
                  "with --port", file=sys.stderr)
            return 2
    settings = _settings()
    # the code location runs dbt and dagster: those of this environment, however brandcare was started
    # (by its path, with PATH lacking the venv). Not resolved: a venv's python is a symlink.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([bin_dir, *os.environ.get("PATH", "").split(os.pathsep)])
    argv = [str(Path(bin_dir) / "dagster"), "dev", "-w", str(REPO_ROOT / "workspace.yaml"),
            "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (instance {settings.dagster_home})", flush=True)
    # dagster dev stops its webserver and daemon on SIGINT and SIGTERM (mapped to SIGINT's handler);
    # started in the background (`brandcare ui &`), SIGINT is ignored and would make both ignored
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    os.chdir(REPO_ROOT)
    os.execv(argv[0], argv)


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines.status import home_status, month_spans

    settings = _settings(prepare=False)  # reading a home never creates it
    status = home_status(settings, runs=args.runs)
    print(f"home {status.home}")
    a = status.archives
    print(f"archives: {a.files} files ({a.rejected} rejected): read {a.records_read}, loaded {a.records_loaded}, "
          f"quarantined {a.records_quarantined}")
    if a.read_by_other_versions:
        from pipelines.ingest import REREAD_ADVICE

        print(f"  {a.read_by_other_versions} of them read by another version of brandcare's readers or classifiers "
              f"(an upgrade since): their messages may differ from what this version reads; {REREAD_ADVICE}")
    print("lake: " + (f"{status.lake_dates[0]} to {status.lake_dates[1]} (UTC days)" if status.lake_dates
                      else "empty (`brandcare ingest SOURCE...`)"))
    months = [key[:7] for key in status.months]  # partition keys are first days: 2026-10-01
    print(f"months materialised: {len(months)}" + (f" ({month_spans(months)})" if months else ""))
    print(f"last runs, newest first ({len(status.runs)}):" if status.runs else "runs: none yet (`brandcare run`)")
    for run in status.runs:
        when = run.started_at.strftime("%Y-%m-%d %H:%M UTC") if run.started_at else "not started"
        took = f"{(run.ended_at - run.started_at).total_seconds():.0f}s" if run.started_at and run.ended_at else "-"
        window = (f"month {run.window[0][:7]}" if run.window and run.window[0] == run.window[1]
                  else f"months {run.window[0][:7]} to {run.window[1][:7]}" if run.window
                  else f"backfill {run.backfill}" if run.backfill
                  else "no months (the models alone, over the last window written)")
        print(f"  {run.run_id[:8]}  {run.status:<8} {when}  {took:>6}  {window}")
        if run.dead_pid:
            print(f"      its process (pid {run.dead_pid}) is gone: killed or crashed, the run will not end; "
                  "the next `brandcare run` marks it failed")
        for line in run.failures + run.warnings:
            print(f"      {line}")
    pub = status.publication
    if pub:
        print(f"publication: {pub['version']} (created {pub['created_at']}, data horizon {pub['data_horizon']})")
    else:
        print("publication: none yet")
    return 0


def cmd_publications(args: argparse.Namespace) -> int:
    from pipelines.publish import list_publications

    settings = _settings(prepare=False)
    entries = list_publications(settings.published_dir)
    if not entries:
        print(f"nothing published yet in {settings.published_dir}")
        return 0
    print(f"  {'version':<24}  {'created (UTC)':<19}  {'data horizon':<19}  {'checks':>7}  {'warned':>6}  "
          f"{'cases':>7}  last made current")
    for entry in entries:
        checks = f"{entry['checks_passed']}/{entry['checks_total']}"
        print(f"{'*' if entry['current'] else ' '} {entry['version']:<24}  {(entry['created_at'] or '')[:19]:<19}  "
              f"{(entry['data_horizon'] or '-')[:19]:<19}  {checks:>7}  {entry['checks_warned']:>6}  "
              f"{entry['row_counts'].get('care_cases', 0):>7}  {(entry['last_made_current_at'] or 'never')[:19]}")
    print("* current; `brandcare rollback VERSION` makes another one current")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from pipelines.publish import PublicationError, rollback
    from pipelines.runner import home_lock

    settings = _settings(prepare=False)
    if not settings.published_dir.is_dir():  # said before any lock file is made (QA: it created the home)
        print(f"error: nothing published yet in {settings.home}", file=sys.stderr)
        return 1
    try:
        # after a run that is publishing, not between its switch and its pruning (QA)
        with home_lock(settings, on_wait=lambda message: print(message, file=sys.stderr, flush=True)):
            manifest = rollback(settings.published_dir, args.version)
    except PublicationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"current publication is now {manifest['version']} (created {manifest['created_at']}, "
          f"data horizon {manifest['data_horizon']})")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.publish import PublicationError, connect_analyst_database

    settings = _settings(prepare=False)
    try:
        con = connect_analyst_database(settings.published_dir)
    except PublicationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with con:
        # read-only beyond the database too: no file read or written but its scratch CSV, no extension
        scratch = settings.temp_dir / f"sql-{os.getpid()}.csv"
        con.execute("set allowed_directories = $dirs", {"dirs": [f"{settings.temp_dir}{os.sep}"]})
        for option in ("enable_external_access", "autoinstall_known_extensions", "autoload_known_extensions"):
            con.execute(f"set {option} = false")
        con.execute("set lock_configuration = true")
        try:
            statements = len(con.extract_statements(args.query))
            if statements != 1:  # none: an empty query or a comment printed nothing, exit 0 (QA)
                print("error: give one SQL statement" + (" (several were given: only the last one's result would "
                      "be shown)" if statements else " (none was given)"), file=sys.stderr)
                return 2
            result = con.sql(args.query)
            if result is None:
                return 0
            if args.csv:
                _write_csv(result, scratch)
            else:
                result.show(max_rows=args.max_rows, max_width=10_000)
        except duckdb.PermissionException as exc:  # a file or an extension: refused, and said why (QA)
            print(f"error: {exc}\n`brandcare sql` reads the analyst database's tables and views only (no files, no "
                  "extensions: it cannot write or reach beyond the publication). Read the Parquet files with DuckDB "
                  "itself (`duckdb`, or Python's duckdb.connect(); docs/bi.md), or export a result with --csv",
                  file=sys.stderr)
            return 1
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


def _write_csv(result, scratch: Path) -> None:
    """A query's result to stdout as DuckDB writes CSV (LF line ends, ``true``, ``[a, b]``, ISO
    times: what DuckDB and ``brandcare classify`` read back), through a scratch file in the home."""
    import shutil

    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        result.to_csv(str(scratch), header=True)
        sys.stdout.flush()
        with scratch.open("rb") as written:
            shutil.copyfileobj(written, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    finally:
        scratch.unlink(missing_ok=True)


def cmd_shell(args: argparse.Namespace) -> int:
    import shutil

    from pipelines.publish import ANALYST_DATABASE, PublicationError, pinned_version_dir

    settings = _settings(prepare=False)
    try:
        database = pinned_version_dir(settings.published_dir) / ANALYST_DATABASE
    except PublicationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    cli = shutil.which("duckdb")
    if cli:
        os.execv(cli, [cli, "-readonly", str(database)])
    import code

    import duckdb

    from pipelines.settings import connect_duckdb

    con = connect_duckdb(database, read_only=True)
    code.interact(
        banner=f"{database} opened read-only as `con` (version {database.parent.name}); e.g.\n"
        'con.sql("select * from leaderboard_latest_final_month").show()   Ctrl-D leaves',
        local={"con": con, "duckdb": duckdb}, exitmsg="",
    )
    return 0



def cmd_train(args: argparse.Namespace) -> int:
    import logging

    from polars.exceptions import NoDataError

    from pipelines.classifier.corpus import CorpusError
    from pipelines.classifier.train import CANDIDATES, summary, train

    # progress: training logs each candidate as it starts (a few minutes each), here on stderr only
    progress = logging.getLogger("pipelines.classifier.train")
    if not progress.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        progress.addHandler(handler)
        progress.setLevel(logging.INFO)
        progress.propagate = False
    print(f"training: {len(CANDIDATES)} candidate feature sets, a few minutes each on 2 cores", file=sys.stderr)
    try:
        print(summary(train(args.corpus)))
    except (CorpusError, NoDataError) as exc:  # NoDataError: an empty file (QA: a traceback)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from polars.exceptions import NoDataError

    from pipelines.classifier.corpus import CorpusError
    from pipelines.classifier.evaluate import evaluate, report
    from pipelines.classifier.model import ModelError

    try:
        print(report(evaluate(args.corpus)), end="")
    except (CorpusError, ModelError, NoDataError) as exc:  # NoDataError: an empty file (QA: a traceback)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


#: separators of the tables ``brandcare classify`` reads, the first one by default.
CLASSIFY_SEPARATORS = (",", "\t", ";", "|")


def _separator(data: bytes, text_column: str) -> str:
    """The separator of a table of texts: the first of :data:`CLASSIFY_SEPARATORS` whose split
    of the header line names ``text_column`` (a tab- or semicolon-separated export read as
    commas is one column, or a text cut at its commas), else a comma."""
    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").removeprefix("\ufeff").rstrip("\r")
    for separator in CLASSIFY_SEPARATORS:
        if text_column in (name.strip().strip('"') for name in header.split(separator)):
            return separator
    return CLASSIFY_SEPARATORS[0]


def cmd_classify(args: argparse.Namespace) -> int:
    import io

    import polars as pl

    from pipelines.classifier.model import ModelError, default
    from pipelines.classify import predict_table

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        separator = _separator(data, args.text_column)
        frame = pl.read_csv(io.BytesIO(data), separator=separator, infer_schema_length=0,
                            encoding="utf8-lossy")  # every column as text
    except (OSError, pl.exceptions.PolarsError) as exc:
        print(f"error: cannot read {args.file} as CSV: {exc}", file=sys.stderr)
        return 2
    if args.text_column not in frame.columns:
        print(f"error: {args.file} has no column {args.text_column!r} (columns: {', '.join(frame.columns) or 'none'}); "
              "name the texts' column with --text-column", file=sys.stderr)
        return 2
    print(f"classifying {frame.height:,} texts (about 50,000 a second)", file=sys.stderr, flush=True)
    try:
        out = predict_table(frame, args.text_column, args.lang_column if args.lang_column in frame.columns else None)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    out.write_csv(sys.stdout.buffer)  # written as it is serialised, not built as one string first
    print(f"classified {out.height:,} texts with classifiers {default().version}", file=sys.stderr)
    return 0


def _folder(text: str) -> str:
    """An argparse type: a folder's path, not empty (an empty --out wrote into the working folder: QA)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return text


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no bound when None), said in
    argparse's own error (exit 2, the command's usage) rather than a traceback later (QA)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is not in {low}..{high if high is not None else ''}")
        return value

    parse.__name__ = "whole number"
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brandcare", description=DESCRIPTION, formatter_class=_HelpFormatter,
        epilog="a first session:\n"
               "  brandcare demo                                   # sample + ingest + run in $BRANDCARE_HOME\n"
               "  brandcare ingest ~/exports/*.jsonl blog.xml      # your own archive files\n"
               "  brandcare run --brands my_brands.yaml            # build, check and publish\n"
               "  brandcare status                                 # what the home holds\n\n"
               "`brandcare COMMAND --help` shows each command's options, examples and variables.\n\n"
               + _environment(),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample = _command(
        commands, "sample", cmd_sample, "write a realistic multi-format sample archive and truth.json",
        "Write a deterministic sample archive (X, Bluesky, Facebook and blog files), its brands.yaml\n"
        "and truth.json (the metrics it planted) to a folder. The same options give the same files.",
        ["brandcare sample --out /tmp/sample",
         "brandcare sample --out /tmp/big --brand-count 12 --days 90 --messages 100000"],
        settings=())
    sample.add_argument("--out", required=True, type=_folder, help="folder to write")
    sample.add_argument("--brand-count", type=_whole(1), default=6, help="number of brands")
    sample.add_argument("--days", type=_whole(1), default=60, help="days of activity")
    sample.add_argument("--seed", type=int, default=7, help="random seed")
    sample.add_argument("--messages", type=_whole(1), default=None,
                        help="approximate number of messages (default: from brands and days)")

    ingest = _command(
        commands, "ingest", cmd_ingest, "register and normalise archive files into the lake",
        "Register archive files once by content hash, detect each one's format from its content and\n"
        "normalise it into the lake. Bad records are quarantined with a reason, an unreadable file is\n"
        "rejected with a reason; the others load. Prints per file: format, records read, loaded and\n"
        "quarantined. Files of a folder or zip that are not messages (images, videos, an X archive's\n"
        "viewer) are skipped: counted and named, never copied.",
        ["brandcare ingest exports/                      # a folder, recursively",
         "brandcare ingest twitter-2026-11-30-abc.zip     # an X archive: its data/*.js, not its media",
         "brandcare ingest 'exports/**/*.jsonl.gz' twcs.csv",
         "brandcare ingest https://example.org/dump.zip#sha256=<hex>",
         "brandcare ingest --format twcs odd_name.txt     # force the format (also re-reads a rejected file)",
         "brandcare ingest --reread                       # after an upgrade: every stored file, read again"],
        settings=HOME_ONLY,
        notes="exit status:\n"
              "  0  every file loaded (or was already)\n"
              f"  {INGEST_ALL_REJECTED}  every file was rejected (or skipped): nothing loaded\n"
              "  2  a source matches nothing: nothing registered\n"
              f"  {INGEST_SOME_REJECTED}  some files were rejected, the others loaded")
    ingest.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="files, folders, globs, http(s):// or fsspec URLs")
    ingest.add_argument("--reread", action="store_true",
                        help="read every archive file the home holds again with this version's readers, "
                             "replacing what earlier versions loaded from them (then run without --from/--to)")
    ingest.add_argument("--format", default="auto", choices=("auto", *FORMAT_NAMES),
                        help="auto (detect from the content) or the format of every file")

    run = _command(
        commands, "run", cmd_run, "build, check and publish: one Dagster run",
        "One Dagster run: lake -> brand registry -> dbt build (models + tests) -> Great Expectations\n"
        "-> publish. The cases opened in the months of the window are recomputed, and, wherever they\n"
        "opened, the cases whose messages, brand registry entry or settings changed since they were\n"
        "computed; the publication holds every month. A failed blocking check publishes nothing: the\n"
        "previous publication stays.",
        ["brandcare run --brands my_brands.yaml",
         "brandcare run --from 2026-10-01 --to 2026-11-01    # recompute October only",
         "BRANDCARE_BRANDS=my_brands.yaml brandcare run --quiet"],
        notes="exit status:\n"
              "  0  published\n"
              "  1  a check or step failed: nothing published\n"
              "  2  the run could not start (no brand registry, empty lake, bad window)")
    run.add_argument("--from", dest="from_date", type=_date, metavar="DATE",
                     help="first day (UTC) of the window, inclusive; the cases of every month the window touches "
                          "are recomputed (default: the lake's first day)")
    run.add_argument("--to", dest="to_date", type=_date, metavar="DATE",
                     help="day (UTC) after the window, exclusive (default: after the lake's last day)")
    run.add_argument("--brands", metavar="FILE",
                     help="brand registry YAML (default: $BRANDCARE_BRANDS, else $BRANDCARE_HOME/sample/brands.yaml)")
    run.add_argument("--quiet", action="store_true", help="only warnings, stages and the summary (dbt output to a log)")

    demo = _command(
        commands, "demo", cmd_demo, "sample + ingest + run into $BRANDCARE_HOME, then show the scorecard",
        "Write a sample archive to $BRANDCARE_HOME/sample, ingest it, run the pipeline and print where\n"
        "the outputs are and the top of the latest final monthly scorecard.",
        ["brandcare demo", "BRANDCARE_HOME=/tmp/demo brandcare demo --brand-count 3 --days 40"])
    demo.add_argument("--brand-count", type=_whole(1), default=6, help="number of sample brands")
    demo.add_argument("--days", type=_whole(1), default=60, help="days of sample activity")
    demo.add_argument("--seed", type=int, default=7, help="random seed")
    demo.add_argument("--verbose", action="store_true", help="a line per file and the dbt output")

    status = _command(
        commands, "status", cmd_status, "what the home holds: archives, lake, runs, publication",
        "What $BRANDCARE_HOME holds: archive files (and how many were rejected), the lake's date range,\n"
        "the months materialised, the last runs with their status and failed checks, and the current\n"
        "publication (version, created_at, data horizon).",
        ["brandcare status", "BRANDCARE_HOME=/srv/brandcare brandcare status --runs 10"],
        settings=HOME_ONLY)
    status.add_argument("--runs", type=_whole(1), default=5, help="number of recent runs to show")

    _command(
        commands, "publications", cmd_publications, "the published versions, newest first (* current)",
        "The versions under $BRANDCARE_HOME/published, newest first: created, data horizon, checks\n"
        "passed, cases, and when each was last made current ('never': a folder a crashed publish left,\n"
        "removed by the next publish). The BRANDCARE_KEEP_VERSIONS versions most recently made current are\n"
        "kept, the current one among them.",
        ["brandcare publications"], settings=("home", "keep_versions"))

    rollback = _command(
        commands, "rollback", cmd_rollback, "make an earlier published version current again",
        "Switch published/current, and with it published/brandcare.duckdb, to VERSION in one atomic\n"
        "step. Readers that opened files keep reading their version.",
        ["brandcare publications                          # pick a version",
         "brandcare rollback 20261201T101500Z-3fa2c1"],
        settings=HOME_ONLY, notes="exit status:\n  0  VERSION is current\n  1  no complete published VERSION")
    rollback.add_argument("version", metavar="VERSION", help="a version listed by `brandcare publications`")

    sql = _command(
        commands, "sql", cmd_sql, "run SQL on the current analyst database (read-only)",
        "Run one SQL statement on the current version's analyst database, opened read-only: tables\n"
        "(brand_scorecards, care_cases, unanswered_cases, agent_activity, brands, messages, ...) and\n"
        "views (leaderboard_latest_final_month, brand_trend, unanswered_queue_by_reach,\n"
        "equity_by_band, hour_weekday); every table and column is commented (duckdb_columns()).\n"
        "No other file is read or written (COPY TO, read_csv, ATTACH are refused), and no extension\n"
        "is installed or loaded: export with --csv, or open the published Parquet files.",
        ['brandcare sql "select * from leaderboard_latest_final_month"',
         'brandcare sql --csv "select * from hour_weekday where brand_id = \'telvia\'" > hours.csv'],
        settings=HOME_ONLY)
    sql.add_argument("query", metavar="SQL", help="the SQL statement")
    sql.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    sql.add_argument("--max-rows", type=_whole(1), default=40, help="rows shown as a table")

    _command(
        commands, "shell", cmd_shell, "an interactive read-only session on the analyst database",
        "Open the current version's analyst database read-only: the duckdb CLI when it is on PATH,\n"
        "else a Python prompt with `con`, a read-only DuckDB connection.",
        ["brandcare shell"], settings=HOME_ONLY)

    corpus_help = "labelled corpus CSV (default: corpus/messages_full.csv when built, else corpus/messages.csv)"
    train = _command(
        commands, "train", cmd_train, "rebuild the message classifiers from the labelled corpus",
        "Train the intent, sentiment and deflection classifiers on the corpus's train split, choosing\n"
        "features and regularisation on dev, and write pipelines/classifier/models/ (deterministic).\n"
        "Takes about 17 minutes on 2 cores; each candidate's start is logged on stderr.",
        ["brandcare train", "brandcare train --corpus corpus/messages_full.csv"], settings=(),
        notes="exit status:\n  0  trained and saved\n  2  the corpus is missing or malformed")
    train.add_argument("--corpus", type=Path, default=None, help=corpus_help)
    evaluate = _command(
        commands, "evaluate", cmd_evaluate, "held-out scores of the classifiers; writes docs/classifiers.md",
        "Print per task and language precision, recall, F1 and the confusion matrix of the classifiers\n"
        "on the corpus's test split (and of the lexicon model they replaced), and write the model card\n"
        "docs/classifiers.md and pipelines/classifier/models/evaluation.json (only from a corpus whose\n"
        "test rows all have their texts: corpus/README.md says how to build it).",
        ["brandcare evaluate"], settings=(),
        notes="exit status:\n  0  evaluated\n  2  no corpus or no trained classifiers")
    evaluate.add_argument("--corpus", type=Path, default=None, help=corpus_help)

    classify = _command(
        commands, "classify", cmd_classify, "label your own texts with the classifiers (CSV in, CSV out)",
        "Read a CSV of texts (comma, tab, semicolon or pipe separated: the separator whose header\n"
        "names the texts' column) and print it as CSV with the classifiers' labels added as columns:\n"
        "predicted_intent, predicted_intent_confidence, predicted_sentiment, predicted_sentiment_score,\n"
        "predicted_deflection, predicted_is_thanks and predicted_lang (the lang column's tag when it has\n"
        "one, else detected). The file's own columns are kept, a labelled file's labels beside the\n"
        "predictions. Offline; nothing is written but standard output.",
        ["brandcare classify texts.csv > labelled.csv",
         "brandcare classify --text-column message replies.csv > labelled.csv",
         "cat texts.csv | brandcare classify - > labelled.csv"], settings=(),
        notes="exit status:\n  0  classified\n  2  the file is not a CSV, has no text column, or no classifiers")
    classify.add_argument("file", metavar="FILE", help="a CSV file with a header, or - for standard input")
    classify.add_argument("--text-column", default="text", help="the column holding the texts")
    classify.add_argument("--lang-column", default="lang",
                          help="a column of language tags, used where present (en, es-MX...)")

    ui = _command(
        commands, "ui", cmd_ui, "the Dagster UI on 127.0.0.1 over this home's runs",
        "The Dagster UI (dagster dev) on 127.0.0.1, on the instance under $BRANDCARE_HOME/dagster: the\n"
        "runs of the CLI, asset materialisations, checks, backfills, the schedule and the sensor.",
        ["brandcare ui", "brandcare ui --port 3001 &    # stop it with kill <pid>"])
    ui.add_argument("--port", type=_whole(1, 65535), default=3000, help="port on 127.0.0.1")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console script ``brandcare`` (nothing else calls it: tests run the command)."""
    from pipelines.settings import HomeDamagedError, write_failure

    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said with the command's usage, not brandcare's (QA: `run --frobnicate`)
        getattr(args, "command_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return args.func(args)
    except HomeDamagedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: what was stored before is kept; the next command cleans up the rest", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:
        failure = write_failure(exc)
        if failure is not None:  # one line, not a traceback; what was done before is kept
            print(f"error: {failure}", file=sys.stderr)
            return 2
        if not isinstance(exc, OSError):
            raise
        # the reader of standard output went away (`brandcare sql ... | head`): stop quietly, as
        # cat does, with the status of a process SIGPIPE ended; what is left to flush goes nowhere.
        # (Polars writing to it says "Broken pipe (os error 32)" without an errno.)
        if not (exc.errno == errno.EPIPE or "Broken pipe" in str(exc)):
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    finally:
        # The command is done: the interpreter's shutdown would now walk every object of the
        # modules a run imports (Dagster, dbt, Great Expectations) for garbage: measured 2 s.
        # Frozen objects are skipped; atexit handlers and context managers still run.
        gc.disable()
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
