"""Dagster code location of brandcare: the stage modules and shared policy, built when Dagster
loads them (``@definitions``), so importing this module does no work."""

from dagster import (
    Definitions,
    definitions,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)


@definitions
def defs() -> Definitions:
    from pipelines.defs import lake, publication, warehouse
    from pipelines.defs.automation import brandcare_job, daily_schedule, inbox_sensor
    from pipelines.defs.resources import resources

    modules = [lake, warehouse, publication]
    return Definitions(
        assets=[*load_assets_from_modules(modules), *warehouse.warehouse_assets()],
        asset_checks=load_asset_checks_from_modules(modules),
        jobs=[brandcare_job],
        schedules=[daily_schedule],
        sensors=[inbox_sensor],
        resources=resources(),
    )
