"""Publication: write-audit-publish of the Parquet exports, the analyst database and the report.

It runs only after every blocking check upstream passed; a failed check leaves the previous
publication current.
"""


import polars as pl
from dagster import AssetExecutionContext, DagsterEventType, Failure, MaterializeResult, MetadataValue, asset

from pipelines.defs.partitions import BACKFILL_TAG
from pipelines.defs.resources import BrandcareResource
from pipelines.defs.warehouse import BRAND_SCORECARDS, CHECKED, WAREHOUSE_POOL, mart_key, read_build_state
from pipelines.publish import ANALYST_TABLES, publish
from pipelines.report import render_report
from pipelines.settings import connect_duckdb


def _check_results(context: AssetExecutionContext) -> list[dict]:
    """Every asset check evaluated so far in this run, for the manifest (a dbt test's
    description where the evaluation has none, as the command line says it). A UI backfill
    runs the models in several runs (those upstream of the window, the window, those downstream
    of it): its publication holds the checks of all of them, the latest evaluation of each (QA:
    a backfill's manifest listed 81 of 153 checks and hid a warning)."""
    from dagster import RunsFilter

    from pipelines.project import check_description, check_severity

    backfill = context.run.tags.get(BACKFILL_TAG)
    runs = ([run.run_id for run in context.instance.get_runs(filters=RunsFilter(tags={BACKFILL_TAG: backfill}))]
            if backfill else [])
    run_ids = [*dict.fromkeys([*reversed(runs), context.run.run_id])]  # oldest first, this run last
    latest = {}
    for run_id in run_ids:
        for record in context.instance.get_records_for_run(
            run_id=run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
        ).records:
            evaluation = record.event_log_entry.dagster_event.event_specific_data
            latest[(evaluation.asset_key.to_user_string(), evaluation.check_name)] = evaluation
    results = [
        {
            "asset": asset,
            "name": name,
            "passed": evaluation.passed,
            "severity": check_severity(evaluation),
            "description": check_description(evaluation),
        }
        for (asset, name), evaluation in latest.items()
    ]
    return sorted(results, key=lambda r: (r["asset"], r["name"]))


def _require_own_build(context: AssetExecutionContext, settings) -> None:
    """Publish only a build whose checks this run saw: the warehouse as this run's own build left
    it, or, in a run that builds nothing (a backfill's publishing run, the publication alone), a
    build that finished. QA: a UI run queued on the warehouse pool published, seconds after a
    command-line run's build failed a blocking check, the very row that failed it."""
    state = read_build_state(settings)
    if state is None:  # a warehouse built before builds said which run they were
        return
    built_here = any(
        record.event_log_entry.dagster_event.asset_key == BRAND_SCORECARDS
        for record in context.instance.get_records_for_run(
            run_id=context.run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records)
    if built_here and state["run_id"] != context.run.run_id:
        raise Failure(f"the working warehouse was rebuilt by run {state['run_id']} after this run's build: this "
                      "run publishes nothing (its checks were of its own build); that run publishes its own")
    if state["state"] == "built":
        raise Failure(f"the blocking check of the working warehouse's last build (run {state['run_id']}, "
                      "brand_scorecards_expectations) failed or did not run: nothing is published unchecked "
                      "(in the launchpad, keep 'Include separately executable checks'; or `brandcare run`)")
    if state["state"] != CHECKED:
        raise Failure(f"the working warehouse's last build (run {state['run_id']}) did not finish, or failed a "
                      "check: nothing is published until a build finishes (`brandcare run`)")


def classifiers_entry(settings) -> dict:
    """The classifiers' version and held-out figures, and ``lake``: the versions that labelled the
    loaded files, with their files and the records loaded from them (not messages: a page's user
    objects, retweets and copies are records too; QA) (``version`` null: a version before they
    were recorded). Labels of other versions than ``version`` come from a home upgraded since and not
    read again (QA: the manifest named the new classifiers for labels the old ones gave)."""
    from pipelines import ingest
    from pipelines.classifier.heldout import manifest_entry

    files = ingest.load_archive_files(settings).filter(pl.col("status") == "loaded")
    lake = (files.group_by("classifier_version")
            .agg(files=pl.len(), records=pl.col("records_loaded").sum())
            .sort("classifier_version", nulls_last=True)
            .rename({"classifier_version": "version"}))
    return {**manifest_entry(), "lake": lake.to_dicts()}


#: Warehouse models the publication reads besides the analyst tables: the data horizon, and the
#: reply coverage its report states (declared, so that materialising the publication alone asks
#: for them as for the tables).
PUBLICATION_INPUTS = ("int_data_horizon", "int_reply_coverage")


@asset(
    key="published",
    deps=[mart_key(table) for table in (*ANALYST_TABLES, *PUBLICATION_INPUTS)],
    pool=WAREHOUSE_POOL,
    group_name="publish",
    description="The current publication under $BRANDCARE_HOME/published: one version folder "
    "holding the Parquet exports (and the scorecards hive-partitioned by period and month), "
    "data_dictionary.csv, manifest.json, report.html and the analyst database brandcare.duckdb.",
)
def published(context: AssetExecutionContext, brandcare: BrandcareResource) -> MaterializeResult:
    settings = brandcare.settings()
    _require_own_build(context, settings)
    with connect_duckdb(settings.warehouse_path, read_only=True) as con:
        horizon = con.execute("select data_horizon from int_data_horizon").fetchone()[0]
    checks = _check_results(context)
    manifest = publish(
        settings.warehouse_path,
        settings.published_dir,
        data_horizon=horizon.isoformat() if horizon else None,
        checks=checks,
        report_html=render_report(settings.warehouse_path, language=settings.report_language,
                                  response_window_days=settings.response_window_days,
                                  canned_min_replies=settings.canned_min_replies,
                                  duckdb_config=settings.duckdb_config("report")),
        keep_versions=settings.keep_versions,
        classifiers=classifiers_entry(settings),
        settings=settings.dbt_vars(),
        duckdb_config=settings.duckdb_config("publish"),
    )
    context.log.info(f"published version {manifest['version']} to {settings.published_dir / 'current'}")
    return MaterializeResult(
        metadata={
            "version": manifest["version"],
            "data_horizon": str(manifest["data_horizon"]),
            "checks_passed": sum(c["passed"] for c in checks),
            "checks": len(checks),
            **{f"rows_{table}": count for table, count in manifest["row_counts"].items()},
            "path": MetadataValue.path(str(settings.published_dir / "versions" / manifest["version"])),
        }
    )
