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


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=BrandcareDbtTranslator(),
    pool=WAREHOUSE_POOL,
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, brandcare: BrandcareResource):
    """Build and test every dbt model over the lake; the cases of the run's days are recomputed."""
    settings = brandcare.settings()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    window = context.partition_time_window
    min_date, max_date = window_dates(window.start, window.end)
    context.log.info(f"recomputing cases opened in [{min_date}, {max_date})")
    yield from dbt.cli(dbt_build_args(settings, min_date, max_date), context=context).stream()


BRAND_SCORECARDS = get_asset_key_for_model([warehouse_models], "brand_scorecards")


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


def mart_key(model: str) -> AssetKey:
    """The asset key of a dbt model (never written by hand)."""
    return get_asset_key_for_model([warehouse_models], model)
