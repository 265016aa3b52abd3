"""Dagster code location of brandcare: loads the stage modules and applies shared policy."""

from dagster import Definitions, load_asset_checks_from_modules, load_assets_from_modules

from pipelines.defs import lake, publication, warehouse
from pipelines.defs.automation import brandcare_job, daily_schedule, inbox_sensor
from pipelines.defs.resources import resources

_modules = [lake, warehouse, publication]

defs = Definitions(
    assets=load_assets_from_modules(_modules),
    asset_checks=load_asset_checks_from_modules(_modules),
    jobs=[brandcare_job],
    schedules=[daily_schedule],
    sensors=[inbox_sensor],
    resources=resources(),
)
