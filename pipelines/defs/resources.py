"""Resources: where brandcare lives (from the environment) and the dbt CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from pipelines.project import dbt_executable, dbt_project
from pipelines.settings import Settings, load_settings


class BrandcareResource(ConfigurableResource):
    """Paths and configuration of the deployment; empty fields fall back to BRANDCARE_* variables."""

    home: str = ""
    brands_file: str = ""

    def settings(self) -> Settings:
        settings = load_settings()
        if self.home:
            settings = dataclasses.replace(settings, home=Path(self.home).resolve())
        if self.brands_file:
            settings = dataclasses.replace(settings, brands_file=Path(self.brands_file).resolve())
        return settings


def resources() -> dict[str, object]:
    return {
        "brandcare": BrandcareResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
