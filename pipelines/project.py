"""The dbt project and how dbt is invoked: one place for Dagster, the CLI and tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

from pipelines.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
#: Where `make setup` writes the parsed project; Dagster reads the manifest from here.
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The dbt of this environment (beside the running Python), so PATH does not matter."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _project_changed_since(moment: float) -> bool:
    sources = (p for folder in ("models", "macros", "tests", "seeds") for p in (DBT_PROJECT_DIR / folder).rglob("*"))
    project_file = DBT_PROJECT_DIR / "dbt_project.yml"
    return any(p.stat().st_mtime > moment for p in sources) or project_file.stat().st_mtime > moment


def parse_project() -> Path:
    """`dbt parse` into the project's target folder (what `make setup` runs); the manifest's path."""
    env = {**os.environ, "BRANDCARE_HOME": os.environ.get("BRANDCARE_HOME", str(REPO_ROOT / "data"))}
    env.pop("DBT_TARGET_PATH", None)
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(MANIFEST_PATH.parent)],
        check=True, env=env, cwd=DBT_PROJECT_DIR,
    )
    return MANIFEST_PATH


def ensure_manifest() -> Path:
    """The parsed project's manifest: prepared by `make setup`; parsed again only when it is
    missing or older than the project's files (an edited checkout). Called when Dagster loads
    the definitions, never at import."""
    if not MANIFEST_PATH.exists() or _project_changed_since(MANIFEST_PATH.stat().st_mtime):
        parse_project()
    return MANIFEST_PATH


def check_description(evaluation) -> str | None:
    """What an asset check evaluation means: its own description, else its dbt test's (a
    singular test's, from dbt_project/tests/_tests.yml)."""
    return evaluation.description or _dbt_test_descriptions().get(evaluation.check_name)


@cache
def _dbt_test_descriptions() -> dict[str, str]:
    """The description of each dbt data test that has one, by the name its asset check carries."""
    nodes = json.loads(ensure_manifest().read_text())["nodes"].values()
    return {node["name"]: " ".join(node["description"].split()) for node in nodes
            if node["resource_type"] == "test" and node.get("description")}


@cache
def dbt_project():
    """The dbt project for dagster-dbt (built on first use, not at import)."""
    from dagster_dbt import DbtProject

    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_build_args(settings: Settings) -> list[str]:
    """Arguments of a run's ``dbt build``: the configuration as vars (the same every run, so dbt's
    partial parse holds; the run's date window is data, see pipelines.defs.warehouse).

    dbt unit tests check the SQL, not the data: they run in the test suite
    (tests/test_dbt_unit_tests.py), not in every run; data tests run in every build."""
    return ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]
