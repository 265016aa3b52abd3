"""Warehouse assets: the dbt project (staging -> intermediate -> marts) and its checks.

dbt tests run inside ``dbt build`` and surface as asset checks; a failing test fails the
build, so nothing downstream (publication) runs. The Great Expectations suite of
``data_checks/`` guards ``brand_scorecards`` as a blocking check.
"""


from collections.abc import Mapping
from typing import Any

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetExecutionContext, AssetKey, AssetSpec, MetadataValue, asset_check
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets, get_asset_key_for_model

from pipelines.defs.partitions import daily_partitions, single_run_backfill, window_dates
from pipelines.defs.resources import BrandcareResource
from pipelines.project import dbt_build_args, dbt_project, ensure_manifest

WAREHOUSE_POOL = "warehouse"


class BrandcareDbtTranslator(DagsterDbtTranslator):
    """dbt models keep their names as asset keys; groups follow the dbt folders."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        fqn = node.get("fqn", [])
        if node.get("resource_type") == "model" and len(fqn) > 2:
            spec = spec.replace_attributes(group_name=fqn[1])
        return spec


#: The one partitioned model: the per-case fields, recomputed for the days of a run.
CASES_MODEL = "int_cases_measured"


def _build(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource, window=None):
    settings = brandcare.settings()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    args = dbt_build_args(settings, *window) if window else dbt_build_args(settings)
    yield from dbt.cli(args, context=context).stream()


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=BrandcareDbtTranslator(),
    pool=WAREHOUSE_POOL,
    exclude=f"{CASES_MODEL}+",
)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
    """Staging and intermediate models (messages, conversations, cases opened, replies) and the
    analyst tables that do not depend on measured cases: always built from every message."""
    yield from _build(context, dbt, brandcare)


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=BrandcareDbtTranslator(),
    pool=WAREHOUSE_POOL,
    select=CASES_MODEL,
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
)
def warehouse_cases(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
    """The per-case fields, partitioned by the UTC day a case opened: a run (or a backfill over a
    range, as one run) recomputes the cases of its days and keeps the others."""
    window = context.partition_time_window
    min_date, max_date = window_dates(window.start, window.end)
    context.log.info(f"recomputing the cases opened in [{min_date}, {max_date})")
    yield from _build(context, dbt, brandcare, (min_date, max_date))


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=BrandcareDbtTranslator(),
    pool=WAREHOUSE_POOL,
    select=f"{CASES_MODEL}+",
    exclude=CASES_MODEL,
)
def warehouse_marts(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
    """The marts built on measured cases (care_cases, brand_scorecards, unanswered_cases,
    agent_activity): recomputed whole from every case, whatever days the run recomputed."""
    yield from _build(context, dbt, brandcare)


WAREHOUSE_ASSETS = [warehouse_models, warehouse_cases, warehouse_marts]
def mart_key(model: str) -> AssetKey:
    """The asset key of a dbt model (never written by hand); the three definitions share one manifest."""
    return get_asset_key_for_model([warehouse_models], model)


BRAND_SCORECARDS = mart_key("brand_scorecards")


@asset_check(asset=BRAND_SCORECARDS, blocking=True, pool=WAREHOUSE_POOL,
             description="Great Expectations suite data_checks.brand_scorecards_suite on the whole table.")
def brand_scorecards_expectations(brandcare: BrandcareResource) -> AssetCheckResult:
    from data_checks import validate_brand_scorecards

    with duckdb.connect(str(brandcare.settings().warehouse_path), read_only=True) as con:
        frame = con.sql("select * from brand_scorecards").df()
    outcome = validate_brand_scorecards(frame)
    return AssetCheckResult(
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description="; ".join(outcome.failures[:5]) or "all expectations met",
        metadata={
            "rows": len(frame),
            "failures": MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none"),
        },
    )
