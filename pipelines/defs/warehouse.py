"""Warehouse assets: the dbt project (staging -> intermediate -> marts) and its checks.

dbt tests run inside ``dbt build`` and surface as asset checks; a failing test fails the
build, so nothing downstream (publication) runs. The Great Expectations suite of
``data_checks/`` guards ``brand_scorecards`` as a blocking check.
"""


import json
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BetaWarning,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.partitions import (
    BACKFILL_TAG,
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    monthly_partitions,
    single_run_backfill,
    window_dates,
)
from pipelines.defs.resources import BrandcareResource
from pipelines.project import dbt_build_args, dbt_project, ensure_manifest
from pipelines.runner import ROWS_METADATA, empty_window_note
from pipelines.settings import Settings, connect_duckdb

WAREHOUSE_POOL = "warehouse"
#: The dbt source holding the run's window of days (written by :func:`run_window`).
RUN_WINDOW = AssetKey(["lake", "run_window"])
#: The widest window: a build outside a partitioned run recomputes every case.
ALL_DAYS = (date(1970, 1, 1), date(9999, 12, 31))


class BrandcareDbtTranslator(DagsterDbtTranslator):
    """dbt models keep their names as asset keys; groups follow the dbt folders."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        fqn = node.get("fqn", [])
        if node.get("resource_type") == "model" and len(fqn) > 2:
            spec = spec.replace_attributes(group_name=fqn[1])
        return spec

    def get_asset_check_spec(self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project):
        """A dbt test's check carries the test's description (what a warning means), which the UI
        shows beside it: every dbt check said "No description provided" (QA)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        description = " ".join((manifest["nodes"].get(unique_id, {}).get("description") or "").split())
        return spec._replace(description=description) if spec is not None and description else spec


def write_run_window(settings: Settings, window: tuple[date, date], backfill: str | None = None) -> None:
    """The half-open window of days whose cases a build recomputes, as the dbt source lake/run_window;
    for a backfill, also kept under its id for the build of its later run: the span of every window
    its runs wrote. A backfill over months that are not contiguous (two months clicked, *Missing*)
    is one window run per stretch: each wrote the backfill's window and the last won, so the build
    recomputed the last stretch alone while every month turned green (QA). Recomputing the months
    between as well is what a run over the span does: the same tables.

    Data, not a dbt var: vars that change every run would make dbt parse the project again each time.
    """
    from pipelines.ingest import write_parquet

    frame = pl.DataFrame({"min_date": [window[0]], "max_date": [window[1]]})
    write_parquet(frame, settings.lake_dir / "run" / "window.parquet")
    if backfill:
        kept = _backfill_window(settings, backfill)
        if kept.exists():
            earlier = pl.read_parquet(kept).row(0)
            frame = pl.DataFrame({"min_date": [min(window[0], earlier[0])], "max_date": [max(window[1], earlier[1])]})
        write_parquet(frame, kept)


def _build_state_path(settings: Settings) -> Path:
    return settings.warehouse_path.parent / "build.json"


#: read by dagster-dbt when it selects the tests of a run's models
DBT_INDIRECT_SELECTION_VAR = "DBT_INDIRECT_SELECTION"
#: the build state once the blocking check of brand_scorecards passed on it: what may be published
CHECKED = "checked"


def write_build_state(settings: Settings, run_id: str, state: str) -> None:
    """Which run last rebuilt the working warehouse and how far it got ("building", "built" when
    dbt's build and tests finished, :data:`CHECKED` when the blocking check passed on it): the
    publication reads it, so that a run never publishes a build it did not make, one whose
    checks failed, or one whose checks did not run (the launchpad can leave them out; the
    warehouse pool is taken step by step, not from a run's build to its publication)."""
    path = _build_state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps({"run_id": run_id, "state": state}))
    scratch.replace(path)


def read_build_state(settings: Settings) -> dict | None:
    """What :func:`write_build_state` last wrote; None for a warehouse built before it existed."""
    path = _build_state_path(settings)
    return json.loads(path.read_text()) if path.exists() else None


def _backfill_window(settings: Settings, backfill: str) -> Path:
    return settings.lake_dir / "run" / "backfills" / f"{backfill}.parquet"


def _own_window(context: AssetExecutionContext, settings: Settings) -> tuple[date, date] | None:
    """The window of this build's own run: its months (a run over a range of them, or one), else
    the window its backfill's partitioned run wrote (a UI backfill runs the window and the models
    downstream of it in two runs); None when the run names none (a run of the models alone).

    Written again by the build itself, inside the warehouse pool, right before dbt reads it: two
    runs (one from the command line, one from the UI, the sensor or the schedule) would otherwise
    each write the window in their run_window step, and a build would recompute the other's
    months (QA: a UI run of October reported success having recomputed September)."""
    tags = context.run.tags
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        first, last = tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    elif PARTITION_TAG in tags:
        first = last = tags[PARTITION_TAG]
    elif BACKFILL_TAG in tags and _backfill_window(settings, tags[BACKFILL_TAG]).exists():
        row = pl.read_parquet(_backfill_window(settings, tags[BACKFILL_TAG])).row(0)
        return row[0], row[1]
    else:
        return None
    start = monthly_partitions.time_window_for_partition_key(first).start
    end = monthly_partitions.time_window_for_partition_key(last).end
    return window_dates(start, end)


def _build(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
    settings = brandcare.settings()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    (settings.temp_dir / "duckdb").mkdir(parents=True, exist_ok=True)
    own = _own_window(context, settings)
    if own is not None:
        write_run_window(settings, own)
    elif not (settings.lake_dir / "run" / "window.parquet").exists():
        write_run_window(settings, ALL_DAYS)
    _prefetch("great_expectations")
    # dbt selects a data test when one of its models is selected (eager): a run of the models
    # upstream of the window (a UI backfill's first run) ran care_cases' relationship tests before
    # care_cases existed. Cautious (all its models selected) then skipped those tests in every run
    # of a backfill, which published without them (QA). Buildable: each of its models selected or
    # upstream of the selection, so the run that builds care_cases tests it against the brands an
    # earlier run built (a whole build selects every test all the same)
    os.environ.setdefault(DBT_INDIRECT_SELECTION_VAR, "buildable")
    write_build_state(settings, context.run.run_id, "building")
    log = settings.dbt_target_dir / "dbt.log"
    logged = log.stat().st_size if log.is_file() else 0  # this build's lines follow
    invocation = dbt.cli(dbt_build_args(settings), context=context, target_path=settings.dbt_target_dir)
    warned = []  # their rows are read once dbt has let the warehouse go
    try:
        for event in invocation.stream():  # raises when dbt failed: the state stays "building"
            if isinstance(event, AssetCheckResult) and not event.passed and event.severity == AssetCheckSeverity.WARN:
                warned.append(event)
            else:
                yield event
    except Exception as exc:  # a failed build: its warnings with their rows, unless the file is damaged
        corrupt = _corrupt_warehouse(log, logged)
        yield from warned if corrupt else _with_rows(settings, warned)
        if corrupt:
            raise Failure(damaged_warehouse(settings, corrupt)) from exc
        raise
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): the warnings received, as they are
        yield from warned
        raise
    yield from _with_rows(settings, warned)
    write_build_state(settings, context.run.run_id, "built")


def _with_rows(settings: Settings, warned: list[AssetCheckResult]) -> Iterator[AssetCheckResult]:
    """Each warning with the rows it found (:func:`_check_rows`), for the UI, the run's output and
    status (QA: a warning named no row)."""
    for event in warned:
        rows = _check_rows(settings, event.check_name)
        yield event.with_metadata({**event.metadata, ROWS_METADATA: MetadataValue.text("\n".join(rows))}) \
            if rows else event


#: rows of a warned check recorded with its evaluation
CHECK_ROWS_SHOWN = 10


def _check_rows(settings: Settings, check_name: str) -> list[str]:
    """The rows a dbt singular test (``dbt_project/tests/<check_name>.sql``) found, as lines
    ``column=value, ...`` (at most :data:`CHECK_ROWS_SHOWN`, then how many more), read again
    from the warehouse with the SQL dbt compiled in this home; empty for any other check. So a
    warning names what it is about (QA: "an account wrote no message" named no account); read
    once dbt has let the warehouse go (runner.warned_rows reads them back)."""
    compiled = settings.dbt_target_dir / "compiled" / "brandcare" / "tests" / f"{check_name}.sql"
    if not compiled.is_file() or not settings.warehouse_path.is_file():
        return []
    import duckdb

    try:
        with connect_duckdb(settings.warehouse_path, read_only=True) as con:
            # our own compiled test (no user data in it); its last line may be a comment
            result = con.execute(f"select * from (\n{compiled.read_text()}\n) limit {CHECK_ROWS_SHOWN + 1}")
            names = [column[0] for column in result.description]
            rows = result.fetchall()
    except duckdb.Error as exc:  # the warning stays, said without its rows
        return [f"(its rows could not be read: {str(exc).splitlines()[0]})"]
    lines = [", ".join(f"{name}={value}" for name, value in zip(names, row, strict=True))
             for row in rows[:CHECK_ROWS_SHOWN]]
    return lines + (["and more"] if len(rows) > CHECK_ROWS_SHOWN else [])


#: DuckDB's words for a database file it cannot read: a block that fails its checksum, a file cut
#: short, a header that is not DuckDB's (QA: a truncated file)
DAMAGED_WORDS = ("Corrupt database file", "Could not read enough bytes", "is not a valid DuckDB database file")


def damaged_warehouse(settings: Settings, detail: str) -> str:
    """What to do about a working warehouse DuckDB cannot read (``detail``: its words)."""
    return (f"the working warehouse {settings.warehouse_path} is damaged ({detail}): remove it and run again; "
            "it is rebuilt from the lake, and the publication stays as it is")


def _corrupt_warehouse(log: Path, start: int) -> str | None:
    """DuckDB's words when the failed build met a damaged warehouse file, from what the build
    wrote to dbt's log past ``start`` (the step's error does not quote them: QA, every run
    failed on a truncated file with '90 of 189 ERROR' and nothing else); None otherwise."""
    if not log.is_file():
        return None
    with log.open("rb") as handle:
        handle.seek(max(start, log.stat().st_size - (1 << 20)))
        tail = handle.read().decode("utf-8", "replace")
    found = re.findall(rf"(?:{'|'.join(DAMAGED_WORDS)})[^\n\\\"]*", tail)
    return found[-1].strip() if found else None


def _prefetch(module: str) -> None:
    """Import a slow module (Great Expectations, which the check on brand_scorecards needs: ~5 s of
    CPU) in a background thread while this step waits on dbt, so that the check does not pay for
    the import, nor the run's start (imports, definitions), which holds the GIL, share it with it."""
    import importlib
    import threading

    threading.Thread(target=importlib.import_module, args=(module,), daemon=True, name=f"prefetch-{module}").start()


@cache
def warehouse_assets() -> tuple:
    """The run's window (partitioned by month) and the dbt project as one asset definition built by
    one ``dbt build``; made when Dagster loads the definitions, never at import. The window is
    upstream of the case model through the source lake.run_window: one invocation builds every
    model, and the incremental case model recomputes only the window's months."""

    with warnings.catch_warnings():  # backfill_policy on @asset is beta; it is what a month range needs
        warnings.simplefilter("ignore", BetaWarning)

        @asset(key=RUN_WINDOW, partitions_def=monthly_partitions, backfill_policy=single_run_backfill,
               pool=WAREHOUSE_POOL, group_name="lake")
        def run_window(context: AssetExecutionContext, brandcare: BrandcareResource) -> MaterializeResult:
            """The months whose cases the next build recomputes (the dbt source lake.run_window): a
            run, or a backfill over a range of months as one run, writes its half-open window of
            days; the build then recomputes the cases opened in it (int_cases_measured) and the
            cases that new archives changed, wherever they opened, and keeps the others."""
            settings = brandcare.settings()
            window = window_dates(context.partition_time_window.start, context.partition_time_window.end)
            write_run_window(settings, window, backfill=context.run.tags.get(BACKFILL_TAG))
            context.log.info(f"the build recomputes the cases opened in [{window[0]}, {window[1]}) "
                             "and the cases new archives changed")
            empty = empty_window_note(settings, window[0], window[1] - timedelta(days=1))
            if empty:
                context.log.warning(empty)
            return MaterializeResult(metadata={"min_date": str(window[0]), "max_date": str(window[1]),
                                               "messages_in_window": not empty})

    @dbt_assets(manifest=ensure_manifest(), project=dbt_project(), dagster_dbt_translator=BrandcareDbtTranslator(),
                pool=WAREHOUSE_POOL)
    def warehouse(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
        """Staging, intermediate and mart models with their data tests (asset checks): a failing
        test fails the build, so nothing downstream (publication) runs."""
        yield from _build(context, dbt, brandcare)

    return run_window, warehouse


def mart_key(model: str) -> AssetKey:
    """The asset key of a dbt model: its name (BrandcareDbtTranslator keeps dagster-dbt's default)."""
    return AssetKey([model])


BRAND_SCORECARDS = mart_key("brand_scorecards")


@asset_check(asset=mart_key("messages"), pool=WAREHOUSE_POOL,
             description="Warns when a blog's or Facebook page's brand comments answer their own post after "
             "customers commented instead of replying to the customers' comments (the report's note on "
             "answers not threaded): those answer no case, so the platform's response rates undercount.")
def warn_answers_not_threaded(brandcare: BrandcareResource) -> AssetCheckResult:
    """The report's :func:`~pipelines.report.data.flat_answers`, said by the run too (QA: a real
    WordPress blog answered 23 of its 34 comments this way; its response rate read 2 of 68 with
    no warning from the run)."""
    from pipelines.report.data import flat_answers

    with connect_duckdb(brandcare.settings().warehouse_path, read_only=True) as con:
        rows = flat_answers(con)
    lines = [f"platform={row['platform']}, comments={row['comments']}, flat={row['flat']}" for row in rows]
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        description=(
            "brand comments answer their own post after customers commented, not the customers' comments: "
            "they answer no case, so these platforms' response rates undercount "
            "(docs/report.md#when-a-blog-does-not-thread-its-comments)") if rows else None,
        metadata={ROWS_METADATA: MetadataValue.text("\n".join(lines))} if rows else {},
    )


@asset_check(asset=BRAND_SCORECARDS, blocking=True, pool=WAREHOUSE_POOL,
             description="Great Expectations suite data_checks.brand_scorecards_suite on the whole table.")
def brand_scorecards_expectations(brandcare: BrandcareResource) -> AssetCheckResult:
    from data_checks import validate_brand_scorecards

    settings = brandcare.settings()
    with connect_duckdb(settings.warehouse_path, read_only=True) as con:
        frame = con.sql("select * from brand_scorecards").df()
    outcome = validate_brand_scorecards(frame)
    state = read_build_state(settings)
    if outcome.passed and state is not None and state["state"] == "built":
        write_build_state(settings, state["run_id"], CHECKED)  # the build may be published
    return AssetCheckResult(
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description="; ".join(outcome.failures[:5]) or "all expectations met",
        metadata={
            "rows": len(frame),
            "failures": MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none"),
        },
    )
