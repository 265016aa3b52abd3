"""Resources: where brandcare lives (from the environment) and the dbt CLI."""

from __future__ import annotations

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from pipelines.project import dbt_executable, dbt_project
from pipelines.settings import Settings, load_settings


class BrandcareResource(ConfigurableResource):
    """The deployment's settings, read from the BRANDCARE_* environment when a step asks
    (pipelines.settings is their one source)."""

    def settings(self) -> Settings:
        return load_settings()


def resources() -> dict[str, object]:
    return {
        "brandcare": BrandcareResource(),
        "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    }
