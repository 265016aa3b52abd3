"""Resources: where brandcare lives (from the environment) and the dbt CLI."""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from pipelines.project import dbt_executable, dbt_project
from pipelines.settings import Settings, load_settings


class BrandcareResource(ConfigurableResource):
    """The deployment's settings, read from the BRANDCARE_* environment when a step asks
    (pipelines.settings is their one source)."""

    def settings(self) -> Settings:
        return load_settings()


#: dbt's own log file ($BRANDCARE_HOME/dbt/target/dbt.log) keeps warnings and errors (a damaged
#: warehouse is told from it: pipelines.defs.warehouse), not each node's start and result, which
#: Dagster's event log and the run's output already hold: at info level, writing them cost 0.5 s
#: of CPU per run (at debug, every statement and connection event, 1 s more); the compiled SQL of
#: each node stays under target/compiled and target/run.
#: No JSON artifacts (manifest.json, run_results.json: 1.7 MB serialised at the end of every
#: build, about 1 s of a tiny run): Dagster reads each node's result from dbt's event stream, the
#: run's outcome is in Dagster's event log, and partial parsing keeps its own file.
DBT_GLOBAL_FLAGS = ["--log-level-file", "warn", "--no-write-json"]


class BrandcareDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI without two start-up costs a run does not need (measured: 4 s of a
    30 s run on a tiny archive):

    - the dbt version comes from the installed dbt-core package (the dbt on ``dbt_executable``,
      in the same environment), not from ``dbt --version``: a 2.6 s subprocess that also asks
      PyPI for the latest release, so it waits on the network;
    - no dbt adapter is built inside the run's process before dbt starts (1.7 s of the GIL): it
      serves only ``fetch_row_counts()`` and ``fetch_column_metadata()``, which brandcare does
      not call.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def resources() -> dict[str, object]:
    return {
        "brandcare": BrandcareResource(),
        "dbt": BrandcareDbtCliResource(
            project_dir=dbt_project(), dbt_executable=dbt_executable(), global_config_flags=DBT_GLOBAL_FLAGS
        ),
    }
